import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import type { AppContext } from "../../core/context.ts";
import { NotFoundError } from "../../core/errors.ts";
import { adminFrame, RedirectToLogin } from "../../core/http/admin.ts";
import { formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import {
  beginEnrolment,
  confirmEnrolment,
  mfaStatus,
  renewRecoveryCodes,
  resetMfa,
  verifySecondFactor,
} from "./mfa.ts";
import {
  changePassword,
  mfaDeadline,
  pendingSession,
  revokeSession,
  type SessionStage,
  sessionId,
  sessionsOf,
  stageAfterSecondFactor,
  unlockAccount,
} from "./security.ts";
import {
  AccountSecurityPage,
  ChangePasswordPage,
  EnrolPage,
  EnrolStepPage,
  ExpiredPasswordPage,
  MfaStepPage,
  RecoveryCodesPage,
  RecoveryCodesStepPage,
} from "./security-views.tsx";
import { openSession, safeNext, stagePath } from "./session-cookie.ts";

const STEP_LIMIT = { rateLimit: { max: 10, timeWindow: "1 minute" } };

/** The second sign-in steps, the signed-in user's own security page, and the security administrator's levers. */
export async function registerSecurityRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  /** The user of a half-open session at `stage`; anything else goes back to the sign-in form. */
  const pending = async (request: FastifyRequest, stage: Exclude<SessionStage, "full">, next: string) => {
    const session = request.sessionToken ? await pendingSession(ctx, request.sessionToken) : null;
    if (session?.stage !== stage) throw new RedirectToLogin(next);
    return session.userId;
  };
  const nextOf = (request: FastifyRequest) =>
    safeNext(String((request.query as { next?: string }).next ?? ""), "/admin");
  const continueAfterSecondFactor = async (request: FastifyRequest, reply: FastifyReply, userId: number) => {
    const stage = await stageAfterSecondFactor(ctx, userId);
    await openSession(ctx, request, reply, userId, stage);
    return stage;
  };
  const user = (userId: number) =>
    ctx.db
      .selectFrom("users")
      .select(["id", "display_name", "password_changed_at", "created_at"])
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();

  /* ---------------------------------------------------------- step 2: TOTP or recovery code */
  app.get("/admin/login/mfa", async (request, reply) => {
    const next = nextOf(request);
    await pending(request, "mfa", next);
    return sendPage(reply, <MfaStepPage csrf={reply.generateCsrf()} next={next} state={{ values: {} }} />);
  });
  app.post("/admin/login/mfa", { config: STEP_LIMIT }, async (request, reply) => {
    const form = readForm(request);
    const next = safeNext(form.text("next"), "/admin");
    const userId = await pending(request, "mfa", next);
    try {
      await verifySecondFactor(ctx, userId, form.text("code"), request.ip);
      const u = await user(userId);
      await audit(ctx, { id: u.id, name: u.display_name }, "auth.mfa_passed", `user:${userId}`, {
        ip: request.ip,
      });
      const stage = await continueAfterSecondFactor(request, reply, userId);
      return reply.redirect(stagePath(stage, next), 303);
    } catch (error) {
      return sendPage(
        reply,
        <MfaStepPage csrf={reply.generateCsrf()} next={next} state={formProblem(error, {})} />,
        (error as { statusCode?: number }).statusCode ?? 400,
      );
    }
  });

  /* ---------------------------------------------------------- forced enrolment after the grace period */
  app.get("/admin/login/enrol", async (request, reply) => {
    const next = nextOf(request);
    const userId = await pending(request, "enrol", next);
    return sendPage(
      reply,
      <EnrolStepPage
        csrf={reply.generateCsrf()}
        next={next}
        enrolment={await beginEnrolment(ctx, userId)}
        state={{ values: {} }}
      />,
    );
  });
  app.post("/admin/login/enrol", { config: STEP_LIMIT }, async (request, reply) => {
    const form = readForm(request);
    const next = safeNext(form.text("next"), "/admin");
    const userId = await pending(request, "enrol", next);
    try {
      const codes = await confirmEnrolment(ctx, userId, form.text("code"), request.ip);
      const stage = await continueAfterSecondFactor(request, reply, userId);
      return sendPage(reply, <RecoveryCodesStepPage codes={codes} next={stagePath(stage, next)} />);
    } catch (error) {
      return sendPage(
        reply,
        <EnrolStepPage
          csrf={reply.generateCsrf()}
          next={next}
          enrolment={await beginEnrolment(ctx, userId)}
          state={formProblem(error, {})}
        />,
        400,
      );
    }
  });

  /* ---------------------------------------------------------- expired password */
  app.get("/admin/login/password", async (request, reply) => {
    const next = nextOf(request);
    await pending(request, "password", next);
    return sendPage(
      reply,
      <ExpiredPasswordPage csrf={reply.generateCsrf()} next={next} state={{ values: {} }} />,
    );
  });
  app.post("/admin/login/password", { config: STEP_LIMIT }, async (request, reply) => {
    const form = readForm(request);
    const next = safeNext(form.text("nextUrl"), "/admin");
    const userId = await pending(request, "password", next);
    try {
      await changePassword(
        ctx,
        userId,
        { current: form.text("current"), next: form.text("next"), confirm: form.text("confirm") },
        request.ip,
      );
      await openSession(ctx, request, reply, userId, "full");
      return reply.redirect(next, 303);
    } catch (error) {
      return sendPage(
        reply,
        <ExpiredPasswordPage csrf={reply.generateCsrf()} next={next} state={formProblem(error, {})} />,
        (error as { statusCode?: number }).statusCode ?? 400,
      );
    }
  });

  /* ---------------------------------------------------------- my account's security */
  const securityPage = async (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    const u = await user(frame.actor.id);
    const status = await mfaStatus(ctx, u.id);
    const maxAge = ctx.config.passwordMaxAgeDays;
    return sendPage(
      reply,
      <AccountSecurityPage
        frame={frame}
        mfa={{ ...status, deadline: await mfaDeadline(ctx, u.id, u.created_at) }}
        passwordChangedAt={u.password_changed_at}
        passwordExpiresAt={maxAge ? new Date(u.password_changed_at.getTime() + maxAge * 86_400_000) : null}
        sessions={await sessionsOf(ctx, u.id, request.sessionToken)}
      />,
    );
  };
  app.get("/admin/security", securityPage);

  app.get("/admin/security/mfa", async (request, reply) => {
    const frame = adminFrame(request, reply);
    if ((await mfaStatus(ctx, frame.actor.id)).enabledAt) return reply.redirect("/admin/security", 303);
    return sendPage(
      reply,
      <EnrolPage
        frame={frame}
        enrolment={await beginEnrolment(ctx, frame.actor.id)}
        state={{ values: {} }}
      />,
    );
  });
  app.post("/admin/security/mfa", { config: STEP_LIMIT }, async (request, reply) => {
    const frame = adminFrame(request, reply);
    try {
      const codes = await confirmEnrolment(ctx, frame.actor.id, readForm(request).text("code"), request.ip);
      return sendPage(reply, <RecoveryCodesPage frame={frame} codes={codes} />);
    } catch (error) {
      return sendPage(
        reply,
        <EnrolPage
          frame={frame}
          enrolment={await beginEnrolment(ctx, frame.actor.id)}
          state={formProblem(error, {})}
        />,
        400,
      );
    }
  });
  app.post("/admin/security/recovery-codes", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const codes = await renewRecoveryCodes(ctx, frame.actor, request.ip);
    return sendPage(reply, <RecoveryCodesPage frame={frame} codes={codes} />);
  });

  app.get("/admin/security/password", async (request, reply) => {
    const frame = adminFrame(request, reply);
    return sendPage(reply, <ChangePasswordPage frame={frame} state={{ values: {} }} />);
  });
  app.post("/admin/security/password", { config: STEP_LIMIT }, async (request, reply) => {
    const frame = adminFrame(request, reply);
    const form = readForm(request);
    try {
      await changePassword(
        ctx,
        frame.actor.id,
        { current: form.text("current"), next: form.text("next"), confirm: form.text("confirm") },
        request.ip,
      );
      // a changed password ends every other session of the account
      await ctx.db
        .deleteFrom("sessions")
        .where("user_id", "=", frame.actor.id)
        .where("id", "<>", sessionId(request.sessionToken ?? ""))
        .execute();
      return reply.redirect("/admin/security?msg=updated", 303);
    } catch (error) {
      return sendPage(
        reply,
        <ChangePasswordPage frame={frame} state={formProblem(error, {})} />,
        (error as { statusCode?: number }).statusCode ?? 400,
      );
    }
  });

  app.post("/admin/security/sessions/:key/delete", async (request, reply) => {
    const frame = adminFrame(request, reply);
    await revokeSession(ctx, frame.actor, (request.params as { key: string }).key, request.ip);
    return reply.redirect("/admin/security?msg=deleted", 303);
  });

  /* ---------------------------------------------------------- 安全管理员: unlock, reset a lost authenticator */
  const staffId = async (request: FastifyRequest) => {
    const id = Number((request.params as { id: string }).id);
    const found = Number.isInteger(id)
      ? await ctx.db
          .selectFrom("users")
          .select("id")
          .where("id", "=", id)
          .where("kind", "=", "staff")
          .executeTakeFirst()
      : undefined;
    if (!found) throw new NotFoundError("用户不存在");
    return found.id;
  };
  app.post("/admin/users/:id/unlock", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const id = await staffId(request);
    await unlockAccount(ctx, frame.actor, id, request.ip);
    return reply.redirect(`/admin/users/${id}?msg=updated`, 303);
  });
  app.post("/admin/users/:id/mfa/reset", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const id = await staffId(request);
    await resetMfa(ctx, frame.actor, id, request.ip);
    return reply.redirect(`/admin/users/${id}?msg=updated`, 303);
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import { type Actor, can, scopeFor } from "../../core/auth/permissions.ts";
import { grantSignupConsents } from "../../core/consent.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, UserError } from "../../core/errors.ts";
import { adminFrame, RedirectToLogin } from "../../core/http/admin.ts";
import { type FormState, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import { requestsOfCitizen } from "../disclosure/requests.ts";
import { columnsOf, listDepartments, listSites } from "../sites/service.ts";
import { registerOidcRoutes } from "./oidc-routes.tsx";
import { registerPrivacyRoutes } from "./privacy-routes.tsx";
import { lockoutOf, stageAfterPassword } from "./security.ts";
import { registerSecurityRoutes } from "./security-routes.tsx";
import {
  authenticate,
  createStaff,
  endSession,
  findUser,
  grantRole,
  grantsOf,
  listStaff,
  mayGrant,
  registerCitizen,
  revokeGrant,
  setUserStatus,
} from "./service.ts";
import { openSession, SESSION_COOKIE, safeNext, stagePath } from "./session-cookie.ts";
import { registerSmsRoutes } from "./sms-routes.tsx";
import {
  AccountPage,
  CitizenLoginPage,
  NewUserPage,
  RegisterPage,
  StaffLoginPage,
  UserPage,
  UsersPage,
} from "./views.tsx";

export { SESSION_COOKIE } from "./session-cookie.ts";

const LOGIN_LIMIT = { rateLimit: { max: 10, timeWindow: "1 minute" } };

export async function registerIdentityRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const signIn = (request: FastifyRequest, reply: FastifyReply, userId: number) =>
    openSession(ctx, request, reply, userId);
  const signOut = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.sessionToken) await endSession(ctx, request.sessionToken);
    if (request.actor) await audit(ctx, request.actor, "auth.logout", "", { ip: request.ip });
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
  };
  await registerSecurityRoutes(app, ctx);
  await registerSmsRoutes(app, ctx);
  await registerPrivacyRoutes(app, ctx);
  await registerOidcRoutes(app, ctx);

  /* ---------------------------------------------------------- staff sign-in */
  /** One password sign-in for staff and citizens: authenticate, open the session at its next stage. */
  const passwordSignIn = async (
    request: FastifyRequest,
    reply: FastifyReply,
    how: {
      kind: "staff" | "citizen";
      identifier: "username" | "phone";
      home: string;
      Page: typeof StaffLoginPage | typeof CitizenLoginPage;
    },
  ) => {
    const form = readForm(request);
    const next = safeNext(form.text("next"), how.home);
    try {
      const userId = await authenticate(
        ctx,
        how.kind,
        form.text(how.identifier),
        form.text("password"),
        request.ip,
      );
      const stage = await stageAfterPassword(ctx, userId);
      await openSession(ctx, request, reply, userId, stage);
      return reply.redirect(stagePath(stage, next), 303);
    } catch (error) {
      const state = formProblem(error, { [how.identifier]: form.text(how.identifier) });
      return sendPage(
        reply,
        <how.Page csrf={reply.generateCsrf()} next={next} state={state} />,
        (error as UserError).statusCode,
      );
    }
  };
  app.get("/admin/login", async (request, reply) => {
    const next = safeNext(String((request.query as { next?: string }).next ?? ""), "/admin");
    return sendPage(reply, <StaffLoginPage csrf={reply.generateCsrf()} next={next} state={{ values: {} }} />);
  });
  app.post("/admin/login", { config: LOGIN_LIMIT }, (request, reply) =>
    passwordSignIn(request, reply, {
      kind: "staff",
      identifier: "username",
      home: "/admin",
      Page: StaffLoginPage,
    }),
  );
  app.post("/admin/logout", async (request, reply) => {
    await signOut(request, reply);
    return reply.redirect("/admin/login", 303);
  });

  /* ---------------------------------------------------------- citizens */
  app.get("/account/register", async (_request, reply) =>
    sendPage(reply, <RegisterPage csrf={reply.generateCsrf()} state={{ values: {} }} />),
  );
  app.post("/account/register", { config: LOGIN_LIMIT }, async (request, reply) => {
    const form = readForm(request);
    const values = {
      phone: form.text("phone"),
      displayName: form.text("displayName"),
      agreed: form.text("agreed"),
    };
    try {
      const userId = await registerCitizen(ctx, {
        phone: values.phone,
        displayName: values.displayName,
        password: form.text("password"),
        passwordConfirm: form.text("passwordConfirm"),
        agreed: values.agreed === "1",
      });
      const actor = { id: userId, name: values.displayName.trim() };
      await grantSignupConsents(ctx.db, actor, request.ip);
      await audit(ctx, actor, "citizen.registered", `user:${userId}`, { ip: request.ip });
      await signIn(request, reply, userId);
      return reply.redirect("/account", 303);
    } catch (error) {
      return sendPage(
        reply,
        <RegisterPage csrf={reply.generateCsrf()} state={formProblem(error, values)} />,
        400,
      );
    }
  });
  app.get("/account/login", async (request, reply) => {
    const next = safeNext(String((request.query as { next?: string }).next ?? ""), "/account");
    return sendPage(
      reply,
      <CitizenLoginPage
        csrf={reply.generateCsrf()}
        next={next}
        state={{ values: {} }}
        oidcName={ctx.config.oidc?.displayName}
      />,
    );
  });
  app.post("/account/login", { config: LOGIN_LIMIT }, (request, reply) =>
    passwordSignIn(request, reply, {
      kind: "citizen",
      identifier: "phone",
      home: "/account",
      Page: CitizenLoginPage,
    }),
  );
  app.post("/account/logout", async (request, reply) => {
    await signOut(request, reply);
    return reply.redirect("/", 303);
  });
  app.get("/account", async (request, reply) => {
    if (!request.actor) throw new RedirectToLogin("/account");
    const user = await findUser(ctx, request.actor.id);
    if (!user) throw new NotFoundError();
    if (user.kind === "staff") return reply.redirect("/admin", 303);
    return sendPage(
      reply,
      <AccountPage
        csrf={reply.generateCsrf()}
        user={user}
        requests={await requestsOfCitizen(ctx, user.id)}
      />,
    );
  });

  /* ---------------------------------------------------------- user administration */
  /**
   * 三员分立: the system administrator creates and disables accounts, the security administrator
   * grants roles; site administrators create accounts and grant content roles in their sites.
   */
  const requireUserAdmin = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    const scope = scopeFor(frame.actor, "site.grant");
    if (
      !can(frame.actor, "platform.manage") &&
      !can(frame.actor, "security.manage") &&
      !scope.all &&
      scope.siteIds.length === 0
    )
      throw new ForbiddenError("只有系统管理员、安全管理员和站点管理员可以管理用户");
    return frame;
  };
  const mayCreateAccounts = (actor: Actor) => {
    const scope = scopeFor(actor, "site.grant");
    return can(actor, "platform.manage") || scope.all || scope.siteIds.length > 0;
  };
  const requireAccountCreator = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = requireUserAdmin(request, reply);
    if (!mayCreateAccounts(frame.actor)) throw new ForbiddenError("账号由系统管理员或站点管理员创建");
    return frame;
  };
  const requirePlatformAdmin = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    if (!can(frame.actor, "platform.manage")) throw new ForbiddenError("只有系统管理员可以停用或启用账号");
    return frame;
  };
  const departments = async () => (await listDepartments(ctx)).map((d) => ({ id: d.id, name: d.name }));
  const sitesWithColumns = async (actor: Actor) =>
    Promise.all(
      (await listSites(ctx))
        .filter((s) => can(actor, "security.manage") || can(actor, "site.grant", { siteId: s.id }))
        .map(async (s) => ({
          id: s.id,
          name: s.name,
          columns: (await columnsOf(ctx, s.id)).map((c) => ({ id: c.id, name: c.name })),
        })),
    );

  app.get("/admin/users", async (request, reply) => {
    const frame = requireUserAdmin(request, reply);
    return sendPage(
      reply,
      <UsersPage frame={frame} users={await listStaff(ctx)} mayCreate={mayCreateAccounts(frame.actor)} />,
    );
  });
  app.get("/admin/users/new", async (request, reply) => {
    const frame = requireAccountCreator(request, reply);
    return sendPage(
      reply,
      <NewUserPage frame={frame} state={{ values: {} }} departments={await departments()} />,
    );
  });
  app.post("/admin/users/new", async (request, reply) => {
    const frame = requireAccountCreator(request, reply);
    const form = readForm(request);
    const values = {
      username: form.text("username"),
      displayName: form.text("displayName"),
      departmentId: form.text("departmentId"),
    };
    try {
      const id = await createStaff(ctx, {
        username: values.username,
        displayName: values.displayName,
        password: form.text("password"),
        departmentId: form.int("departmentId"),
      });
      await audit(ctx, frame.actor, "user.created", `user:${id} ${values.username}`, { ip: request.ip });
      return reply.redirect(`/admin/users/${id}?msg=created`, 303);
    } catch (error) {
      return sendPage(
        reply,
        <NewUserPage frame={frame} state={formProblem(error, values)} departments={await departments()} />,
        400,
      );
    }
  });

  const showUser = async (request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) => {
    const frame = requireUserAdmin(request, reply);
    const id = Number((request.params as { id: string }).id);
    const user = Number.isInteger(id) ? await findUser(ctx, id) : undefined;
    if (user?.kind !== "staff") throw new NotFoundError("用户不存在");
    return sendPage(
      reply,
      <UserPage
        frame={frame}
        user={{ ...user, locked_until: (await lockoutOf(ctx, user)).locked_until }}
        grants={(await grantsOf(ctx, id)).map((g) => ({
          ...g,
          mayRevoke: mayGrant(frame.actor, g.role, g.site_id),
        }))}
        sites={await sitesWithColumns(frame.actor)}
        platform={can(frame.actor, "platform.manage")}
        security={can(frame.actor, "security.manage")}
        state={state}
      />,
      status,
    );
  };
  app.get("/admin/users/:id", (request, reply) => showUser(request, reply, { values: {} }));
  app.post("/admin/users/:id/grants", async (request, reply) => {
    const frame = requireUserAdmin(request, reply);
    const id = Number((request.params as { id: string }).id);
    const form = readForm(request);
    const scope = form.text("scope");
    const values = { role: form.text("role"), scope, reviewLevel: form.text("reviewLevel") };
    try {
      const m = /^(?:all|site:(\d+)|column:(\d+):(\d+))$/.exec(scope);
      if (!m) throw new UserError("提交的内容有误", 400, { scope: "请选择授权范围" });
      const siteId = m[1] ?? m[2];
      await grantRole(
        ctx,
        frame.actor,
        id,
        {
          role: values.role,
          siteId: siteId ? Number(siteId) : null,
          columnId: m[3] ? Number(m[3]) : null,
          reviewLevel: form.int("reviewLevel"),
        },
        request.ip,
      );
      return reply.redirect(`/admin/users/${id}?msg=updated`, 303);
    } catch (error) {
      return showUser(request, reply, formProblem(error, values), 400);
    }
  });
  app.post("/admin/users/:id/grants/:grantId/delete", async (request, reply) => {
    const frame = requireUserAdmin(request, reply);
    const { id, grantId } = request.params as { id: string; grantId: string };
    await revokeGrant(ctx, frame.actor, Number(id), Number(grantId), request.ip);
    return reply.redirect(`/admin/users/${Number(id)}?msg=deleted`, 303);
  });
  app.post("/admin/users/:id/status", async (request, reply) => {
    const frame = requirePlatformAdmin(request, reply);
    const id = Number((request.params as { id: string }).id);
    if (id === frame.actor.id) throw new UserError("不能停用自己的账号");
    const status = readForm(request).text("status") === "disabled" ? "disabled" : "active";
    await setUserStatus(ctx, id, status);
    await audit(ctx, frame.actor, "user.status", `user:${id}`, { ip: request.ip, status });
    return reply.redirect(`/admin/users/${id}?msg=updated`, 303);
  });
}

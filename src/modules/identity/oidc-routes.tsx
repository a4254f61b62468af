import type { FastifyInstance, FastifyReply } from "fastify";
import type { AppContext } from "../../core/context.ts";
import { UserError } from "../../core/errors.ts";
import { RedirectToLogin } from "../../core/http/admin.ts";
import { sendPage } from "../../core/http/forms.ts";
import { finishOidc, OIDC_COOKIE, startOidc } from "./oidc.ts";
import { LeaveForProviderPage, OidcFailedPage } from "./privacy-views.tsx";
import { openSession, safeNext } from "./session-cookie.ts";

const OIDC_LIMIT = { rateLimit: { max: 10, timeWindow: "1 minute" } };
const COOKIE_PATH = "/account/oidc";

/**
 * 统一身份认证 over HTTP: a plain link starts sign-in, a form on 我的个人信息 starts linking, and
 * the provider sends the browser back to the callback. Nothing needs JavaScript.
 */
export async function registerOidcRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const begin = async (reply: FastifyReply, linkTo: number | null, next: string) => {
    const { token, url } = await startOidc(ctx, linkTo, next);
    reply.setCookie(OIDC_COOKIE, token, {
      path: COOKIE_PATH,
      httpOnly: true,
      // Lax: the cookie must come back on the provider's top-level redirect to the callback
      sameSite: "lax",
      secure: ctx.config.publicUrl.startsWith("https://"),
      maxAge: 600,
    });
    return url;
  };
  const failed = (reply: FastifyReply, error: unknown) => {
    if (!(error instanceof UserError)) throw error;
    return sendPage(reply, <OidcFailedPage message={error.message} />, error.statusCode);
  };

  app.get("/account/oidc/login", { config: OIDC_LIMIT }, async (request, reply) => {
    const next = safeNext(String((request.query as { next?: string }).next ?? ""), "/account");
    try {
      return reply.redirect(await begin(reply, null, next), 303);
    } catch (error) {
      return failed(reply, error);
    }
  });

  app.post("/account/oidc/link", { config: OIDC_LIMIT }, async (request, reply) => {
    if (request.actor?.kind !== "citizen") throw new RedirectToLogin("/account/privacy");
    try {
      const url = await begin(reply, request.actor.id, "/account/privacy");
      // the site's forms may only lead to this site (CSP form-action), so the user follows a link
      return sendPage(reply, <LeaveForProviderPage name={ctx.config.oidc?.displayName ?? ""} url={url} />);
    } catch (error) {
      return failed(reply, error);
    }
  });

  app.get("/account/oidc/callback", { config: OIDC_LIMIT }, async (request, reply) => {
    const query = request.url.includes("?") ? request.url.slice(request.url.indexOf("?") + 1) : "";
    const token = request.cookies[OIDC_COOKIE] ?? "";
    reply.clearCookie(OIDC_COOKIE, { path: COOKIE_PATH });
    try {
      const signedIn = request.actor?.kind === "citizen" ? request.actor.id : null;
      const outcome = await finishOidc(ctx, token, query, signedIn, request.ip);
      if (outcome.result === "linked" && signedIn === outcome.userId)
        return reply.redirect("/account/privacy?msg=linked", 303);
      await openSession(ctx, request, reply, outcome.userId);
      return reply.redirect(outcome.next, 303);
    } catch (error) {
      return failed(reply, error);
    }
  });
}

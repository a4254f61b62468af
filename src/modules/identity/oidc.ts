import { createHash, randomBytes } from "node:crypto";
import { sql } from "kysely";
import * as client from "openid-client";
import { audit } from "../../core/audit.ts";
import { isLoopbackUrl, type OidcSettings } from "../../core/config.ts";
import { grantSignupConsents } from "../../core/consent.ts";
import type { AppContext } from "../../core/context.ts";
import { maskPhone } from "../../core/crypto.ts";
import { UserError } from "../../core/errors.ts";
import { hashPassword, randomPassword } from "./passwords.ts";
import { isLocked, lockedError, lockoutOf } from "./security.ts";

/**
 * 统一身份认证: citizens sign in through the province's or the nation's identity provider over
 * OpenID Connect (authorization code flow with PKCE, state and nonce). openid-client checks the
 * ID token's signature against the provider's published keys, its issuer, audience, expiry and
 * nonce; this module decides what a verified identity means here: sign in a linked account, link
 * it to the signed-in citizen, or open an account.
 */
export const OIDC_COOKIE = "zw_oidc";
export const OIDC_CALLBACK = "/account/oidc/callback";
const REQUEST_MINUTES = 10;
const PHONE = /^1[3-9]\d{9}$/;

/** A refusal on the way back from the provider; `reason` goes to the audit log, the message to the user. */
export class OidcFailure extends UserError {
  readonly reason: string;
  constructor(message: string, reason: string) {
    super(message, 400);
    this.reason = reason;
  }
}

const configurations = new Map<string, Promise<client.Configuration>>();

/** The provider's discovered configuration, fetched once per provider and kept while it works. */
function providerConfiguration(settings: OidcSettings): Promise<client.Configuration> {
  const key = `${settings.discoveryUrl}\n${settings.clientId}\n${settings.clientSecret}`;
  let found = configurations.get(key);
  if (!found) {
    found = client.discovery(
      new URL(settings.discoveryUrl),
      settings.clientId,
      settings.clientSecret,
      undefined,
      {
        timeout: 10,
        // OIDC lets a client skip the signature of an ID token fetched over TLS; the platform
        // checks it anyway, against the provider's JWKS, and keeps plain http to a test provider
        execute: [
          client.enableNonRepudiationChecks,
          ...(isLoopbackUrl(settings.discoveryUrl) ? [client.allowInsecureRequests] : []),
        ],
      },
    );
    // a provider that was down is asked again next time
    found.catch(() => configurations.delete(key));
    configurations.set(key, found);
  }
  return found;
}

function settingsOf(ctx: AppContext): OidcSettings {
  if (!ctx.config.oidc) throw new OidcFailure("本平台未启用统一身份认证登录", "not_configured");
  return ctx.config.oidc;
}

function requestId(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/**
 * Starts an authorization request: returns the provider's URL to send the browser to and the
 * token for the cookie that binds the request to this browser. `linkTo` is the signed-in citizen
 * asking to link; without it the return signs in.
 */
export async function startOidc(
  ctx: AppContext,
  linkTo: number | null,
  next: string,
): Promise<{ token: string; url: string }> {
  const settings = settingsOf(ctx);
  let configuration: client.Configuration;
  try {
    configuration = await providerConfiguration(settings);
  } catch {
    throw new OidcFailure(`暂时无法连接${settings.displayName}，请稍后再试或使用其他方式登录`, "discovery");
  }
  const token = randomBytes(32).toString("base64url");
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  await ctx.db
    .insertInto("oidc_requests")
    .values({
      id: requestId(token),
      state,
      nonce,
      code_verifier: verifier,
      user_id: linkTo,
      next,
      expires_at: sql<Date>`now() + make_interval(mins => ${REQUEST_MINUTES})`,
    })
    .execute();
  await ctx.db.deleteFrom("oidc_requests").where("expires_at", "<", sql<Date>`now()`).execute();
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: `${ctx.config.publicUrl}${OIDC_CALLBACK}`,
    scope: "openid profile phone",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  return { token, url: url.href };
}

export interface OidcOutcome {
  userId: number;
  /** signed_in: a linked account; linked: now linked to the signed-in citizen; created: a new account. */
  result: "signed_in" | "linked" | "created";
  next: string;
}

/** Chinese mainland mobile number from the phone_number claim (+86 138 1234 5678 and the like). */
function mobileFrom(claim: unknown): string | null {
  if (typeof claim !== "string") return null;
  const digits = claim.replace(/[\s()-]/g, "").replace(/^(\+?86)(?=1\d{10}$)/, "");
  return PHONE.test(digits) ? digits : null;
}

/**
 * Completes the flow at the callback: consumes the browser's pending request (single use),
 * exchanges the code and verifies the ID token, then signs in, links or creates. `signedIn` is
 * the citizen whose session the browser carries, if any. Every outcome is audited.
 */
export async function finishOidc(
  ctx: AppContext,
  cookieToken: string,
  callbackQuery: string,
  signedIn: number | null,
  ip = "",
): Promise<OidcOutcome> {
  const settings = settingsOf(ctx);
  const fail = async (reason: string, message: string, detail: Record<string, string> = {}) => {
    await audit(ctx, null, "auth.oidc_failed", settings.displayName, {
      result: "failure",
      ip,
      reason,
      ...detail,
    });
    return new OidcFailure(message, reason);
  };
  const pending = cookieToken
    ? await ctx.db
        .deleteFrom("oidc_requests")
        .where("id", "=", requestId(cookieToken))
        .returningAll()
        .executeTakeFirst()
    : undefined;
  if (!pending || pending.expires_at < new Date())
    throw await fail("no_request", "登录请求已过期或不是从本浏览器发起的，请重新登录");
  const params = new URLSearchParams(callbackQuery);
  if (params.get("state") !== pending.state)
    throw await fail("state_mismatch", "登录请求校验失败，请重新登录");
  if (params.has("error"))
    throw await fail(
      "provider_error",
      params.get("error") === "access_denied"
        ? `您在${settings.displayName}取消了授权`
        : `${settings.displayName}未能完成认证，请稍后再试`,
      { error: (params.get("error") ?? "").slice(0, 60) },
    );

  let claims: client.IDToken;
  try {
    const configuration = await providerConfiguration(settings);
    const tokens = await client.authorizationCodeGrant(
      configuration,
      new URL(`${ctx.config.publicUrl}${OIDC_CALLBACK}?${params}`),
      {
        pkceCodeVerifier: pending.code_verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      },
    );
    const found = tokens.claims();
    if (!found) throw new Error("no ID token");
    claims = found;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw await fail("token_rejected", `${settings.displayName}返回的身份凭证未通过校验，请重新登录`, {
      error: typeof code === "string" ? code : (error as Error).name,
    });
  }

  const issuer = claims.iss;
  const subject = claims.sub;
  const target = `${settings.displayName} ${subject.slice(0, 8)}…`;
  const link = await ctx.db
    .selectFrom("identity_links")
    .innerJoin("users", "users.id", "identity_links.user_id")
    .select(["identity_links.id", "users.id as user_id", "users.display_name", "users.status"])
    .where("identity_links.issuer", "=", issuer)
    .where("identity_links.subject", "=", subject)
    .executeTakeFirst();

  if (pending.user_id !== null) {
    // linking: the browser must still be signed in as the citizen who asked
    if (signedIn !== pending.user_id) throw await fail("session_changed", "登录状态已变化，请登录后重新绑定");
    if (link && link.user_id !== pending.user_id)
      throw await fail("linked_elsewhere", `该${settings.displayName}账号已绑定本平台的其他账号`);
    const user = await citizen(ctx, pending.user_id);
    if (!link) await insertLink(ctx, user.id, issuer, subject, settings.displayName);
    await audit(ctx, { id: user.id, name: user.display_name }, "oidc.linked", target, { ip });
    return { userId: user.id, result: "linked", next: pending.next };
  }

  if (link) {
    await signInLinked(
      ctx,
      { id: link.user_id, display_name: link.display_name, status: link.status },
      ip,
      target,
    );
    await ctx.db
      .updateTable("identity_links")
      .set({ last_used_at: new Date() })
      .where("id", "=", link.id)
      .execute();
    return { userId: link.user_id, result: "signed_in", next: pending.next };
  }

  // not linked yet: a provider-verified phone is the same proof an SMS code gives, so an account
  // with that number is the citizen's own; otherwise a new account opens
  const phone = claims.phone_number_verified === true ? mobileFrom(claims.phone_number) : null;
  const byPhone = phone
    ? await ctx.db
        .selectFrom("users")
        .select(["id", "display_name", "status"])
        .where("kind", "=", "citizen")
        .where("phone_index", "in", ctx.cipher.blindIndexes(phone))
        .executeTakeFirst()
    : undefined;
  if (byPhone) {
    await signInLinked(ctx, byPhone, ip, target);
    await insertLink(ctx, byPhone.id, issuer, subject, settings.displayName, true);
    await audit(ctx, { id: byPhone.id, name: byPhone.display_name }, "oidc.linked", target, {
      ip,
      via: "verified_phone",
    });
    return { userId: byPhone.id, result: "linked", next: pending.next };
  }
  const name = displayNameFrom(claims, phone);
  const created = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("users")
      .values({
        kind: "citizen",
        display_name: name,
        phone_enc: phone ? ctx.cipher.encrypt(phone) : null,
        phone_index: phone ? ctx.cipher.blindIndex(phone) : null,
        phone_masked: phone ? maskPhone(phone) : null,
        // signs in through the provider; a password is known to nobody until one is set
        password_hash: await hashPassword(randomPassword()),
        last_login_at: new Date(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("identity_links")
      .values({
        user_id: row.id,
        issuer,
        subject,
        provider_name: settings.displayName,
        last_used_at: new Date(),
      })
      .execute();
    await grantSignupConsents(trx, { id: row.id, name }, ip);
    return row.id;
  });
  await audit(ctx, { id: created, name }, "citizen.registered", `user:${created}`, { ip, method: "oidc" });
  await audit(ctx, { id: created, name }, "auth.login", target, { ip, kind: "citizen", method: "oidc" });
  return { userId: created, result: "created", next: pending.next };
}

function displayNameFrom(claims: client.IDToken, phone: string | null): string {
  const name = [claims.name, claims.nickname, claims.preferred_username].find(
    (v): v is string => typeof v === "string" && v.trim().length > 0,
  );
  if (name) return name.trim().slice(0, 40);
  return phone ? `用户${phone.slice(-4)}` : "统一身份认证用户";
}

async function citizen(ctx: AppContext, userId: number) {
  const user = await ctx.db
    .selectFrom("users")
    .select(["id", "display_name", "status"])
    .where("id", "=", userId)
    .where("kind", "=", "citizen")
    .executeTakeFirst();
  if (user?.status !== "active") throw new OidcFailure("该账号不能绑定统一身份认证", "not_citizen");
  return user;
}

async function signInLinked(
  ctx: AppContext,
  user: { id: number; display_name: string; status: string },
  ip: string,
  target: string,
): Promise<void> {
  const actor = { id: user.id, name: user.display_name };
  if (user.status !== "active") {
    await audit(ctx, actor, "auth.login_failed", target, {
      result: "denied",
      ip,
      method: "oidc",
      reason: "disabled",
    });
    throw new OidcFailure("该账号已停用或已注销", "disabled");
  }
  const lock = await lockoutOf(ctx, user);
  if (isLocked(lock)) {
    await audit(ctx, actor, "auth.login_failed", target, {
      result: "denied",
      ip,
      method: "oidc",
      reason: "locked",
    });
    throw lockedError(lock);
  }
  await ctx.db.updateTable("users").set({ last_login_at: new Date() }).where("id", "=", user.id).execute();
  await audit(ctx, actor, "auth.login", target, { ip, kind: "citizen", method: "oidc" });
}

async function insertLink(
  ctx: AppContext,
  userId: number,
  issuer: string,
  subject: string,
  providerName: string,
  used = false,
): Promise<void> {
  await ctx.db
    .insertInto("identity_links")
    .values({
      user_id: userId,
      issuer,
      subject,
      provider_name: providerName,
      last_used_at: used ? new Date() : null,
    })
    .execute();
}

/** The identities linked to a citizen's account, for their privacy page. */
export function linksOf(ctx: AppContext, userId: number) {
  return ctx.db
    .selectFrom("identity_links")
    .select(["id", "provider_name", "linked_at", "last_used_at"])
    .where("user_id", "=", userId)
    .orderBy("id")
    .execute();
}

/**
 * Removes a link. An account that has neither a phone nor another link could not sign in again,
 * so it keeps its last link until a phone is added.
 */
export async function unlinkIdentity(
  ctx: AppContext,
  actor: { id: number; name: string },
  linkId: number,
  ip = "",
): Promise<void> {
  const link = await ctx.db
    .selectFrom("identity_links")
    .select(["id", "provider_name", "subject"])
    .where("id", "=", linkId)
    .where("user_id", "=", actor.id)
    .executeTakeFirst();
  if (!link) throw new UserError("该绑定不存在或已解除", 404);
  const user = await ctx.db
    .selectFrom("users")
    .select("phone_enc")
    .where("id", "=", actor.id)
    .executeTakeFirstOrThrow();
  const others = await ctx.db
    .selectFrom("identity_links")
    .select("id")
    .where("user_id", "=", actor.id)
    .where("id", "<>", linkId)
    .execute();
  if (!user.phone_enc && others.length === 0)
    throw new UserError("提交的内容有误", 400, {
      unlink: "您的账号还没有手机号码，解除后将无法登录。请先在上方绑定手机号码。",
    });
  await ctx.db.deleteFrom("identity_links").where("id", "=", linkId).execute();
  await audit(ctx, actor, "oidc.unlinked", `${link.provider_name} ${link.subject.slice(0, 8)}…`, { ip });
}

import { createHash } from "node:crypto";
import { sql } from "kysely";
import { audit } from "../../core/audit.ts";
import { type Actor, can } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, Problems, UserError } from "../../core/errors.ts";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.ts";
import type { Role } from "./schema.ts";

/**
 * 身份鉴别 for 等保三级: lockout after repeated failures, password history and expiry, sessions
 * that stay half-open until the second factor (or a forced enrolment or password change) is done.
 */

/** What a session may do: only "full" sessions carry an actor; the others open one page each. */
export type SessionStage = "full" | "mfa" | "enrol" | "password";

/** Roles for which TOTP is mandatory (after the grace period): administrators and reviewers. */
const MFA_ROLES: readonly Role[] = ["sysadmin", "security_admin", "auditor", "site_admin", "reviewer"];

/** A half-open session must be completed within this many minutes. */
const PENDING_MINUTES = 10;

export function sessionId(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

export interface AccountForLockout {
  id: number;
  display_name: string;
  locked_until: Date | null;
}

/** The account with its lock, if any. */
export async function lockoutOf(
  ctx: AppContext,
  user: { id: number; display_name: string },
): Promise<AccountForLockout> {
  const row = await ctx.db
    .selectFrom("login_failures")
    .select("locked_until")
    .where("user_id", "=", user.id)
    .executeTakeFirst();
  return { id: user.id, display_name: user.display_name, locked_until: row?.locked_until ?? null };
}

export function isLocked(user: AccountForLockout): boolean {
  return user.locked_until !== null && user.locked_until.getTime() > Date.now();
}

export function lockedError(user: AccountForLockout): UserError {
  const minutes = Math.max(1, Math.ceil(((user.locked_until?.getTime() ?? 0) - Date.now()) / 60_000));
  return new UserError(`该账号因连续登录失败已被锁定，请 ${minutes} 分钟后再试，或联系安全管理员解锁`, 423);
}

/** Counts a failed password or code; the failure that reaches the limit locks the account. */
export async function recordFailure(
  ctx: AppContext,
  user: { id: number; display_name: string },
  action: string,
  target: string,
  detail: Record<string, string>,
): Promise<void> {
  const row = await ctx.db
    .insertInto("login_failures")
    .values({ user_id: user.id, failures: 1 })
    .onConflict((oc) =>
      oc.column("user_id").doUpdateSet((eb) => ({ failures: eb("login_failures.failures", "+", 1) })),
    )
    .returning("failures")
    .executeTakeFirstOrThrow();
  const actor = { id: user.id, name: user.display_name };
  await audit(ctx, actor, action, target, { result: "failure", ...detail, failures: row.failures });
  if (row.failures >= ctx.config.lockoutAttempts) {
    await ctx.db
      .updateTable("login_failures")
      .set({
        failures: 0,
        locked_until: sql<Date>`now() + make_interval(mins => ${ctx.config.lockoutMinutes})`,
      })
      .where("user_id", "=", user.id)
      .execute();
    await audit(ctx, actor, "auth.locked", target, {
      result: "denied",
      ip: detail.ip ?? "",
      minutes: ctx.config.lockoutMinutes,
    });
  }
}

export async function clearFailures(ctx: AppContext, userId: number): Promise<void> {
  await ctx.db.deleteFrom("login_failures").where("user_id", "=", userId).execute();
}

/** Where a sign-in goes after the password was right. */
export async function stageAfterPassword(ctx: AppContext, userId: number): Promise<SessionStage> {
  const user = await ctx.db
    .selectFrom("users")
    .select(["kind", "totp_enabled_at", "created_at"])
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  if (user.kind !== "staff") return "full";
  if (user.totp_enabled_at) return "mfa";
  if (await mfaOverdue(ctx, userId, user.created_at)) return "enrol";
  return (await passwordExpired(ctx, userId)) ? "password" : "full";
}

export async function stageAfterSecondFactor(ctx: AppContext, userId: number): Promise<SessionStage> {
  return (await passwordExpired(ctx, userId)) ? "password" : "full";
}

export async function mfaRequired(ctx: AppContext, userId: number): Promise<boolean> {
  const grants = await ctx.db.selectFrom("grants").select("role").where("user_id", "=", userId).execute();
  return grants.some((g) => MFA_ROLES.includes(g.role));
}

/** The day by which a staff member who must use TOTP has to enrol, or null when not required. */
export async function mfaDeadline(ctx: AppContext, userId: number, createdAt: Date): Promise<Date | null> {
  if (!(await mfaRequired(ctx, userId))) return null;
  return new Date(createdAt.getTime() + ctx.config.mfaGraceDays * 86_400_000);
}

async function mfaOverdue(ctx: AppContext, userId: number, createdAt: Date): Promise<boolean> {
  const deadline = await mfaDeadline(ctx, userId, createdAt);
  return deadline !== null && deadline.getTime() <= Date.now();
}

export async function passwordExpired(ctx: AppContext, userId: number): Promise<boolean> {
  if (ctx.config.passwordMaxAgeDays === 0) return false;
  const user = await ctx.db
    .selectFrom("users")
    .select(["kind", "password_changed_at"])
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  return (
    user.kind === "staff" &&
    user.password_changed_at.getTime() + ctx.config.passwordMaxAgeDays * 86_400_000 <= Date.now()
  );
}

/** The user behind a half-open session and what it still needs, or null. */
export async function pendingSession(
  ctx: AppContext,
  token: string,
): Promise<{ userId: number; stage: Exclude<SessionStage, "full"> } | null> {
  const row = await ctx.db
    .selectFrom("sessions")
    .select(["user_id", "stage"])
    .where("id", "=", sessionId(token))
    .where("stage", "<>", "full")
    .where("created_at", ">", sql<Date>`now() - make_interval(mins => ${PENDING_MINUTES})`)
    .executeTakeFirst();
  if (!row || row.stage === "full") return null;
  return { userId: row.user_id, stage: row.stage };
}

export interface PasswordChange {
  current: string;
  next: string;
  confirm: string;
}

/** Replaces a password after checking the current one, the policy and the recent history. */
export async function changePassword(
  ctx: AppContext,
  userId: number,
  change: PasswordChange,
  ip = "",
): Promise<void> {
  const user = await ctx.db
    .selectFrom("users")
    .select(["id", "username", "display_name", "password_hash"])
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  const lock = await lockoutOf(ctx, user);
  if (isLocked(lock)) throw lockedError(lock);
  const problems = new Problems();
  if (!(await verifyPassword(user.password_hash, change.current))) {
    await recordFailure(ctx, lock, "auth.login_failed", user.username ?? `user:${user.id}`, {
      ip,
      reason: "wrong_current_password",
    });
    problems.add("current", "当前密码不正确");
    problems.throwIfAny();
  }
  const weak = passwordProblem(change.next, 8, user.username ?? "");
  if (weak) problems.add("next", weak);
  else if (change.next !== change.confirm) problems.add("confirm", "两次输入的新密码不一致");
  problems.throwIfAny();
  const recent = await ctx.db
    .selectFrom("password_history")
    .select("password_hash")
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(Math.max(0, ctx.config.passwordHistory - 1))
    .execute();
  for (const old of [user.password_hash, ...recent.map((r) => r.password_hash)]) {
    if (await verifyPassword(old, change.next)) {
      throw new UserError("提交的内容有误", 400, {
        next: `新密码不能与最近 ${ctx.config.passwordHistory} 次使用过的密码相同`,
      });
    }
  }
  await ctx.db
    .insertInto("password_history")
    .values({ user_id: userId, password_hash: user.password_hash })
    .execute();
  await ctx.db
    .updateTable("users")
    .set({
      password_hash: await hashPassword(change.next),
      password_changed_at: new Date(),
    })
    .where("id", "=", userId)
    .execute();
  await audit(ctx, { id: user.id, name: user.display_name }, "password.changed", `user:${userId}`, { ip });
}

/* ---------------------------------------------------------- sessions a user can see and end */

export async function sessionsOf(ctx: AppContext, userId: number, currentToken: string | null) {
  const current = currentToken ? sessionId(currentToken) : null;
  const rows = await ctx.db
    .selectFrom("sessions")
    .select(["id", "created_at", "last_seen_at", "ip", "user_agent"])
    .where("user_id", "=", userId)
    .where("stage", "=", "full")
    .where("last_seen_at", ">", sql<Date>`now() - make_interval(mins => ${ctx.config.sessionIdleMinutes})`)
    .where("created_at", ">", sql<Date>`now() - make_interval(hours => ${ctx.config.sessionMaxHours})`)
    .orderBy("last_seen_at", "desc")
    .execute();
  return rows.map((r) => ({
    key: r.id.toString("hex").slice(0, 32),
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    ip: r.ip,
    userAgent: r.user_agent,
    current: current?.equals(r.id) ?? false,
  }));
}

/** Ends one of the user's own sessions, named by the key `sessionsOf` shows. */
export async function revokeSession(ctx: AppContext, actor: Actor, key: string, ip = ""): Promise<void> {
  if (!/^[0-9a-f]{32}$/.test(key)) throw new NotFoundError("该会话不存在或已结束");
  const removed = await ctx.db
    .deleteFrom("sessions")
    .where("user_id", "=", actor.id)
    .where(sql<string>`substr(encode(id, 'hex'), 1, 32)`, "=", key)
    .executeTakeFirst();
  if (Number(removed.numDeletedRows) === 0) throw new NotFoundError("该会话不存在或已结束");
  await audit(ctx, actor, "session.revoked", `user:${actor.id}`, { ip, session: key.slice(0, 8) });
}

/* ---------------------------------------------------------- the security administrator's levers */

export async function unlockAccount(ctx: AppContext, actor: Actor, userId: number, ip = ""): Promise<void> {
  if (!can(actor, "security.manage")) throw new ForbiddenError("只有安全管理员可以解除锁定");
  await clearFailures(ctx, userId);
  await audit(ctx, actor, "user.unlocked", `user:${userId}`, { ip });
}

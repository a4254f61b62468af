import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { audit } from "../../core/audit.ts";
import {
  type Actor,
  ADMIN_ROLES,
  adminRoleConflict,
  can,
  type GrantScope,
} from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { maskPhone } from "../../core/crypto.ts";
import { ForbiddenError, NotFoundError, Problems, UserError } from "../../core/errors.ts";
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from "./passwords.ts";
import { ROLE_LABELS, ROLES, type Role } from "./schema.ts";
import {
  clearFailures,
  isLocked,
  lockedError,
  lockoutOf,
  recordFailure,
  type SessionStage,
  sessionId,
} from "./security.ts";

const PHONE = /^1[3-9]\d{9}$/;
const USERNAME = /^[A-Za-z0-9_.-]{3,40}$/;

export interface NewStaff {
  username: string;
  displayName: string;
  password: string;
  departmentId?: number | null;
}

export async function createStaff(ctx: AppContext, input: NewStaff): Promise<number> {
  const problems = new Problems();
  const username = input.username.trim();
  const displayName = input.displayName.trim();
  if (!USERNAME.test(username)) problems.add("username", "用户名为 3—40 位字母、数字、下划线、点或连字符");
  if (!displayName || displayName.length > 40) problems.add("displayName", "请填写姓名（不超过 40 字）");
  const weak = passwordProblem(input.password, 8, username);
  if (weak) problems.add("password", weak);
  problems.throwIfAny();
  const taken = await ctx.db
    .selectFrom("users")
    .select("id")
    .where("username", "=", username)
    .executeTakeFirst();
  if (taken) throw new UserError("提交的内容有误", 400, { username: "该用户名已被使用" });
  const row = await ctx.db
    .insertInto("users")
    .values({
      kind: "staff",
      username,
      display_name: displayName,
      department_id: input.departmentId ?? null,
      password_hash: await hashPassword(input.password),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface NewCitizen {
  phone: string;
  displayName: string;
  password: string;
  passwordConfirm: string;
  agreed: boolean;
}

export async function registerCitizen(ctx: AppContext, input: NewCitizen): Promise<number> {
  const problems = new Problems();
  const phone = input.phone.replace(/[\s-]/g, "");
  const displayName = input.displayName.trim();
  if (!PHONE.test(phone)) problems.add("phone", "请填写 11 位手机号码");
  if (!displayName || displayName.length > 40) problems.add("displayName", "请填写称呼（不超过 40 字）");
  const weak = passwordProblem(input.password);
  if (weak) problems.add("password", weak);
  else if (input.password !== input.passwordConfirm) problems.add("passwordConfirm", "两次输入的密码不一致");
  if (!input.agreed) problems.add("agreed", "请阅读并同意《个人信息保护说明》");
  problems.throwIfAny();
  const index = ctx.cipher.blindIndex(phone);
  const taken = await ctx.db
    .selectFrom("users")
    .select("id")
    .where("phone_index", "in", ctx.cipher.blindIndexes(phone))
    .executeTakeFirst();
  if (taken) throw new UserError("提交的内容有误", 400, { phone: "该手机号码已注册，请直接登录" });
  const row = await ctx.db
    .insertInto("users")
    .values({
      kind: "citizen",
      display_name: displayName,
      phone_enc: ctx.cipher.encrypt(phone),
      phone_index: index,
      phone_masked: maskPhone(phone),
      password_hash: await hashPassword(input.password),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Checks a staff username or citizen phone with its password; one vague message on failure. */
export async function authenticate(
  ctx: AppContext,
  kind: "staff" | "citizen",
  login: string,
  password: string,
  ip = "",
): Promise<number> {
  const key = login.trim();
  let query = ctx.db
    .selectFrom("users")
    .select(["id", "password_hash", "status", "display_name"])
    .where("kind", "=", kind);
  query =
    kind === "staff"
      ? query.where("username", "=", key)
      : query.where("phone_index", "in", ctx.cipher.blindIndexes(key.replace(/[\s-]/g, "")));
  const user = await query.executeTakeFirst();
  const shownLogin = kind === "staff" ? key.slice(0, 40) : maskPhone(key);
  const failed = (
    actor: { id: number; display_name: string } | null,
    result: "failure" | "denied",
    reason: string,
  ) =>
    audit(ctx, actor && { id: actor.id, name: actor.display_name }, "auth.login_failed", shownLogin, {
      result,
      ip,
      kind,
      reason,
    });
  const lock = user ? await lockoutOf(ctx, user) : null;
  if (user && lock && isLocked(lock)) {
    await failed(user, "denied", "locked");
    throw lockedError(lock);
  }
  const ok = await verifyPassword(user?.password_hash ?? (await decoyHash()), password);
  const vague = new UserError(kind === "staff" ? "用户名或密码错误" : "手机号码或密码错误", 401);
  if (!user) {
    await failed(null, "failure", "unknown_account");
    throw vague;
  }
  if (!ok) {
    await recordFailure(ctx, user, "auth.login_failed", shownLogin, { ip, kind, reason: "wrong_password" });
    const after = await lockoutOf(ctx, user);
    throw isLocked(after) ? lockedError(after) : vague;
  }
  if (user.status !== "active") {
    await failed(user, "denied", "disabled");
    throw new UserError("该账号已停用，请联系系统管理员", 403);
  }
  await clearFailures(ctx, user.id);
  await ctx.db.updateTable("users").set({ last_login_at: new Date() }).where("id", "=", user.id).execute();
  await audit(ctx, { id: user.id, name: user.display_name }, "auth.login", shownLogin, { ip, kind });
  return user.id;
}

export async function startSession(
  ctx: AppContext,
  userId: number,
  ip: string,
  userAgent: string,
  stage: SessionStage = "full",
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await ctx.db
    .insertInto("sessions")
    .values({ id: sessionId(token), user_id: userId, ip, user_agent: userAgent.slice(0, 300), stage })
    .execute();
  return token;
}

export async function endSession(ctx: AppContext, token: string): Promise<void> {
  await ctx.db.deleteFrom("sessions").where("id", "=", sessionId(token)).execute();
}

/** The actor behind a session cookie, or null when it is unknown, idle too long or too old. */
export async function actorForSession(ctx: AppContext, token: string): Promise<Actor | null> {
  const id = sessionId(token);
  const row = await ctx.db
    .updateTable("sessions")
    .set({ last_seen_at: sql`now()` })
    .where("id", "=", id)
    .where("stage", "=", "full")
    .where("last_seen_at", ">", sql<Date>`now() - make_interval(mins => ${ctx.config.sessionIdleMinutes})`)
    .where("created_at", ">", sql<Date>`now() - make_interval(hours => ${ctx.config.sessionMaxHours})`)
    .returning("user_id")
    .executeTakeFirst();
  if (!row) return null;
  return loadActor(ctx, row.user_id);
}

export async function loadActor(ctx: AppContext, userId: number): Promise<Actor | null> {
  const user = await ctx.db
    .selectFrom("users")
    .select(["id", "kind", "display_name", "status"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (user?.status !== "active") return null;
  const grants = await ctx.db
    .selectFrom("grants")
    .select(["role", "site_id", "column_id", "review_level"])
    .where("user_id", "=", userId)
    .execute();
  return {
    id: user.id,
    kind: user.kind,
    name: user.display_name,
    grants: grants.map(
      (g): GrantScope => ({
        role: g.role,
        siteId: g.site_id,
        columnId: g.column_id,
        reviewLevel: g.review_level,
      }),
    ),
  };
}

export interface NewGrant {
  role: string;
  siteId: number | null;
  columnId: number | null;
  reviewLevel: number | null;
}

export async function addGrant(ctx: AppContext, userId: number, grant: NewGrant): Promise<void> {
  if (!ROLES.includes(grant.role as Role)) throw new UserError("请选择角色");
  const role = grant.role as Role;
  if (ADMIN_ROLES.includes(role) && grant.siteId !== null)
    throw new UserError(`${ROLE_LABELS[role]}的授权范围只能是全部站点`);
  if (role === "reviewer" && !(grant.reviewLevel && grant.reviewLevel >= 1 && grant.reviewLevel <= 3)) {
    throw new UserError("审核人须指定审核级别（第 1—3 级）");
  }
  if (grant.columnId !== null) {
    const column = await ctx.db
      .selectFrom("columns")
      .select("site_id")
      .where("id", "=", grant.columnId)
      .executeTakeFirst();
    if (!column || column.site_id !== grant.siteId) throw new UserError("所选栏目不属于所选站点");
  }
  const held = await ctx.db.selectFrom("grants").select("role").where("user_id", "=", userId).execute();
  const conflict = adminRoleConflict(
    held.map((g) => g.role),
    role,
  );
  if (conflict) throw new UserError(conflict);
  await ctx.db
    .insertInto("grants")
    .values({
      user_id: userId,
      role,
      site_id: grant.siteId,
      column_id: grant.columnId,
      review_level: role === "reviewer" ? grant.reviewLevel : null,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * Who may hand out a role (三员分立): the security administrator any role anywhere; a site
 * administrator only content roles within the sites they manage. The system administrator creates
 * accounts but grants nothing.
 */
export function mayGrant(actor: Actor, role: string, siteId: number | null): boolean {
  if (can(actor, "security.manage")) return true;
  if (ADMIN_ROLES.includes(role as Role) || siteId === null) return false;
  return can(actor, "site.grant", { siteId });
}

function grantTarget(
  userId: number,
  grant: { role: string; siteId: number | null; columnId: number | null },
) {
  return `user:${userId} ${grant.role}@${grant.siteId === null ? "all" : `site:${grant.siteId}`}${grant.columnId ? `/column:${grant.columnId}` : ""}`;
}

export async function grantRole(
  ctx: AppContext,
  actor: Actor,
  userId: number,
  grant: NewGrant,
  ip = "",
): Promise<void> {
  const target = grantTarget(userId, grant);
  if (!mayGrant(actor, grant.role, grant.siteId) || userId === actor.id) {
    await audit(ctx, actor, "grant.refused", target, { result: "denied", ip });
    throw new ForbiddenError(
      userId === actor.id ? "不能给自己授权" : "您只能在自己管理的站点内授予内容管理角色",
    );
  }
  await addGrant(ctx, userId, grant);
  await audit(ctx, actor, "grant.added", target, { ip, reviewLevel: grant.reviewLevel });
}

export async function revokeGrant(
  ctx: AppContext,
  actor: Actor,
  userId: number,
  grantId: number,
  ip = "",
): Promise<void> {
  const grant = await ctx.db
    .selectFrom("grants")
    .select(["role", "site_id", "column_id"])
    .where("id", "=", grantId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (!grant) throw new NotFoundError("该授权不存在");
  const target = grantTarget(userId, { role: grant.role, siteId: grant.site_id, columnId: grant.column_id });
  if (!mayGrant(actor, grant.role, grant.site_id)) {
    await audit(ctx, actor, "grant.refused", target, { result: "denied", ip, revoke: true });
    throw new ForbiddenError("您只能撤销自己管理的站点内的内容管理授权");
  }
  await ctx.db.deleteFrom("grants").where("id", "=", grantId).execute();
  await audit(ctx, actor, "grant.revoked", target, { ip });
}

export async function setUserStatus(
  ctx: AppContext,
  userId: number,
  status: "active" | "disabled",
): Promise<void> {
  await ctx.db.updateTable("users").set({ status }).where("id", "=", userId).execute();
  if (status === "disabled") await ctx.db.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

export async function listStaff(ctx: AppContext) {
  return ctx.db
    .selectFrom("users")
    .leftJoin("departments", "departments.id", "users.department_id")
    .select([
      "users.id",
      "users.username",
      "users.display_name",
      "users.status",
      "users.last_login_at",
      "departments.name as department_name",
    ])
    .where("users.kind", "=", "staff")
    .orderBy("users.id")
    .execute();
}

export async function grantsOf(ctx: AppContext, userId: number) {
  return ctx.db
    .selectFrom("grants")
    .leftJoin("sites", "sites.id", "grants.site_id")
    .leftJoin("columns", "columns.id", "grants.column_id")
    .select([
      "grants.id",
      "grants.role",
      "grants.site_id",
      "grants.column_id",
      "grants.review_level",
      "sites.name as site_name",
      "columns.name as column_name",
    ])
    .where("grants.user_id", "=", userId)
    .orderBy("grants.id")
    .execute();
}

export async function findUser(ctx: AppContext, userId: number) {
  return ctx.db
    .selectFrom("users")
    .select([
      "id",
      "kind",
      "username",
      "display_name",
      "phone_masked",
      "status",
      "department_id",
      "created_at",
      "totp_enabled_at",
    ])
    .where("id", "=", userId)
    .executeTakeFirst();
}

export async function staffCount(ctx: AppContext): Promise<number> {
  const row = await ctx.db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("kind", "=", "staff")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A citizen's own phone number in clear, to fill forms they are about to submit. */
export async function citizenPhone(ctx: AppContext, userId: number): Promise<string | null> {
  const row = await ctx.db
    .selectFrom("users")
    .select("phone_enc")
    .where("id", "=", userId)
    .where("kind", "=", "citizen")
    .executeTakeFirst();
  return row?.phone_enc ? ctx.cipher.decrypt(row.phone_enc) : null;
}

/** Staff holding `role`-level grants over a site (or over all sites), to notify them. */
export async function staffOfSite(
  ctx: AppContext,
  siteId: number,
  roles: readonly string[],
): Promise<number[]> {
  const rows = await ctx.db
    .selectFrom("grants")
    .innerJoin("users", "users.id", "grants.user_id")
    .select("users.id")
    .distinct()
    .where("users.status", "=", "active")
    .where("grants.role", "in", roles as never[])
    .where((eb) => eb.or([eb("grants.site_id", "=", siteId), eb("grants.site_id", "is", null)]))
    .execute();
  return rows.map((r) => r.id);
}

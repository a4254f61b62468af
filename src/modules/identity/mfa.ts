import { createHash, randomBytes } from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import { renderSVG } from "uqr";
import { audit } from "../../core/audit.ts";
import { type Actor, can } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, UserError } from "../../core/errors.ts";
import { isLocked, lockedError, lockoutOf, recordFailure } from "./security.ts";

/**
 * Staff second factor: TOTP (RFC 6238, any authenticator app) with one-time recovery codes. The
 * secret is encrypted with the field key; a code is accepted once (time steps only move forward).
 */

const ISSUER = "政务网站集约化平台";
const RECOVERY_CODES = 10;
/** A code from the previous or next 30-second step still counts, for clocks a little off. */
const TOLERANCE_SECONDS = 30;

export interface Enrolment {
  secret: string;
  uri: string;
  /** The otpauth URI as an SVG QR code, for the authenticator app to scan. */
  qrSvg: string;
}

async function account(ctx: AppContext, userId: number) {
  return ctx.db
    .selectFrom("users")
    .select(["id", "username", "display_name", "totp_secret_enc", "totp_enabled_at", "totp_last_step"])
    .where("id", "=", userId)
    .where("kind", "=", "staff")
    .executeTakeFirstOrThrow();
}

/** Starts (or resumes) enrolment: a secret kept until the first code confirms it. */
export async function beginEnrolment(ctx: AppContext, userId: number): Promise<Enrolment> {
  const user = await account(ctx, userId);
  if (user.totp_enabled_at) throw new UserError("您已绑定动态口令");
  let secret = user.totp_secret_enc ? ctx.cipher.decrypt(user.totp_secret_enc) : null;
  if (!secret) {
    secret = generateSecret();
    await ctx.db
      .updateTable("users")
      .set({ totp_secret_enc: ctx.cipher.encrypt(secret) })
      .where("id", "=", userId)
      .execute();
  }
  const uri = generateURI({ issuer: ISSUER, label: user.username ?? `user${user.id}`, secret });
  return { secret, uri, qrSvg: renderSVG(uri, { border: 2 }) };
}

async function checkTotp(
  ctx: AppContext,
  user: Awaited<ReturnType<typeof account>>,
  code: string,
): Promise<boolean> {
  if (!user.totp_secret_enc || !/^\d{6}$/.test(code)) return false;
  const result = await verify({
    secret: ctx.cipher.decrypt(user.totp_secret_enc),
    token: code,
    epochTolerance: TOLERANCE_SECONDS,
    ...(user.totp_last_step === null ? {} : { afterTimeStep: Number(user.totp_last_step) }),
  });
  if (!result.valid || !("timeStep" in result)) return false;
  await ctx.db
    .updateTable("users")
    .set({ totp_last_step: result.timeStep })
    .where("id", "=", user.id)
    .execute();
  return true;
}

function recoveryHash(code: string): Buffer {
  return createHash("sha256")
    .update(code.toUpperCase().replace(/[^A-Z0-9]/g, ""))
    .digest();
}

/** Ten fresh recovery codes (the old ones stop working), shown once. */
async function issueRecoveryCodes(ctx: AppContext, userId: number): Promise<string[]> {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const codes = Array.from({ length: RECOVERY_CODES }, () => {
    const chars = Array.from(randomBytes(12), (b) => alphabet[b % alphabet.length]).join("");
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
  });
  await ctx.db.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
  await ctx.db
    .insertInto("recovery_codes")
    .values(codes.map((c) => ({ user_id: userId, code_hash: recoveryHash(c) })))
    .execute();
  return codes;
}

/** Confirms enrolment with a first code; returns the recovery codes to show once. */
export async function confirmEnrolment(
  ctx: AppContext,
  userId: number,
  code: string,
  ip = "",
): Promise<string[]> {
  const user = await account(ctx, userId);
  if (user.totp_enabled_at) throw new UserError("您已绑定动态口令");
  if (!(await checkTotp(ctx, user, code.replace(/\s/g, "")))) {
    throw new UserError("提交的内容有误", 400, {
      code: "动态口令不正确，请核对手机时间后输入应用中当前显示的 6 位数字",
    });
  }
  await ctx.db.updateTable("users").set({ totp_enabled_at: new Date() }).where("id", "=", userId).execute();
  await audit(ctx, { id: user.id, name: user.display_name }, "mfa.enrolled", `user:${userId}`, { ip });
  return issueRecoveryCodes(ctx, userId);
}

/** The second step of a staff sign-in: a current TOTP code or an unused recovery code. */
export async function verifySecondFactor(
  ctx: AppContext,
  userId: number,
  input: string,
  ip = "",
): Promise<void> {
  const user = await account(ctx, userId);
  const lock = await lockoutOf(ctx, user);
  if (isLocked(lock)) throw lockedError(lock);
  const code = input.replace(/\s/g, "");
  const actor = { id: user.id, name: user.display_name };
  if (await checkTotp(ctx, user, code)) return;
  if (!/^\d{6}$/.test(code)) {
    const used = await ctx.db
      .updateTable("recovery_codes")
      .set({ used_at: new Date() })
      .where("user_id", "=", userId)
      .where("code_hash", "=", recoveryHash(code))
      .where("used_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    if (used) {
      const left = await ctx.db
        .selectFrom("recovery_codes")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("user_id", "=", userId)
        .where("used_at", "is", null)
        .executeTakeFirstOrThrow();
      await audit(ctx, actor, "mfa.recovery_used", `user:${userId}`, { ip, left: Number(left.n) });
      return;
    }
  }
  await recordFailure(ctx, user, "auth.mfa_failed", user.username ?? `user:${userId}`, { ip });
  const after = await lockoutOf(ctx, user);
  if (isLocked(after)) throw lockedError(after);
  throw new UserError("提交的内容有误", 401, { code: "动态口令或恢复码不正确" });
}

export async function mfaStatus(ctx: AppContext, userId: number) {
  const user = await account(ctx, userId);
  const left = await ctx.db
    .selectFrom("recovery_codes")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return { enabledAt: user.totp_enabled_at, recoveryCodesLeft: Number(left.n) };
}

/** New recovery codes for an enrolled user who has used or lost theirs. */
export async function renewRecoveryCodes(ctx: AppContext, actor: Actor, ip = ""): Promise<string[]> {
  const user = await account(ctx, actor.id);
  if (!user.totp_enabled_at) throw new UserError("请先绑定动态口令");
  await audit(ctx, actor, "mfa.recovery_renewed", `user:${actor.id}`, { ip });
  return issueRecoveryCodes(ctx, actor.id);
}

/** 安全管理员 clears a lost authenticator; the user enrols again at the next sign-in. */
export async function resetMfa(ctx: AppContext, actor: Actor, userId: number, ip = ""): Promise<void> {
  if (!can(actor, "security.manage")) throw new ForbiddenError("只有安全管理员可以重置动态口令");
  if (userId === actor.id) throw new ForbiddenError("不能重置自己的动态口令");
  await ctx.db
    .updateTable("users")
    .set({ totp_secret_enc: null, totp_enabled_at: null, totp_last_step: null })
    .where("id", "=", userId)
    .execute();
  await ctx.db.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
  await audit(ctx, actor, "user.mfa_reset", `user:${userId}`, { ip });
}

import { randomInt } from "node:crypto";
import { sql } from "kysely";
import { audit } from "../../core/audit.ts";
import { grantSignupConsents } from "../../core/consent.ts";
import type { AppContext } from "../../core/context.ts";
import { maskPhone } from "../../core/crypto.ts";
import { UserError } from "../../core/errors.ts";
import { SmsError, type SmsSender } from "../../core/sms.ts";
import { hashPassword, randomPassword } from "./passwords.ts";
import { isLocked, lockedError, lockoutOf } from "./security.ts";

/**
 * Citizens sign up and sign in with their phone and a one-time code by SMS. A code lives five
 * minutes, allows five tries, and only the newest one counts; a phone gets one code a minute and
 * ten a day. Codes are stored as a keyed hash, never as sent.
 */
const PHONE = /^1[3-9]\d{9}$/;
export const SMS_CODE_MINUTES = 5;
const MAX_ATTEMPTS = 5;
export const RESEND_SECONDS = 60;
const DAILY_LIMIT = 10;

export function normalisePhone(input: string): string {
  const phone = input.replace(/[\s-]/g, "");
  if (!PHONE.test(phone)) throw new UserError("提交的内容有误", 400, { phone: "请填写 11 位手机号码" });
  return phone;
}

function codeHash(ctx: AppContext, phone: string, code: string): Buffer {
  return ctx.cipher.blindIndex(`sms-code:${phone}:${code}`);
}

/** What a code is for, as the message names it. */
export type CodePurpose = "login" | "change_phone";
const CODE_MESSAGES: Record<CodePurpose, string> = {
  login: "您的登录验证码为",
  change_phone: "您正在更换账号绑定的手机号码，验证码为",
};
/** A code sent just before the blind-index key changed is still accepted. */
function codeHashes(ctx: AppContext, phone: string, code: string): Buffer[] {
  return ctx.cipher.blindIndexes(`sms-code:${phone}:${code}`);
}

export async function sendLoginCode(
  ctx: AppContext,
  sender: SmsSender,
  input: string,
  ip = "",
  purpose: CodePurpose = "login",
): Promise<string> {
  const phone = normalisePhone(input);
  const index = ctx.cipher.blindIndex(phone);
  const recent = await ctx.db
    .selectFrom("sms_codes")
    .select([
      sql<number>`count(*) filter (where created_at > now() - interval '1 day')`.as("today"),
      sql<number | null>`extract(epoch from now() - max(created_at))`.as("since"),
    ])
    .where("phone_index", "in", ctx.cipher.blindIndexes(phone))
    .executeTakeFirstOrThrow();
  if (recent.since !== null && Number(recent.since) < RESEND_SECONDS) {
    const wait = Math.ceil(RESEND_SECONDS - Number(recent.since));
    throw new UserError("获取验证码过于频繁", 429, { phone: `请在 ${wait} 秒后再获取验证码` });
  }
  if (Number(recent.today) >= DAILY_LIMIT) {
    throw new UserError("获取验证码过于频繁", 429, {
      phone: "该号码今天获取验证码的次数已达上限，请明天再试",
    });
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const row = await ctx.db
    .insertInto("sms_codes")
    .values({
      phone_index: index,
      code_hash: codeHash(ctx, phone, code),
      expires_at: sql<Date>`now() + make_interval(mins => ${SMS_CODE_MINUTES})`,
      ip,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  try {
    await sender.send(
      phone,
      `【青禾市人民政府】${CODE_MESSAGES[purpose]} ${code}，${SMS_CODE_MINUTES} 分钟内有效。如非本人操作，请忽略本短信。`,
    );
  } catch (error) {
    if (!(error instanceof SmsError)) throw error;
    await ctx.db.deleteFrom("sms_codes").where("id", "=", row.id).execute();
    await audit(ctx, null, "auth.sms_sent", maskPhone(phone), {
      result: "failure",
      ip,
      adapter: sender.name,
    });
    throw new UserError("短信发送失败，请稍后再试", 503);
  }
  await audit(ctx, null, "auth.sms_sent", maskPhone(phone), { ip, adapter: sender.name });
  return phone;
}

/**
 * Checks the newest code sent to the phone and uses it up; a wrong code counts against its tries.
 * Returns the normalised phone.
 */
export async function consumeCode(
  ctx: AppContext,
  input: string,
  codeInput: string,
  ip = "",
): Promise<string> {
  const phone = normalisePhone(input);
  const code = codeInput.replace(/\s/g, "");
  const latest = await ctx.db
    .selectFrom("sms_codes")
    .select(["id", "code_hash", "attempts", "used_at", sql<boolean>`expires_at < now()`.as("expired")])
    .where("phone_index", "in", ctx.cipher.blindIndexes(phone))
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const problem = (message: string) => new UserError("提交的内容有误", 400, { code: message });
  if (!latest || latest.used_at || latest.expired) throw problem("验证码已失效，请重新获取");
  if (latest.attempts >= MAX_ATTEMPTS) throw problem("验证码输入错误次数过多，请重新获取");
  if (!/^\d{6}$/.test(code) || !codeHashes(ctx, phone, code).some((h) => h.equals(latest.code_hash))) {
    await ctx.db
      .updateTable("sms_codes")
      .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
      .where("id", "=", latest.id)
      .execute();
    await audit(ctx, null, "auth.login_failed", maskPhone(phone), {
      result: "failure",
      ip,
      kind: "citizen",
      reason: "wrong_sms_code",
    });
    throw problem(
      latest.attempts + 1 >= MAX_ATTEMPTS ? "验证码输入错误次数过多，请重新获取" : "验证码不正确，请核对短信",
    );
  }
  await ctx.db.updateTable("sms_codes").set({ used_at: new Date() }).where("id", "=", latest.id).execute();
  return phone;
}

/** Checks the newest code for the phone; signs in the citizen, creating the account on first use. */
export async function signInWithCode(
  ctx: AppContext,
  input: string,
  codeInput: string,
  ip = "",
): Promise<number> {
  const phone = await consumeCode(ctx, input, codeInput, ip);
  const user = await ctx.db
    .selectFrom("users")
    .select(["id", "display_name", "status"])
    .where("kind", "=", "citizen")
    .where("phone_index", "in", ctx.cipher.blindIndexes(phone))
    .executeTakeFirst();
  if (user) {
    const lock = await lockoutOf(ctx, user);
    if (isLocked(lock)) throw lockedError(lock);
    if (user.status !== "active") throw new UserError("该账号已停用，请联系网站管理部门", 403);
    await ctx.db.updateTable("users").set({ last_login_at: new Date() }).where("id", "=", user.id).execute();
    await audit(ctx, { id: user.id, name: user.display_name }, "auth.login", maskPhone(phone), {
      ip,
      kind: "citizen",
      method: "sms",
    });
    return user.id;
  }
  const name = `用户${phone.slice(-4)}`;
  const created = await ctx.db
    .insertInto("users")
    .values({
      kind: "citizen",
      display_name: name,
      phone_enc: ctx.cipher.encrypt(phone),
      phone_index: ctx.cipher.blindIndex(phone),
      phone_masked: maskPhone(phone),
      // signs in by SMS; a password can be set later, until then this one is known to nobody
      password_hash: await hashPassword(randomPassword()),
      last_login_at: new Date(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await grantSignupConsents(ctx.db, { id: created.id, name }, ip);
  await audit(ctx, { id: created.id, name }, "citizen.registered", `user:${created.id}`, {
    ip,
    method: "sms",
  });
  return created.id;
}

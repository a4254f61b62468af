import { randomBytes } from "node:crypto";
import { audit } from "../../core/audit.ts";
import {
  CONSENT_PURPOSES,
  type ConsentPurposeKey,
  consentsOf,
  grantConsent,
  isConsentPurpose,
  withdrawAllConsents,
  withdrawConsent,
} from "../../core/consent.ts";
import type { AppContext } from "../../core/context.ts";
import { maskPhone } from "../../core/crypto.ts";
import { Problems, UserError } from "../../core/errors.ts";
import { requestsOfCitizen } from "../disclosure/requests.ts";
import { linksOf } from "./oidc.ts";
import { consumeCode, normalisePhone } from "./sms-login.ts";

/**
 * PIPL rights of a citizen over their account: a copy of everything held about them, and closing
 * the account. Cases they filed stay with the office that handles them (the law requires those
 * files), but no longer link to a person who can sign in.
 */
export async function citizenDataExport(ctx: AppContext, userId: number, ip = "") {
  const user = await ctx.db
    .selectFrom("users")
    .select(["id", "display_name", "phone_enc", "created_at", "last_login_at"])
    .where("id", "=", userId)
    .where("kind", "=", "citizen")
    .executeTakeFirstOrThrow();
  const signIns = await ctx.db
    .selectFrom("audit_log")
    .select(["at", "action", "result", "ip"])
    .where("actor_id", "=", userId)
    .where("action", "in", ["auth.login", "auth.login_failed", "auth.logout", "auth.oidc_failed"])
    .orderBy("seq", "desc")
    .limit(200)
    .execute();
  await audit(ctx, { id: user.id, name: user.display_name }, "citizen.exported", `user:${userId}`, { ip });
  return {
    导出时间: new Date().toISOString(),
    账号: {
      称呼: user.display_name,
      手机号码: user.phone_enc ? ctx.cipher.decrypt(user.phone_enc) : null,
      注册时间: user.created_at.toISOString(),
      最近登录: user.last_login_at?.toISOString() ?? null,
    },
    统一身份认证绑定: (await linksOf(ctx, userId)).map((l) => ({
      认证平台: l.provider_name,
      绑定时间: l.linked_at.toISOString(),
      最近使用: l.last_used_at?.toISOString() ?? null,
    })),
    同意记录: (await consentsOf(ctx.db, userId)).map((c) => ({
      事项: isConsentPurpose(c.purpose) ? CONSENT_PURPOSES[c.purpose].label : c.purpose,
      说明版本: c.notice_version,
      同意时间: c.granted_at.toISOString(),
      撤回时间: c.withdrawn_at?.toISOString() ?? null,
    })),
    政府信息公开申请: (await requestsOfCitizen(ctx, userId)).map((r) => ({
      申请编号: r.tracking_no,
      所需信息: r.description,
      状态: r.state,
      提交时间: r.submitted_at.toISOString(),
    })),
    登录记录: signIns.map((s) => ({ 时间: s.at.toISOString(), 操作: s.action, 结果: s.result, IP: s.ip })),
  };
}

/** Closes a citizen's account: the phone and name are erased, sessions end, sign-in is impossible. */
export async function closeCitizenAccount(
  ctx: AppContext,
  userId: number,
  phone: string,
  confirmed: boolean,
  ip = "",
): Promise<void> {
  const user = await ctx.db
    .selectFrom("users")
    .select(["id", "display_name", "phone_index", "phone_enc"])
    .where("id", "=", userId)
    .where("kind", "=", "citizen")
    .executeTakeFirstOrThrow();
  const fields: Record<string, string> = {};
  if (!confirmed) fields.confirm = "请确认您要注销账号";
  // the full number proves it is the owner, not someone at an unattended screen (pages show it
  // masked); an account opened through 统一身份认证 may have no phone to ask for
  const stored = user.phone_index;
  if (
    user.phone_enc &&
    (!stored || !ctx.cipher.blindIndexes(phone.replace(/[\s-]/g, "")).some((i) => i.equals(stored)))
  )
    fields.phone = "手机号码与本账号不符";
  if (Object.keys(fields).length) throw new UserError("提交的内容有误", 400, fields);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("users")
      .set({
        display_name: "已注销用户",
        phone_enc: null,
        // the row must keep an index; a random one matches no phone ever again
        phone_index: randomBytes(32),
        phone_masked: null,
        status: "disabled",
      })
      .where("id", "=", userId)
      .execute();
    await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
    await trx.deleteFrom("identity_links").where("user_id", "=", userId).execute();
    await withdrawAllConsents(trx, userId);
  });
  await audit(ctx, { id: user.id, name: user.display_name }, "citizen.closed", `user:${userId}`, { ip });
}

/* ---------------------------------------------------------- correction (PIPL art. 46) */

type Citizen = { id: number; name: string };

/** Corrects the name the platform addresses the citizen by. */
export async function correctDisplayName(
  ctx: AppContext,
  actor: Citizen,
  input: string,
  ip = "",
): Promise<void> {
  const name = input.trim().replace(/\s+/g, " ");
  const problems = new Problems();
  if (!name) problems.add("displayName", "请填写称呼");
  else if ([...name].length > 40) problems.add("displayName", "称呼不超过 40 字");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  else if (/[\u0000-\u001f\u007f<>]/.test(name)) problems.add("displayName", "称呼不能包含 < > 或控制字符");
  problems.throwIfAny();
  await ctx.db.updateTable("users").set({ display_name: name }).where("id", "=", actor.id).execute();
  await audit(ctx, { id: actor.id, name }, "citizen.corrected", `user:${actor.id}`, {
    ip,
    field: "display_name",
  });
}

/** Refuses a new phone that is malformed, unchanged or another account's; returns it normalised. */
export async function checkNewPhone(ctx: AppContext, userId: number, input: string): Promise<string> {
  const phone = normalisePhone(input);
  const holder = await ctx.db
    .selectFrom("users")
    .select("id")
    .where("phone_index", "in", ctx.cipher.blindIndexes(phone))
    .executeTakeFirst();
  if (holder?.id === userId)
    throw new UserError("提交的内容有误", 400, { phone: "这已经是您账号的手机号码" });
  if (holder) throw new UserError("提交的内容有误", 400, { phone: "该手机号码已被其他账号使用" });
  return phone;
}

/**
 * Replaces the citizen's phone once the code sent to the new number proves they hold it. The
 * number is stored like every phone: encrypted, with a blind index and a masked copy.
 */
export async function correctPhone(
  ctx: AppContext,
  actor: Citizen,
  input: string,
  code: string,
  ip = "",
): Promise<string> {
  const phone = await checkNewPhone(ctx, actor.id, input);
  await consumeCode(ctx, phone, code, ip);
  await ctx.db
    .updateTable("users")
    .set({
      phone_enc: ctx.cipher.encrypt(phone),
      phone_index: ctx.cipher.blindIndex(phone),
      phone_masked: maskPhone(phone),
    })
    .where("id", "=", actor.id)
    .execute();
  await audit(ctx, actor, "citizen.corrected", `user:${actor.id}`, {
    ip,
    field: "phone",
    to: maskPhone(phone),
  });
  return phone;
}

/* ---------------------------------------------------------- consents (PIPL art. 15) */

/** The citizen's consents as their privacy page lists them: one line per purpose, with history. */
export async function consentOverview(ctx: AppContext, userId: number) {
  const history = await consentsOf(ctx.db, userId);
  return (Object.keys(CONSENT_PURPOSES) as ConsentPurposeKey[]).map((purpose) => {
    const rows = history.filter((c) => c.purpose === purpose);
    const open = rows.find((c) => c.withdrawn_at === null);
    return { purpose, ...CONSENT_PURPOSES[purpose], open, latest: rows[0] };
  });
}

/**
 * Withdraws an optional consent (the processing stops from then on). The consent every account
 * rests on cannot be withdrawn on its own: that is closing the account.
 */
export async function withdrawCitizenConsent(
  ctx: AppContext,
  actor: Citizen,
  purpose: string,
  ip = "",
): Promise<void> {
  if (!isConsentPurpose(purpose)) throw new UserError("没有这一项同意", 404);
  if (CONSENT_PURPOSES[purpose].required)
    throw new UserError("撤回对《个人信息保护说明》的同意即注销账号，请在注销账号页面办理", 400);
  await withdrawConsent(ctx.db, actor, purpose, ip);
}

/** Consents again to an optional purpose withdrawn before. */
export async function renewCitizenConsent(
  ctx: AppContext,
  actor: Citizen,
  purpose: string,
  ip = "",
): Promise<void> {
  if (!isConsentPurpose(purpose) || CONSENT_PURPOSES[purpose].required)
    throw new UserError("没有这一项同意", 404);
  await grantConsent(ctx.db, actor, purpose, ip);
}

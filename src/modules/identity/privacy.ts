import { randomBytes } from "node:crypto";
import { audit } from "../../core/audit.ts";
import type { AppContext } from "../../core/context.ts";
import { UserError } from "../../core/errors.ts";
import { requestsOfCitizen } from "../disclosure/requests.ts";

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
    .where("action", "in", ["auth.login", "auth.login_failed", "auth.logout"])
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
    .select(["id", "display_name", "phone_index"])
    .where("id", "=", userId)
    .where("kind", "=", "citizen")
    .executeTakeFirstOrThrow();
  const fields: Record<string, string> = {};
  if (!confirmed) fields.confirm = "请确认您要注销账号";
  // the full number proves it is the owner, not someone at an unattended screen (pages show it masked)
  const stored = user.phone_index;
  if (!stored || !ctx.cipher.blindIndexes(phone.replace(/[\s-]/g, "")).some((i) => i.equals(stored)))
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
  });
  await audit(ctx, { id: user.id, name: user.display_name }, "citizen.closed", `user:${userId}`, { ip });
}

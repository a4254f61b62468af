import { audit } from "./audit.ts";
import { type Actor, can } from "./auth/permissions.ts";
import type { AppContext } from "./context.ts";
import { ForbiddenError, UserError } from "./errors.ts";

/**
 * Personal identifiers are shown masked everywhere; a permitted officer may reveal them for one
 * stated reason, and every reveal lands in the audit log (who, what, whose, why, from where).
 */
export async function revealPersonalData<K extends string>(
  ctx: AppContext,
  actor: Actor,
  where: { siteId: number },
  subject: string,
  fields: Record<K, Buffer | null>,
  reason: string,
  ip = "",
): Promise<Record<K, string | null>> {
  if (!can(actor, "pii.reveal", where)) {
    await audit(ctx, actor, "pii.revealed", subject, { result: "denied", ip });
    throw new ForbiddenError("您没有查看该个人信息的权限");
  }
  const why = reason.trim();
  if (why.length < 4 || why.length > 200)
    throw new UserError("提交的内容有误", 400, {
      reason: "请写明查看的理由（4—200 字），该理由将记入安全审计",
    });
  const names = Object.keys(fields) as K[];
  const revealed = {} as Record<K, string | null>;
  for (const name of names) {
    const sealed = fields[name];
    revealed[name] = sealed ? ctx.cipher.decrypt(sealed) : null;
  }
  await audit(ctx, actor, "pii.revealed", subject, { ip, fields: names.join(","), reason: why });
  return revealed;
}

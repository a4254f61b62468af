import { type Actor, can, scopeFor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, UserError } from "../../core/errors.ts";
import { portalSite } from "../sites/service.ts";

/**
 * Moderation shared by everything citizens post in public (consultation comments now): an editable
 * sensitive-word list holds matching content for a moderator, who approves it or rejects it with a
 * reason. Matching ignores spaces and punctuation put between the characters of a word.
 */
const FILLER = /[\s\p{P}\p{S}_]+/gu;

function normalise(text: string): string {
  return text.replace(FILLER, "").toLowerCase();
}

export async function sensitiveWords(ctx: AppContext): Promise<string[]> {
  return (await ctx.db.selectFrom("moderation_words").select("word").orderBy("word").execute()).map(
    (r) => r.word,
  );
}

/** The sensitive words a text contains (empty when it may be shown at once). */
export async function screen(ctx: AppContext, text: string): Promise<string[]> {
  const plain = normalise(text);
  return (await sensitiveWords(ctx)).filter((w) => plain.includes(normalise(w)));
}

async function mayEditWords(ctx: AppContext, actor: Actor): Promise<void> {
  const portal = await portalSite(ctx);
  if (!portal || !can(actor, "site.manage", { siteId: portal.id }))
    throw new ForbiddenError("只有门户网站管理员可以维护敏感词");
}

/** Replaces the list with the words in `text` (one per line or separated by spaces or commas). */
export async function saveSensitiveWords(ctx: AppContext, actor: Actor, text: string): Promise<number> {
  await mayEditWords(ctx, actor);
  const words = [
    ...new Set(
      text
        .split(/[\s,，、;；]+/)
        .map((w) => w.trim())
        .filter(Boolean),
    ),
  ];
  const tooLong = words.find((w) => w.length > 20);
  if (tooLong)
    throw new UserError("敏感词每个不超过 20 个字", 400, { words: `“${tooLong.slice(0, 20)}…”过长` });
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom("moderation_words").execute();
    if (words.length)
      await trx
        .insertInto("moderation_words")
        .values(words.map((word) => ({ word, created_by: actor.id })))
        .execute();
  });
  return words.length;
}

/** Sites where the actor moderates: wherever he may review content. */
function moderatedSites(actor: Actor, siteIds: number[]): number[] {
  const scope = scopeFor(actor, "document.review");
  return scope.all ? siteIds : siteIds.filter((id) => scope.siteIds.includes(id));
}

export async function moderationQueue(ctx: AppContext, actor: Actor) {
  const sites = (await ctx.db.selectFrom("sites").select("id").execute()).map((s) => s.id);
  const allowed = moderatedSites(actor, sites);
  if (allowed.length === 0) return [];
  return ctx.db
    .selectFrom("consultation_comments as c")
    .innerJoin("consultations as k", "k.id", "c.consultation_id")
    .leftJoin("consultation_sections as s", "s.id", "c.section_id")
    .select([
      "c.id",
      "c.body",
      "c.held_words",
      "c.created_at",
      "k.id as consultation_id",
      "k.title",
      "s.heading",
    ])
    .where("c.status", "=", "held")
    .where("k.site_id", "in", allowed)
    .orderBy("c.id")
    .execute();
}

/** Shows a held comment, or removes a comment (held or shown) with a reason. */
export async function moderateComment(
  ctx: AppContext,
  actor: Actor,
  commentId: number,
  decision: "approve" | "reject",
  reason: string,
): Promise<void> {
  const comment = await ctx.db
    .selectFrom("consultation_comments as c")
    .innerJoin("consultations as k", "k.id", "c.consultation_id")
    .select(["c.id", "c.status", "k.site_id"])
    .where("c.id", "=", commentId)
    .executeTakeFirst();
  if (!comment) throw new NotFoundError("意见不存在");
  if (!can(actor, "document.review", { siteId: comment.site_id }))
    throw new ForbiddenError("您没有审核该意见的权限");
  if (decision === "reject" && reason.trim().length < 2)
    throw new UserError("请写明不予显示的理由", 400, { reason: "请写明不予显示的理由" });
  if (decision === "approve" && comment.status !== "held") throw new UserError("该意见不在待审核状态");
  await ctx.db
    .updateTable("consultation_comments")
    .set({
      status: decision === "approve" ? "visible" : "rejected",
      reject_reason: decision === "reject" ? reason.trim() : "",
      moderated_by: actor.id,
      moderated_at: new Date(),
    })
    .where("id", "=", commentId)
    .execute();
}

import { type Actor, can } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, Problems, UserError } from "../../core/errors.ts";
import { screen } from "./moderation.ts";
import type { Interview } from "./schema.ts";

/**
 * 在线访谈: staff schedule an interview (title, topic, guests, time); while it is live the public
 * sends questions, which wait for the host; the host publishes a question with its answer, or
 * rejects it with a reason, and posts remarks. Everything published forms the live feed (server-sent
 * events, or a page that refreshes itself without JavaScript) and afterwards the transcript.
 */
export type InterviewPhase = "draft" | "scheduled" | "live" | "ended";

export const INTERVIEW_PHASES: Record<InterviewPhase, string> = {
  draft: "未发布",
  scheduled: "即将开始",
  live: "正在直播",
  ended: "已结束",
};

export function interviewPhase(
  i: Pick<Interview, "published_at" | "started_at" | "ended_at">,
): InterviewPhase {
  if (!i.published_at) return "draft";
  if (i.ended_at) return "ended";
  return i.started_at ? "live" : "scheduled";
}

export interface InterviewInput {
  siteId: number;
  title: string;
  topic: string;
  guests: string;
  scheduledAt: string;
  videoUrl: string;
}

function mayHost(actor: Actor, siteId: number) {
  if (!can(actor, "document.edit", { siteId })) throw new ForbiddenError("您没有主持该网站在线访谈的权限");
}

async function load(ctx: AppContext, id: number) {
  const i = await ctx.db.selectFrom("interviews").selectAll().where("id", "=", id).executeTakeFirst();
  if (!i) throw new NotFoundError("访谈不存在");
  return i;
}

export async function saveInterview(ctx: AppContext, actor: Actor, id: number | null, input: InterviewInput) {
  mayHost(actor, input.siteId);
  const p = new Problems();
  const title = input.title.trim();
  if (title.length < 4 || title.length > 100) p.add("title", "标题为 4—100 个字");
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(input.scheduledAt)
    ? new Date(`${input.scheduledAt}:00+08:00`)
    : null;
  if (!at || Number.isNaN(at.getTime())) p.add("scheduledAt", "请填写访谈时间");
  const video = input.videoUrl.trim();
  if (video && !/^https?:\/\/\S+$/.test(video)) p.add("videoUrl", "视频地址须以 http:// 或 https:// 开头");
  p.throwIfAny();
  const values = {
    site_id: input.siteId,
    title,
    topic: input.topic.trim().slice(0, 2000),
    guests: input.guests.trim().slice(0, 500),
    scheduled_at: at as Date,
    video_url: video,
  };
  if (id === null)
    return (
      await ctx.db
        .insertInto("interviews")
        .values({ ...values, created_by: actor.id })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  const existing = await load(ctx, id);
  mayHost(actor, existing.site_id);
  await ctx.db.updateTable("interviews").set(values).where("id", "=", id).execute();
  return id;
}

/** publish → start → end: the public sees it once published, may ask while it is live. */
export async function stepInterview(
  ctx: AppContext,
  actor: Actor,
  id: number,
  step: "publish" | "start" | "end",
) {
  const i = await load(ctx, id);
  mayHost(actor, i.site_id);
  const phase = interviewPhase(i);
  const now = new Date();
  if (step === "publish" && phase === "draft")
    await ctx.db.updateTable("interviews").set({ published_at: now }).where("id", "=", id).execute();
  else if (step === "start" && phase === "scheduled")
    await ctx.db.updateTable("interviews").set({ started_at: now }).where("id", "=", id).execute();
  else if (step === "end" && phase === "live")
    await ctx.db.updateTable("interviews").set({ ended_at: now }).where("id", "=", id).execute();
  else throw new UserError(`访谈当前为“${INTERVIEW_PHASES[phase]}”，不能执行该操作`, 409);
}

/** A question from the public; it waits for the host in every case (sensitive words are marked). */
export async function askQuestion(
  ctx: AppContext,
  id: number,
  citizenId: number | null,
  nickname: string,
  body: string,
  siteId?: number,
) {
  const i = await load(ctx, id);
  if (siteId !== undefined && i.site_id !== siteId) throw new NotFoundError("访谈不存在");
  if (interviewPhase(i) !== "live") throw new UserError("访谈直播期间才能提问");
  const p = new Problems();
  const name = nickname.trim();
  if (!name || name.length > 20) p.add("nickname", "请填写称呼（不超过 20 个字）");
  const text = body.trim();
  if (text.length < 5 || text.length > 500) p.add("body", "问题为 5—500 个字");
  p.throwIfAny();
  const duplicate = await ctx.db
    .selectFrom("interview_questions")
    .select("id")
    .where("interview_id", "=", id)
    .where("body", "=", text)
    .executeTakeFirst();
  if (duplicate)
    throw new UserError("已有人提过相同的问题", 400, { body: "已有人提过相同的问题，请关注主持人的回答" });
  await ctx.db
    .insertInto("interview_questions")
    .values({
      interview_id: id,
      citizen_id: citizenId,
      nickname: name,
      body: text,
      status: "pending",
      held_words: await screen(ctx, `${name} ${text}`),
    })
    .execute();
}

export async function pendingQuestions(ctx: AppContext, id: number) {
  return ctx.db
    .selectFrom("interview_questions")
    .selectAll()
    .where("interview_id", "=", id)
    .where("status", "=", "pending")
    .orderBy("id")
    .execute();
}

/** The host answers a question (published with the answer) or rejects it with a reason. */
export async function moderateQuestion(
  ctx: AppContext,
  actor: Actor,
  questionId: number,
  decision: { answer: string; speaker: string } | { reject: string },
) {
  const q = await ctx.db
    .selectFrom("interview_questions")
    .selectAll()
    .where("id", "=", questionId)
    .executeTakeFirst();
  if (!q) throw new NotFoundError("问题不存在");
  const i = await load(ctx, q.interview_id);
  mayHost(actor, i.site_id);
  if (q.status !== "pending") throw new UserError("该问题已处理");
  if ("reject" in decision) {
    if (decision.reject.trim().length < 2)
      throw new UserError("请写明不予发布的理由", 400, { reason: "请写明不予发布的理由" });
    await ctx.db
      .updateTable("interview_questions")
      .set({ status: "rejected", reject_reason: decision.reject.trim(), moderated_by: actor.id })
      .where("id", "=", questionId)
      .execute();
    return;
  }
  const p = new Problems();
  if (decision.answer.trim().length < 2) p.add("answer", "请填写回答");
  if (!decision.speaker.trim()) p.add("speaker", "请填写回答人");
  p.throwIfAny();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("interview_questions")
      .set({ status: "answered", moderated_by: actor.id })
      .where("id", "=", questionId)
      .execute();
    await trx
      .insertInto("interview_entries")
      .values({
        interview_id: i.id,
        speaker: decision.speaker.trim().slice(0, 50),
        question: q.body,
        asker: q.nickname,
        body: decision.answer.trim(),
        created_by: actor.id,
      })
      .execute();
  });
}

/** A remark by a host or guest, straight into the feed. */
export async function postRemark(ctx: AppContext, actor: Actor, id: number, speaker: string, body: string) {
  const i = await load(ctx, id);
  mayHost(actor, i.site_id);
  const p = new Problems();
  if (!speaker.trim()) p.add("speaker", "请填写发言人");
  if (body.trim().length < 2) p.add("remark", "请填写发言内容");
  p.throwIfAny();
  await ctx.db
    .insertInto("interview_entries")
    .values({
      interview_id: id,
      speaker: speaker.trim().slice(0, 50),
      body: body.trim(),
      created_by: actor.id,
    })
    .execute();
}

export async function entriesAfter(ctx: AppContext, id: number, afterId = 0) {
  return ctx.db
    .selectFrom("interview_entries")
    .select(["id", "speaker", "question", "asker", "body", "created_at"])
    .where("interview_id", "=", id)
    .where("id", ">", afterId)
    .orderBy("id")
    .limit(500)
    .execute();
}

export async function addPhoto(
  ctx: AppContext,
  actor: Actor,
  id: number,
  file: { filename: string; data: Buffer },
  caption: string,
) {
  const i = await load(ctx, id);
  mayHost(actor, i.site_id);
  const stored = await ctx.files.check(file.filename, file.data, 10 * 1024 * 1024);
  if (!stored.mime.startsWith("image/"))
    throw new UserError("请上传图片（JPG、PNG、GIF、WebP）", 400, { photo: "请上传图片" });
  await ctx.files.write(stored, file.data);
  await ctx.db
    .insertInto("interview_photos")
    .values({
      interview_id: id,
      filename: stored.filename,
      mime: stored.mime,
      size: stored.size,
      storage_key: stored.storageKey,
      caption: caption.trim().slice(0, 100) || stored.filename,
    })
    .execute();
}

export async function interviewView(ctx: AppContext, id: number, siteId?: number, staff = false) {
  const i = await load(ctx, id);
  if (!staff && (!i.published_at || (siteId !== undefined && i.site_id !== siteId)))
    throw new NotFoundError("访谈不存在");
  const [entries, photos] = await Promise.all([
    entriesAfter(ctx, id),
    ctx.db.selectFrom("interview_photos").selectAll().where("interview_id", "=", id).orderBy("id").execute(),
  ]);
  return { interview: i, phase: interviewPhase(i), entries, photos };
}

export async function interviewList(ctx: AppContext, opts: { siteId?: number | undefined; staff?: Actor }) {
  let q = ctx.db.selectFrom("interviews").selectAll();
  if (!opts.staff) q = q.where("published_at", "is not", null);
  if (opts.siteId !== undefined) q = q.where("site_id", "=", opts.siteId);
  const rows = await q.orderBy("scheduled_at", "desc").limit(200).execute();
  const staff = opts.staff;
  return rows
    .filter((r) => !staff || can(staff, "document.edit", { siteId: r.site_id }))
    .map((r) => ({ ...r, phase: interviewPhase(r) }));
}

export async function photoFor(ctx: AppContext, photoId: number) {
  const photo = await ctx.db
    .selectFrom("interview_photos as p")
    .innerJoin("interviews as i", "i.id", "p.interview_id")
    .select(["p.mime", "p.storage_key", "p.filename"])
    .where("p.id", "=", photoId)
    .where("i.published_at", "is not", null)
    .executeTakeFirst();
  if (!photo) throw new NotFoundError("图片不存在");
  return photo;
}

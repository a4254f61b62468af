import { type Actor, can } from "../../core/auth/permissions.ts";
import { chinaDay } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, Problems, UserError } from "../../core/errors.ts";
import { screen } from "./moderation.ts";
import type { Consultation, ConsultationSection } from "./schema.ts";

/**
 * 民意征集: staff publish a draft (e.g. a policy 征求意见稿) in sections with an open period;
 * signed-in citizens comment and support or oppose each section, once per section; after it
 * closes staff publish the 意见采纳情况. Comments show at once unless they contain a sensitive
 * word, which holds them for a moderator (see moderation.ts).
 */
export type ConsultationPhase = "draft" | "upcoming" | "open" | "closed";

export const PHASE_LABELS: Record<ConsultationPhase, string> = {
  draft: "未发布",
  upcoming: "即将开始",
  open: "正在征集",
  closed: "已结束",
};

export function phaseOf(
  c: Pick<Consultation, "published_at" | "opens_on" | "closes_on">,
  today = chinaDay(),
) {
  if (!c.published_at) return "draft" as const;
  if (today < c.opens_on) return "upcoming" as const;
  return today <= c.closes_on ? ("open" as const) : ("closed" as const);
}

export interface ConsultationInput {
  siteId: number;
  title: string;
  summary: string;
  opensOn: string;
  closesOn: string;
  /** Sections, each starting with a line "# 标题". */
  sections: string;
}

/** "# 一、总体要求\n正文…\n# 二、…" → sections in order. */
export function parseSections(text: string): { heading: string; body: string }[] {
  const sections: { heading: string; body: string }[] = [];
  for (const line of text.replace(/\r\n/g, "\n").split("\n")) {
    const heading = /^#\s*(.+)$/.exec(line.trim());
    if (heading?.[1]) sections.push({ heading: heading[1].trim(), body: "" });
    else if (sections.length) {
      const last = sections[sections.length - 1] as { body: string };
      last.body = last.body ? `${last.body}\n${line}` : line;
    } else if (line.trim()) sections.push({ heading: "正文", body: line });
  }
  return sections.map((s) => ({ heading: s.heading.slice(0, 100), body: s.body.trim() }));
}

export function sectionsText(sections: Pick<ConsultationSection, "heading" | "body">[]): string {
  return sections.map((s) => `# ${s.heading}\n${s.body}`).join("\n");
}

const isDay = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d));

function check(input: ConsultationInput) {
  const p = new Problems();
  const title = input.title.trim();
  if (title.length < 4 || title.length > 100) p.add("title", "标题为 4—100 个字");
  if (!isDay(input.opensOn)) p.add("opensOn", "请填写征集开始日期");
  if (!isDay(input.closesOn)) p.add("closesOn", "请填写征集截止日期");
  else if (isDay(input.opensOn) && input.closesOn < input.opensOn)
    p.add("closesOn", "截止日期不能早于开始日期");
  const sections = parseSections(input.sections);
  if (sections.length === 0) p.add("sections", "请至少写一节内容，每节以“# 标题”开头");
  if (sections.length > 50) p.add("sections", "最多 50 节");
  p.throwIfAny();
  return { title, sections };
}

function mayEdit(actor: Actor, siteId: number) {
  if (!can(actor, "document.edit", { siteId })) throw new ForbiddenError("您没有在该网站发起民意征集的权限");
}

export async function saveConsultation(
  ctx: AppContext,
  actor: Actor,
  id: number | null,
  input: ConsultationInput,
): Promise<number> {
  mayEdit(actor, input.siteId);
  const { title, sections } = check(input);
  return ctx.db.transaction().execute(async (trx) => {
    let consultationId = id;
    const values = {
      site_id: input.siteId,
      title,
      summary: input.summary.trim().slice(0, 2000),
      opens_on: input.opensOn,
      closes_on: input.closesOn,
    };
    if (consultationId === null) {
      consultationId = (
        await trx
          .insertInto("consultations")
          .values({ ...values, created_by: actor.id })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id;
    } else {
      const existing = await trx
        .selectFrom("consultations")
        .selectAll()
        .where("id", "=", consultationId)
        .forUpdate()
        .executeTakeFirst();
      if (!existing) throw new NotFoundError("民意征集不存在");
      mayEdit(actor, existing.site_id);
      if (existing.published_at) throw new UserError("已发布的民意征集不能修改内容，以免意见对应不上原文");
      await trx.updateTable("consultations").set(values).where("id", "=", consultationId).execute();
      await trx.deleteFrom("consultation_sections").where("consultation_id", "=", consultationId).execute();
    }
    const cid = consultationId;
    await trx
      .insertInto("consultation_sections")
      .values(
        sections.map((s, i) => ({ consultation_id: cid, position: i + 1, heading: s.heading, body: s.body })),
      )
      .execute();
    return cid;
  });
}

async function load(ctx: AppContext, id: number) {
  const c = await ctx.db.selectFrom("consultations").selectAll().where("id", "=", id).executeTakeFirst();
  if (!c) throw new NotFoundError("民意征集不存在");
  return c;
}

export async function publishConsultation(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  const c = await load(ctx, id);
  if (!can(actor, "document.publish", { siteId: c.site_id }))
    throw new ForbiddenError("发布民意征集须经审核人同意");
  if (c.published_at) return;
  await ctx.db.updateTable("consultations").set({ published_at: new Date() }).where("id", "=", id).execute();
}

/** 意见采纳情况: what was adopted and why, published once the period is over. */
export async function publishAdoption(
  ctx: AppContext,
  actor: Actor,
  id: number,
  report: string,
  today = chinaDay(),
) {
  const c = await load(ctx, id);
  if (!can(actor, "document.publish", { siteId: c.site_id }))
    throw new ForbiddenError("发布意见采纳情况须经审核人同意");
  if (phaseOf(c, today) !== "closed") throw new UserError("征集结束后才能发布意见采纳情况");
  if (report.trim().length < 20)
    throw new UserError("请写明意见采纳情况", 400, {
      report: "请写明收到多少意见、采纳了哪些、未采纳的理由（至少 20 个字）",
    });
  await ctx.db
    .updateTable("consultations")
    .set({ adoption_report: report.trim(), adoption_published_at: new Date() })
    .where("id", "=", id)
    .execute();
}

/** Published consultations, newest first; a department site lists its own, the portal all. */
export async function publicConsultations(ctx: AppContext, siteId?: number) {
  let q = ctx.db.selectFrom("consultations").selectAll().where("published_at", "is not", null);
  if (siteId !== undefined) q = q.where("site_id", "=", siteId);
  const rows = await q.orderBy("opens_on", "desc").orderBy("id", "desc").limit(200).execute();
  return rows.map((c) => ({ ...c, phase: phaseOf(c) }));
}

export async function staffConsultations(ctx: AppContext, actor: Actor) {
  const rows = await ctx.db
    .selectFrom("consultations as c")
    .innerJoin("sites as s", "s.id", "c.site_id")
    .selectAll("c")
    .select("s.name as site_name")
    .orderBy("c.id", "desc")
    .execute();
  return rows
    .filter((c) => can(actor, "document.edit", { siteId: c.site_id }))
    .map((c) => ({ ...c, phase: phaseOf(c) }));
}

export async function consultationForStaff(ctx: AppContext, actor: Actor, id: number) {
  const c = await load(ctx, id);
  mayEdit(actor, c.site_id);
  const sections = await ctx.db
    .selectFrom("consultation_sections")
    .selectAll()
    .where("consultation_id", "=", id)
    .orderBy("position")
    .execute();
  return { consultation: c, sections, phase: phaseOf(c) };
}

/** Everything the public page shows; a citizen also sees his own stances and held comments. */
export async function consultationPage(
  ctx: AppContext,
  id: number,
  citizenId: number | null,
  siteId?: number,
) {
  const c = await load(ctx, id);
  if (!c.published_at || (siteId !== undefined && c.site_id !== siteId))
    throw new NotFoundError("民意征集不存在");
  const sections = await ctx.db
    .selectFrom("consultation_sections")
    .selectAll()
    .where("consultation_id", "=", id)
    .orderBy("position")
    .execute();
  const votes = await ctx.db
    .selectFrom("consultation_votes as v")
    .innerJoin("consultation_sections as s", "s.id", "v.section_id")
    .select(["v.section_id", "v.stance", "v.citizen_id"])
    .where("s.consultation_id", "=", id)
    .execute();
  const comments = await ctx.db
    .selectFrom("consultation_comments as c")
    .innerJoin("users as u", "u.id", "c.citizen_id")
    .select(["c.id", "c.section_id", "c.body", "c.status", "c.created_at", "c.citizen_id", "u.display_name"])
    .where("c.consultation_id", "=", id)
    .where((eb) =>
      citizenId === null
        ? eb("c.status", "=", "visible")
        : eb.or([
            eb("c.status", "=", "visible"),
            eb.and([eb("c.citizen_id", "=", citizenId), eb("c.status", "=", "held")]),
          ]),
    )
    .orderBy("c.id")
    .execute();
  const tally = (sectionId: number, stance: "support" | "oppose") =>
    votes.filter((v) => v.section_id === sectionId && v.stance === stance).length;
  return {
    consultation: c,
    phase: phaseOf(c),
    sections: sections.map((s) => ({
      ...s,
      support: tally(s.id, "support"),
      oppose: tally(s.id, "oppose"),
      mine: votes.find((v) => v.section_id === s.id && v.citizen_id === citizenId)?.stance ?? null,
    })),
    comments: comments.map((k) => ({
      id: k.id,
      sectionId: k.section_id,
      body: k.body,
      held: k.status === "held",
      createdAt: k.created_at,
      // a citizen's display name, shortened: 陈市民 → 陈**
      author: `${k.display_name.slice(0, 1)}**`,
    })),
  };
}

async function openSection(ctx: AppContext, consultationId: number, sectionId: number | null, today: string) {
  const c = await load(ctx, consultationId);
  if (phaseOf(c, today) !== "open") throw new UserError("该民意征集不在征集期内");
  if (sectionId === null) return c;
  const section = await ctx.db
    .selectFrom("consultation_sections")
    .select("id")
    .where("id", "=", sectionId)
    .where("consultation_id", "=", consultationId)
    .executeTakeFirst();
  if (!section) throw new UserError("请选择条款", 400, { sectionId: "请选择对哪一节提出意见" });
  return c;
}

/** Support or oppose a section: one stance per citizen, a second vote changes it. */
export async function voteOnSection(
  ctx: AppContext,
  citizenId: number,
  consultationId: number,
  sectionId: number,
  stance: string,
  today = chinaDay(),
): Promise<void> {
  if (stance !== "support" && stance !== "oppose") throw new UserError("请选择赞成或反对");
  await openSection(ctx, consultationId, sectionId, today);
  await ctx.db
    .insertInto("consultation_votes")
    .values({ section_id: sectionId, citizen_id: citizenId, stance })
    .onConflict((oc) =>
      oc.columns(["section_id", "citizen_id"]).doUpdateSet({ stance, created_at: new Date() }),
    )
    .execute();
}

/** A comment: shown at once, or held for review when it contains a sensitive word. */
export async function commentOn(
  ctx: AppContext,
  citizenId: number,
  consultationId: number,
  sectionId: number | null,
  body: string,
  today = chinaDay(),
): Promise<{ held: boolean }> {
  const text = body.trim();
  if (text.length < 5 || text.length > 1000)
    throw new UserError("意见为 5—1000 个字", 400, { body: "请填写您的意见（5—1000 个字）" });
  await openSection(ctx, consultationId, sectionId, today);
  const held = await screen(ctx, text);
  try {
    await ctx.db
      .insertInto("consultation_comments")
      .values({
        consultation_id: consultationId,
        section_id: sectionId,
        citizen_id: citizenId,
        body: text,
        status: held.length ? "held" : "visible",
        held_words: held,
      })
      .execute();
  } catch (error) {
    if ((error as { code?: string }).code === "23505")
      throw new UserError("您已提交过相同的意见", 400, { body: "您已提交过相同的意见，无需重复提交" });
    throw error;
  }
  return { held: held.length > 0 };
}

export async function consultationTotals(ctx: AppContext, id: number) {
  const row = await ctx.db
    .selectFrom("consultation_comments")
    .select((eb) => [
      eb.fn.countAll<number>().as("all"),
      eb.fn.count<number>("id").filterWhere("status", "=", "visible").as("visible"),
      eb.fn.count<number>("id").filterWhere("status", "=", "held").as("held"),
    ])
    .where("consultation_id", "=", id)
    .executeTakeFirstOrThrow();
  return { all: Number(row.all), visible: Number(row.visible), held: Number(row.held) };
}

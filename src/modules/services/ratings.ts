import { sql } from "kysely";
import { type Actor, can, scopeFor } from "../../core/auth/permissions.ts";
import { chinaDay, loadCalendar } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, Problems, UserError } from "../../core/errors.ts";
import { notify } from "../../core/inbox.ts";
import { staffOfSite } from "../identity/service.ts";
import { getAppState } from "../sites/service.ts";
import { asJson, RATING_DIMENSIONS } from "./schema.ts";

/**
 * 好差评 (国办发〔2019〕51号): after a case ends the applicant rates it once (一事一评) on five levels
 * and the national online dimensions. A 差评 (不满意 or 非常不满意) opens a follow-up that the
 * department must close with a recorded response within the configured working days.
 */
export const FOLLOWUP_DAYS_KEY = "services.followup_days";
export const DEFAULT_FOLLOWUP_DAYS = 5;

/** The ways a 差评 is handled under the national scheme. */
export const FOLLOWUP_HANDLING = ["立行立改", "限期整改", "解释说明", "申诉复核"] as const;

export const isBadScore = (score: number) => score <= 2;

export interface RatingInput {
  score: string;
  dimensions: string[];
  comment: string;
}

export async function followupDays(ctx: AppContext): Promise<number> {
  const configured = await getAppState<number>(ctx, FOLLOWUP_DAYS_KEY);
  return Number.isInteger(configured) && (configured as number) > 0
    ? (configured as number)
    : DEFAULT_FOLLOWUP_DAYS;
}

const score = (value: string) => (/^[1-5]$/.test(value) ? Number(value) : null);

export async function rateApplication(
  ctx: AppContext,
  citizen: { id: number; kind: string },
  applicationId: number,
  input: RatingInput,
  today = chinaDay(),
) {
  const a = await ctx.db
    .selectFrom("service_applications as a")
    .innerJoin("service_items as i", "i.id", "a.item_id")
    .select([
      "a.id",
      "a.number",
      "a.citizen_id",
      "a.state",
      "a.item_id",
      "a.site_id",
      "i.department_id",
      "i.name",
    ])
    .where("a.id", "=", applicationId)
    .executeTakeFirst();
  if (!a || citizen.kind !== "citizen" || a.citizen_id !== citizen.id) throw new NotFoundError("办件不存在");
  if (a.state !== "completed" && a.state !== "not_accepted") throw new UserError("办件办结后才能评价");
  const p = new Problems();
  const overall = score(input.score);
  if (overall === null) p.add("score", "请选择整体满意度");
  const dimensions: Record<string, number> = {};
  RATING_DIMENSIONS.forEach((d, i) => {
    const s = score(input.dimensions[i] ?? "");
    if (s === null) p.add(`d${i}`, `请选择“${d}”的评价`);
    else dimensions[d] = s;
  });
  const comment = input.comment.trim();
  if (overall !== null && isBadScore(overall) && comment.length < 5)
    p.add("comment", "差评请写明不满意的原因（至少 5 个字），便于部门回访整改");
  if (comment.length > 500) p.add("comment", "评价内容不超过 500 字");
  p.throwIfAny();
  const calendar = await loadCalendar(ctx.db);
  const dueOn = calendar.addWorkingDays(today, await followupDays(ctx));
  try {
    await ctx.db.transaction().execute(async (trx) => {
      const rating = await trx
        .insertInto("service_ratings")
        .values({
          application_id: a.id,
          item_id: a.item_id,
          department_id: a.department_id,
          site_id: a.site_id,
          citizen_id: citizen.id,
          score: overall as number,
          dimensions: asJson(dimensions),
          comment,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      if (!isBadScore(overall as number)) return;
      const followup = await trx
        .insertInto("rating_followups")
        .values({ rating_id: rating.id, site_id: a.site_id, due_on: dueOn })
        .returning("id")
        .executeTakeFirstOrThrow();
      for (const userId of await staffOfSite(ctx, a.site_id, ["officer", "site_admin"]))
        await notify(
          trx,
          { userId },
          {
            title: `差评待整改：办件 ${a.number}（${a.name}）`,
            body: `请于 ${dueOn} 前回访核实并记录处理结果。`,
            link: `/admin/services/followups/${followup.id}`,
          },
        );
    });
  } catch (error) {
    if ((error as { code?: string }).code === "23505")
      throw new UserError("该办件已评价，每件办件只能评价一次");
    throw error;
  }
}

export async function ratingOf(ctx: AppContext, applicationId: number) {
  return ctx.db
    .selectFrom("service_ratings")
    .select(["score", "comment"])
    .where("application_id", "=", applicationId)
    .executeTakeFirst();
}

export async function followupsFor(ctx: AppContext, actor: Actor) {
  const scope = scopeFor(actor, "case.handle");
  if (!scope.all && scope.siteIds.length === 0) return [];
  let query = ctx.db
    .selectFrom("rating_followups as f")
    .innerJoin("service_ratings as r", "r.id", "f.rating_id")
    .innerJoin("service_applications as a", "a.id", "r.application_id")
    .innerJoin("service_items as i", "i.id", "r.item_id")
    .select([
      "f.id",
      "f.due_on",
      "f.state",
      "f.handling",
      "f.response",
      "f.closed_at",
      "r.score",
      "r.comment",
      "a.number",
      "a.id as application_id",
      "i.name as item_name",
    ])
    .orderBy("f.state", "desc")
    .orderBy("f.due_on");
  if (!scope.all) query = query.where("f.site_id", "in", scope.siteIds);
  return query.execute();
}

export async function closeFollowup(
  ctx: AppContext,
  actor: Actor,
  followupId: number,
  input: { handling: string; response: string },
) {
  const f = await ctx.db
    .selectFrom("rating_followups as f")
    .innerJoin("service_ratings as r", "r.id", "f.rating_id")
    .innerJoin("service_applications as a", "a.id", "r.application_id")
    .select(["f.id", "f.site_id", "f.state", "r.citizen_id", "a.number"])
    .where("f.id", "=", followupId)
    .executeTakeFirst();
  if (!f) throw new NotFoundError("整改任务不存在");
  if (!can(actor, "case.handle", { siteId: f.site_id })) throw new ForbiddenError("您没有处理该差评的权限");
  if (f.state === "closed") throw new UserError("该整改任务已办结");
  const p = new Problems();
  if (!(FOLLOWUP_HANDLING as readonly string[]).includes(input.handling)) p.add("handling", "请选择处理方式");
  if (input.response.trim().length < 5) p.add("response", "请记录回访核实情况和整改结果（至少 5 个字）");
  p.throwIfAny();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("rating_followups")
      .set({
        state: "closed",
        handling: input.handling,
        response: input.response.trim(),
        closed_by: actor.id,
        closed_at: new Date(),
      })
      .where("id", "=", f.id)
      .execute();
    await notify(
      trx,
      { userId: f.citizen_id },
      {
        title: `您对办件 ${f.number} 的评价已处理`,
        body: `处理方式：${input.handling}。${input.response.trim()}`,
        link: `/account/bsfw/${f.number}`,
      },
    );
  });
}

/** Public statistics: per department and per item, counts, average and 差评 handled on time. */
export async function ratingStatistics(ctx: AppContext) {
  const byDepartment = await ctx.db
    .selectFrom("service_ratings as r")
    .innerJoin("departments as d", "d.id", "r.department_id")
    .leftJoin("rating_followups as f", "f.rating_id", "r.id")
    .select([
      "d.id",
      "d.name",
      sql<number>`count(r.id)::int`.as("n"),
      sql<number>`round(avg(r.score), 2)::float`.as("average"),
      sql<number>`count(r.id) filter (where r.score <= 2)::int`.as("bad"),
      sql<number>`count(f.id) filter (where f.state = 'closed')::int`.as("followed_up"),
    ])
    .groupBy(["d.id", "d.name"])
    .orderBy("d.id")
    .execute();
  const byItem = await ctx.db
    .selectFrom("service_ratings as r")
    .innerJoin("service_items as i", "i.id", "r.item_id")
    .select([
      "i.id",
      "i.name",
      "i.code",
      sql<number>`count(r.id)::int`.as("n"),
      sql<number>`round(avg(r.score), 2)::float`.as("average"),
      sql<number>`count(r.id) filter (where r.score <= 2)::int`.as("bad"),
    ])
    .groupBy(["i.id", "i.name", "i.code"])
    .orderBy("i.code")
    .execute();
  return { byDepartment, byItem };
}

import { sql } from "kysely";
import type { Actor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { NotFoundError, Problems } from "../../core/errors.ts";
import type { Site } from "../sites/schema.ts";
import { disclosureSites, requireDisclosureSite } from "./budget.ts";
import { toCsv } from "./csv.ts";
import { centsToNumber, centsToNumeric, parseAmount, toCents } from "./money.ts";
import { PROJECT_STATUS_LABELS, PROJECT_STATUSES, type ProjectStatus } from "./schema.ts";

export interface Milestone {
  date: string;
  text: string;
}

export interface Project {
  id: number;
  siteId: number;
  name: string;
  unit: string;
  location: string;
  status: ProjectStatus;
  /** hundredths of 万元 */
  total: number;
  planYear: number;
  annual: number;
  completed: number;
  startDate: string | null;
  endDate: string | null;
  description: string;
  published: boolean;
  publishedAt: Date | null;
  updatedAt: Date;
}

export function isProjectStatus(text: string): text is ProjectStatus {
  return (PROJECT_STATUSES as readonly string[]).includes(text);
}

const day = (column: "start_date" | "end_date") =>
  sql<string | null>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`;

function baseQuery(ctx: AppContext) {
  return ctx.db
    .selectFrom("projects")
    .select([
      "id",
      "site_id",
      "name",
      "unit",
      "location",
      "status",
      "total_investment",
      "plan_year",
      "annual_investment",
      "completed_investment",
      day("start_date").as("start_date"),
      day("end_date").as("end_date"),
      "description",
      "published",
      "published_at",
      "updated_at",
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>["execute"]>>[number];

function toProject(r: Row): Project {
  return {
    id: r.id,
    siteId: r.site_id,
    name: r.name,
    unit: r.unit,
    location: r.location,
    status: r.status,
    total: toCents(r.total_investment),
    planYear: r.plan_year,
    annual: toCents(r.annual_investment),
    completed: toCents(r.completed_investment),
    startDate: r.start_date,
    endDate: r.end_date,
    description: r.description,
    published: r.published,
    publishedAt: r.published_at,
    updatedAt: r.updated_at,
  };
}

/** Ordered by date, then in the order entered. */
export async function milestonesOf(ctx: AppContext, projectIds: number[]): Promise<Map<number, Milestone[]>> {
  const map = new Map<number, Milestone[]>(projectIds.map((id) => [id, []]));
  if (projectIds.length === 0) return map;
  const rows = await ctx.db
    .selectFrom("project_milestones")
    .select(["project_id", sql<string>`to_char(date, 'YYYY-MM-DD')`.as("date"), "text"])
    .where("project_id", "in", projectIds)
    .orderBy("project_id")
    .orderBy("project_milestones.date")
    .orderBy("position")
    .orderBy("id")
    .execute();
  for (const r of rows) map.get(r.project_id)?.push({ date: r.date, text: r.text });
  return map;
}

/** Status order on lists: 在建 first, then 前期, then 竣工; larger investment first. */
const STATUS_ORDER = sql<number>`array_position(array['building','preparing','completed']::text[], status)`;

export async function publishedProjects(
  ctx: AppContext,
  siteId: number,
  status: ProjectStatus | null,
): Promise<Project[]> {
  let query = baseQuery(ctx).where("site_id", "=", siteId).where("published", "=", true);
  if (status) query = query.where("status", "=", status);
  const rows = await query.orderBy(STATUS_ORDER).orderBy("total_investment", "desc").orderBy("id").execute();
  return rows.map(toProject);
}

export async function publishedProject(
  ctx: AppContext,
  siteId: number,
  id: number,
): Promise<{ project: Project; milestones: Milestone[] } | undefined> {
  const row = await baseQuery(ctx)
    .where("id", "=", id)
    .where("site_id", "=", siteId)
    .where("published", "=", true)
    .executeTakeFirst();
  if (!row) return undefined;
  return { project: toProject(row), milestones: (await milestonesOf(ctx, [id])).get(id) ?? [] };
}

/** Counts by status for the filter. */
export async function projectStatusCounts(
  ctx: AppContext,
  siteId: number,
): Promise<Record<ProjectStatus, number>> {
  const rows = await ctx.db
    .selectFrom("projects")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("site_id", "=", siteId)
    .where("published", "=", true)
    .groupBy("status")
    .execute();
  const counts = { preparing: 0, building: 0, completed: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

/* ---------------------------------------------------------------- downloads */

export const PROJECT_CSV_HEADER = [
  "项目编号",
  "项目名称",
  "项目单位",
  "建设地点",
  "项目状态",
  "总投资（万元）",
  "计划年度",
  "年度计划投资（万元）",
  "已完成投资（万元）",
  "开工日期",
  "计划竣工日期",
  "项目简介",
];

export function projectsCsv(projects: Project[]): string {
  return toCsv(
    PROJECT_CSV_HEADER,
    projects.map((p) => [
      p.id,
      p.name,
      p.unit,
      p.location,
      PROJECT_STATUS_LABELS[p.status],
      centsToNumber(p.total),
      p.planYear,
      centsToNumber(p.annual),
      centsToNumber(p.completed),
      p.startDate ?? "",
      p.endDate ?? "",
      p.description,
    ]),
  );
}

export function projectsJson(
  site: Site,
  projects: Project[],
  milestones: Map<number, Milestone[]>,
  projectHref: (id: number) => string,
) {
  return {
    site: { code: site.code, name: site.name },
    unit: "万元",
    projects: projects.map((p) => ({
      id: p.id,
      url: projectHref(p.id),
      name: p.name,
      unit: p.unit,
      location: p.location,
      status: p.status,
      statusName: PROJECT_STATUS_LABELS[p.status],
      totalInvestment: centsToNumber(p.total),
      planYear: p.planYear,
      annualInvestment: centsToNumber(p.annual),
      completedInvestment: centsToNumber(p.completed),
      startDate: p.startDate,
      endDate: p.endDate,
      description: p.description,
      milestones: milestones.get(p.id) ?? [],
    })),
  };
}

/* ---------------------------------------------------------------- staff */

export async function projectsForStaff(
  ctx: AppContext,
  actor: Actor,
): Promise<(Project & { siteName: string })[]> {
  const sites = await disclosureSites(ctx, actor);
  if (sites.length === 0) return [];
  const rows = await baseQuery(ctx)
    .where(
      "site_id",
      "in",
      sites.map((s) => s.id),
    )
    .orderBy("site_id")
    .orderBy("id", "desc")
    .execute();
  const names = new Map(sites.map((s) => [s.id, s.name]));
  return rows.map((r) => ({ ...toProject(r), siteName: names.get(r.site_id) ?? "" }));
}

export async function projectForEditing(
  ctx: AppContext,
  actor: Actor,
  id: number,
): Promise<{ site: Site; project: Project; milestones: Milestone[] }> {
  const row = await baseQuery(ctx).where("id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError("项目不存在");
  const site = await requireDisclosureSite(ctx, actor, row.site_id);
  return { site, project: toProject(row), milestones: (await milestonesOf(ctx, [id])).get(id) ?? [] };
}

export interface ProjectInput {
  name: string;
  unit: string;
  location: string;
  status: string;
  total: string;
  planYear: string;
  annual: string;
  completed: string;
  startDate: string;
  endDate: string;
  description: string;
  published: boolean;
  milestones: Milestone[];
}

/** A real calendar day written YYYY-MM-DD. */
function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Adds every problem of `input` to `problems`; the caller throws them all at once. */
function checkProject(input: ProjectInput, problems: Problems) {
  const name = input.name.trim();
  const unit = input.unit.trim();
  if (!name) problems.add("name", "请填写项目名称");
  else if (name.length > 100) problems.add("name", "项目名称不超过 100 字");
  if (!unit) problems.add("unit", "请填写项目单位");
  else if (unit.length > 100) problems.add("unit", "项目单位不超过 100 字");
  if (input.location.trim().length > 200) problems.add("location", "建设地点不超过 200 字");
  if (!isProjectStatus(input.status)) problems.add("status", "请选择项目状态");
  const amount = (key: "total" | "annual" | "completed", label: string, required: boolean) => {
    const text = input[key].trim();
    if (!text) {
      if (required) problems.add(key, `请填写${label}`);
      return 0;
    }
    const cents = parseAmount(text);
    if (cents === null) problems.add(key, `${label}应为不小于零的数字，单位万元，最多两位小数`);
    return cents ?? 0;
  };
  const total = amount("total", "总投资", true);
  const annual = amount("annual", "年度计划投资", false);
  const completed = amount("completed", "已完成投资", false);
  if (!problems.fields.total) {
    if (!problems.fields.completed && completed > total)
      problems.add("completed", "已完成投资不能超过总投资");
    if (!problems.fields.annual && annual > total) problems.add("annual", "年度计划投资不能超过总投资");
  }
  const planYear = /^\d{4}$/.test(input.planYear.trim()) ? Number(input.planYear.trim()) : null;
  if (planYear === null || planYear < 2000 || planYear > 2100)
    problems.add("planYear", "计划年度应为 2000—2100 之间的四位年份");
  const start = input.startDate.trim();
  const end = input.endDate.trim();
  if (start && !isDay(start)) problems.add("startDate", "开工日期应为真实的日期，格式如 2026-03-01");
  if (end && !isDay(end)) problems.add("endDate", "计划竣工日期应为真实的日期，格式如 2028-12-31");
  if (start && end && isDay(start) && isDay(end) && end < start)
    problems.add("endDate", "计划竣工日期不能早于开工日期");
  if (input.description.length > 5000) problems.add("description", "项目简介不超过 5000 字");
  const milestones: Milestone[] = [];
  input.milestones.forEach((m, i) => {
    const date = m.date.trim();
    const text = m.text.trim();
    if (!date && !text) return;
    const where = `建设节点第 ${i + 1} 行`;
    if (!date) problems.add(`ms.${i}.date`, `${where}：请填写日期`);
    else if (!isDay(date)) problems.add(`ms.${i}.date`, `${where}：日期应为真实的日期，格式如 2026-03-01`);
    if (!text) problems.add(`ms.${i}.text`, `${where}：请填写节点内容`);
    else if (text.length > 200) problems.add(`ms.${i}.text`, `${where}：节点内容不超过 200 字`);
    if (date && text && isDay(date) && text.length <= 200) milestones.push({ date, text });
  });
  if (milestones.length > 50) problems.add("ms", "建设节点最多 50 个");
  return {
    row: {
      name,
      unit,
      location: input.location.trim(),
      status: input.status as ProjectStatus,
      total_investment: centsToNumeric(total),
      plan_year: planYear ?? 0,
      annual_investment: centsToNumeric(annual),
      completed_investment: centsToNumeric(completed),
      start_date: start || null,
      end_date: end || null,
      description: input.description.trim(),
      published: input.published,
    },
    milestones,
  };
}

/** Creates a project with its milestones in one transaction, after every field has been checked. */
export async function createProject(
  ctx: AppContext,
  actor: Actor,
  siteId: number | null,
  input: ProjectInput,
): Promise<number> {
  // refuse another site's project before saying anything about the form
  const site = siteId === null ? null : await requireDisclosureSite(ctx, actor, siteId);
  const problems = new Problems();
  if (!site) problems.add("siteId", "请选择所属站点");
  const checked = checkProject(input, problems);
  problems.throwIfAny();
  if (!site) throw new NotFoundError("站点不存在");
  const { row, milestones } = checked;
  return ctx.db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto("projects")
      .values({
        ...row,
        site_id: site.id,
        published_at: row.published ? new Date() : null,
        updated_by: actor.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (milestones.length)
      await trx
        .insertInto("project_milestones")
        .values(
          milestones.map((m, position) => ({ project_id: created.id, date: m.date, text: m.text, position })),
        )
        .execute();
    return created.id;
  });
}

export async function updateProject(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: ProjectInput,
): Promise<void> {
  const { project } = await projectForEditing(ctx, actor, id);
  const problems = new Problems();
  const { row, milestones } = checkProject(input, problems);
  problems.throwIfAny();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("projects")
      .set({
        ...row,
        published_at: row.published ? sql<Date>`coalesce(published_at, now())` : null,
        updated_at: sql<Date>`now()`,
        updated_by: actor.id,
      })
      .where("id", "=", project.id)
      .execute();
    await trx.deleteFrom("project_milestones").where("project_id", "=", project.id).execute();
    if (milestones.length)
      await trx
        .insertInto("project_milestones")
        .values(
          milestones.map((m, position) => ({ project_id: project.id, date: m.date, text: m.text, position })),
        )
        .execute();
  });
}

export async function deleteProject(ctx: AppContext, actor: Actor, id: number): Promise<number> {
  const { project } = await projectForEditing(ctx, actor, id);
  await ctx.db.deleteFrom("projects").where("id", "=", project.id).execute();
  return project.siteId;
}

import { sql } from "kysely";
import { type Actor, can, scopeFor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, Problems } from "../../core/errors.ts";
import type { Site } from "../sites/schema.ts";
import { getSite, listSites } from "../sites/service.ts";
import { toCsv } from "./csv.ts";
import { centsToNumber, centsToNumeric, changeRate, formatAmount, parseAmount, toCents } from "./money.ts";
import {
  BUDGET_STAGES,
  type BudgetDirection,
  type BudgetFund,
  type BudgetStage,
  DIRECTION_LABELS,
  STAGE_LABELS,
} from "./schema.ts";

/* ---------------------------------------------------------------- who may edit */

/**
 * Budget and project disclosure of a site is edited by its site administrators and its site-wide
 * editors: the same `can` that guards every other action, asked for the whole site.
 */
export function mayEditDisclosure(actor: Actor | null, siteId: number): boolean {
  return can(actor, "site.manage", { siteId }) || can(actor, "document.edit", { siteId });
}

/** The sites whose budget and projects the actor may edit. */
export async function disclosureSites(ctx: AppContext, actor: Actor): Promise<Site[]> {
  const manage = scopeFor(actor, "site.manage");
  const edit = scopeFor(actor, "document.edit");
  const sites = await listSites(ctx);
  if (manage.all || edit.all) return sites;
  const ids = new Set([...manage.siteIds, ...edit.siteIds]);
  return sites.filter((s) => ids.has(s.id));
}

export async function requireDisclosureSite(ctx: AppContext, actor: Actor, siteId: number): Promise<Site> {
  const site = await getSite(ctx, siteId);
  if (!mayEditDisclosure(actor, site.id))
    throw new ForbiddenError("您没有维护该站点财政预决算和重大项目信息的权限");
  return site;
}

/* ---------------------------------------------------------------- sections of a report */

export type SectionKey = "gi" | "gs" | "fi" | "fs" | "sg";

export interface Section {
  key: SectionKey;
  fund: BudgetFund;
  direction: BudgetDirection;
}

/** The five tables of a report, in the order they are entered and shown. */
export const SECTIONS: readonly Section[] = [
  { key: "gi", fund: "general", direction: "income" },
  { key: "gs", fund: "general", direction: "spending" },
  { key: "fi", fund: "fund", direction: "income" },
  { key: "fs", fund: "fund", direction: "spending" },
  { key: "sg", fund: "sangong", direction: "spending" },
];

/** A department's report covers its own 收支 rather than a government's 一般公共预算. */
export function fundName(fund: BudgetFund, kind: Site["kind"]): string {
  if (fund === "general") return kind === "portal" ? "一般公共预算" : "部门收支";
  return fund === "fund" ? "政府性基金预算" : "“三公”经费";
}

export function sectionTitle(section: Section, kind: Site["kind"]): string {
  return `${fundName(section.fund, kind)}${DIRECTION_LABELS[section.direction]}`;
}

/** Who publishes: 市本级 for the portal, the department for its own site. */
export function budgetEntity(site: Site): string {
  return site.kind === "portal" ? "市本级" : site.name;
}

/* ---------------------------------------------------------------- reading */

export interface BudgetLine {
  fund: BudgetFund;
  direction: BudgetDirection;
  code: string;
  name: string;
  /** hundredths of 万元 */
  cents: number;
}

export interface BudgetReport {
  id: number;
  siteId: number;
  year: number;
  stage: BudgetStage;
  note: string;
  published: boolean;
  publishedAt: Date | null;
  updatedAt: Date;
  lines: BudgetLine[];
}

export function linesOf(report: BudgetReport | undefined, key: SectionKey): BudgetLine[] {
  const section = SECTIONS.find((s) => s.key === key);
  if (!report || !section) return [];
  return report.lines.filter((l) => l.fund === section.fund && l.direction === section.direction);
}

export function total(lines: BudgetLine[]): number {
  return lines.reduce((sum, l) => sum + l.cents, 0);
}

async function loadReports(
  ctx: AppContext,
  where: { siteId: number; years?: number[]; stage?: BudgetStage; publishedOnly: boolean },
): Promise<BudgetReport[]> {
  let query = ctx.db.selectFrom("budget_reports").selectAll().where("site_id", "=", where.siteId);
  if (where.years) query = query.where("year", "in", where.years.length ? where.years : [0]);
  if (where.stage) query = query.where("stage", "=", where.stage);
  if (where.publishedOnly) query = query.where("published", "=", true);
  const reports = await query.orderBy("year", "desc").orderBy("stage").execute();
  if (reports.length === 0) return [];
  const lines = await ctx.db
    .selectFrom("budget_lines")
    .select(["report_id", "fund", "direction", "code", "name", "amount"])
    .where(
      "report_id",
      "in",
      reports.map((r) => r.id),
    )
    .orderBy("report_id")
    .orderBy("position")
    .orderBy("id")
    .execute();
  return reports.map((r) => ({
    id: r.id,
    siteId: r.site_id,
    year: r.year,
    stage: r.stage,
    note: r.note,
    published: r.published,
    publishedAt: r.published_at,
    updatedAt: r.updated_at,
    lines: lines
      .filter((l) => l.report_id === r.id)
      .map((l) => ({
        fund: l.fund,
        direction: l.direction,
        code: l.code,
        name: l.name,
        cents: toCents(l.amount),
      })),
  }));
}

/** Published years of a site, newest first, with the stages published for each. */
export async function publishedYears(
  ctx: AppContext,
  siteId: number,
): Promise<{ year: number; stages: BudgetStage[] }[]> {
  const rows = await ctx.db
    .selectFrom("budget_reports")
    .select(["year", "stage"])
    .where("site_id", "=", siteId)
    .where("published", "=", true)
    .orderBy("year", "desc")
    .orderBy("stage")
    .execute();
  const years: { year: number; stages: BudgetStage[] }[] = [];
  for (const r of rows) {
    const last = years.at(-1);
    if (last?.year === r.year) last.stages.push(r.stage);
    else years.push({ year: r.year, stages: [r.stage] });
  }
  return years;
}

/** Other sites with published budget data, for the portal's list of 部门预决算. */
export async function sitesWithBudgets(ctx: AppContext, exceptSiteId: number): Promise<Site[]> {
  return ctx.db
    .selectFrom("sites")
    .selectAll()
    .where("id", "!=", exceptSiteId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("budget_reports")
          .select(sql`1`.as("one"))
          .whereRef("budget_reports.site_id", "=", "sites.id")
          .where("budget_reports.published", "=", true),
      ),
    )
    .orderBy("position")
    .orderBy("id")
    .execute();
}

/** What the public page and the downloads of one year show: its reports and last year's for comparison. */
export interface BudgetYear {
  year: number;
  budget: BudgetReport | undefined;
  final: BudgetReport | undefined;
  previousBudget: BudgetReport | undefined;
  previousFinal: BudgetReport | undefined;
}

export async function publishedBudgetYear(
  ctx: AppContext,
  siteId: number,
  year: number,
): Promise<BudgetYear | undefined> {
  const reports = await loadReports(ctx, { siteId, years: [year, year - 1], publishedOnly: true });
  const find = (y: number, stage: BudgetStage) => reports.find((r) => r.year === y && r.stage === stage);
  const view: BudgetYear = {
    year,
    budget: find(year, "budget"),
    final: find(year, "final"),
    previousBudget: find(year - 1, "budget"),
    previousFinal: find(year - 1, "final"),
  };
  return view.budget || view.final ? view : undefined;
}

/** The report charts and comparisons are drawn from: the 预算 when there is one, else the 决算. */
export function primaryOf(view: BudgetYear): { current: BudgetReport; previous: BudgetReport | undefined } {
  if (view.budget) return { current: view.budget, previous: view.previousBudget };
  if (!view.final) throw new NotFoundError();
  return { current: view.final, previous: view.previousFinal };
}

/* ---------------------------------------------------------------- comparisons */

export interface ComparedRow {
  code: string;
  name: string;
  cents: number | null;
  previous: number | null;
  change: number | null;
  rate: number | null;
}

export interface Comparison {
  rows: ComparedRow[];
  total: ComparedRow;
  hasPrevious: boolean;
}

/**
 * Lines of this year beside the same lines of a base (last year, or the budget for a 决算), matched
 * by name. Lines only in the base follow at the end; a line missing on one side counts as nothing
 * there, and has no rate.
 */
export function compareLines(current: BudgetLine[], base: BudgetLine[] | undefined): Comparison {
  const byName = new Map((base ?? []).map((l) => [l.name, l]));
  const row = (code: string, name: string, cents: number | null, previous: number | null): ComparedRow => ({
    code,
    name,
    cents,
    previous,
    change: base ? (cents ?? 0) - (previous ?? 0) : null,
    rate: base && cents !== null ? changeRate(cents, previous) : null,
  });
  const seen = new Set<string>();
  const rows = current.map((l) => {
    seen.add(l.name);
    const prev = byName.get(l.name);
    return row(l.code, l.name, l.cents, base ? (prev?.cents ?? null) : null);
  });
  for (const l of base ?? []) if (!seen.has(l.name)) rows.push(row(l.code, l.name, null, l.cents));
  const sum = total(current);
  const prevSum = base ? total(base) : null;
  return {
    rows,
    total: row("", "合计", sum, prevSum),
    hasPrevious: base !== undefined && base.length > 0,
  };
}

/* ---------------------------------------------------------------- downloads */

export const BUDGET_CSV_HEADER = [
  "年度",
  "阶段",
  "类别",
  "收支",
  "科目编码",
  "科目名称",
  "金额（万元）",
  "上年金额（万元）",
  "增减额（万元）",
  "增减率（%）",
];

function reportRows(report: BudgetReport, previous: BudgetReport | undefined, kind: Site["kind"]) {
  return SECTIONS.flatMap((section) => {
    const lines = linesOf(report, section.key);
    const base = previous ? linesOf(previous, section.key) : undefined;
    const compared = compareLines(lines, base?.length ? base : undefined);
    return compared.rows.filter((r) => r.cents !== null).map((r) => ({ section, kind, row: r }));
  });
}

function reportsOf(view: BudgetYear): [BudgetReport, BudgetReport | undefined][] {
  const list: [BudgetReport, BudgetReport | undefined][] = [];
  if (view.budget) list.push([view.budget, view.previousBudget]);
  if (view.final) list.push([view.final, view.previousFinal]);
  return list;
}

const amountOrNull = (cents: number | null) => (cents === null ? null : centsToNumber(cents));

export function budgetCsv(site: Site, view: BudgetYear): string {
  const rows = reportsOf(view).flatMap(([report, previous]) =>
    reportRows(report, previous, site.kind).map(({ section, row }) => [
      report.year,
      STAGE_LABELS[report.stage],
      fundName(section.fund, site.kind),
      DIRECTION_LABELS[section.direction],
      row.code,
      row.name,
      amountOrNull(row.cents),
      amountOrNull(row.previous),
      amountOrNull(row.change),
      row.rate,
    ]),
  );
  return toCsv(BUDGET_CSV_HEADER, rows);
}

export function budgetJson(site: Site, view: BudgetYear, publicUrl: string) {
  return {
    site: { code: site.code, name: site.name },
    entity: budgetEntity(site),
    year: view.year,
    unit: "万元",
    source: publicUrl,
    reports: reportsOf(view).map(([report, previous]) => ({
      stage: report.stage,
      stageName: STAGE_LABELS[report.stage],
      publishedAt: report.publishedAt?.toISOString() ?? null,
      note: report.note,
      totals: Object.fromEntries(
        SECTIONS.filter((s) => linesOf(report, s.key).length > 0).map((s) => [
          `${s.fund}.${s.direction}`,
          centsToNumber(total(linesOf(report, s.key))),
        ]),
      ),
      lines: reportRows(report, previous, site.kind).map(({ section, row }) => ({
        fund: section.fund,
        fundName: fundName(section.fund, site.kind),
        direction: section.direction,
        directionName: DIRECTION_LABELS[section.direction],
        code: row.code,
        name: row.name,
        amount: amountOrNull(row.cents),
        previousAmount: amountOrNull(row.previous),
        change: amountOrNull(row.change),
        changeRate: row.rate,
      })),
    })),
  };
}

/* ---------------------------------------------------------------- staff: list and edit */

export interface ReportSummary {
  siteId: number;
  siteName: string;
  year: number;
  stage: BudgetStage;
  published: boolean;
  updatedAt: Date;
  lines: number;
}

export async function reportsForStaff(ctx: AppContext, actor: Actor): Promise<ReportSummary[]> {
  const sites = await disclosureSites(ctx, actor);
  if (sites.length === 0) return [];
  const rows = await ctx.db
    .selectFrom("budget_reports")
    .innerJoin("sites", "sites.id", "budget_reports.site_id")
    .select((eb) => [
      "budget_reports.site_id",
      "sites.name as site_name",
      "budget_reports.year",
      "budget_reports.stage",
      "budget_reports.published",
      "budget_reports.updated_at",
      eb
        .selectFrom("budget_lines")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("budget_lines.report_id", "=", "budget_reports.id")
        .as("lines"),
    ])
    .where(
      "budget_reports.site_id",
      "in",
      sites.map((s) => s.id),
    )
    .orderBy("sites.position")
    .orderBy("budget_reports.year", "desc")
    .orderBy("budget_reports.stage")
    .execute();
  return rows.map((r) => ({
    siteId: r.site_id,
    siteName: r.site_name,
    year: r.year,
    stage: r.stage,
    published: r.published,
    updatedAt: r.updated_at,
    lines: Number(r.lines ?? 0),
  }));
}

export function parseYear(text: string): number | null {
  return /^\d{4}$/.test(text) && Number(text) >= 2000 && Number(text) <= 2100 ? Number(text) : null;
}

export function parseStage(text: string): BudgetStage | null {
  return (BUDGET_STAGES as readonly string[]).includes(text) ? (text as BudgetStage) : null;
}

/** A report for the editing form, or undefined when the year and stage have not been entered yet. */
export async function reportForEditing(
  ctx: AppContext,
  actor: Actor,
  siteId: number,
  year: number,
  stage: BudgetStage,
): Promise<{ site: Site; report: BudgetReport | undefined }> {
  const site = await requireDisclosureSite(ctx, actor, siteId);
  const [report] = await loadReports(ctx, { siteId, years: [year], stage, publishedOnly: false });
  return { site, report };
}

export interface BudgetLineInput {
  code: string;
  name: string;
  amount: string;
}

export interface BudgetReportInput {
  note: string;
  published: boolean;
  sections: Record<SectionKey, BudgetLineInput[]>;
}

const MAX_ROWS = 60;

/** Checks every line and the balance of each fund; returns the lines to store or throws all problems at once. */
function checkReport(input: BudgetReportInput, kind: Site["kind"]): BudgetLine[] {
  const problems = new Problems();
  const lines: BudgetLine[] = [];
  for (const section of SECTIONS) {
    const title = sectionTitle(section, kind);
    const rows = input.sections[section.key] ?? [];
    const names = new Set<string>();
    let count = 0;
    rows.forEach((raw, i) => {
      const code = raw.code.trim();
      const name = raw.name.trim();
      const amountText = raw.amount.trim();
      if (!code && !name && !amountText) return;
      count += 1;
      const at = `${section.key}.${i}`;
      const where = `${title}第 ${i + 1} 行`;
      if (!name) problems.add(`${at}.name`, `${where}：请填写科目名称`);
      else if (name.length > 40) problems.add(`${at}.name`, `${where}：科目名称不超过 40 字`);
      else if (names.has(name)) problems.add(`${at}.name`, `${where}：科目“${name}”重复，每个科目只填一行`);
      names.add(name);
      if (code && !/^\d{3,9}$/.test(code)) problems.add(`${at}.code`, `${where}：科目编码应为 3—9 位数字`);
      const cents = amountText ? parseAmount(amountText) : null;
      if (!amountText) problems.add(`${at}.amount`, `${where}：请填写金额`);
      else if (cents === null)
        problems.add(`${at}.amount`, `${where}：金额应为不小于零的数字，单位万元，最多两位小数`);
      if (name && cents !== null)
        lines.push({ fund: section.fund, direction: section.direction, code, name, cents });
    });
    if (count > MAX_ROWS) problems.add(section.key, `${title}最多 ${MAX_ROWS} 行`);
  }
  if (input.note.length > 500) problems.add("note", "说明不超过 500 字");
  if (!problems.any) {
    for (const fund of ["general", "fund"] as const) {
      const income = total(lines.filter((l) => l.fund === fund && l.direction === "income"));
      const spending = total(lines.filter((l) => l.fund === fund && l.direction === "spending"));
      const any = lines.some((l) => l.fund === fund);
      if (any && income !== spending) {
        const name = fundName(fund, kind);
        problems.add(
          fund === "general" ? "gs" : "fs",
          `${name}收入合计 ${formatAmount(income)} 万元与支出合计 ${formatAmount(spending)} 万元不相等：收支应平衡，可用“上年结转”“调入资金”等科目补齐`,
        );
      }
    }
    if (input.published && !lines.some((l) => l.fund === "general" && l.direction === "spending"))
      problems.add("gs", `公开前请至少填写一项${fundName("general", kind)}支出`);
  }
  problems.throwIfAny();
  return lines;
}

/**
 * Saves a site's report for a year and stage: all lines are replaced at once, in one transaction,
 * and only after every line has been checked, so a refused form writes nothing.
 */
export async function saveBudgetReport(
  ctx: AppContext,
  actor: Actor,
  siteId: number,
  year: number,
  stage: BudgetStage,
  input: BudgetReportInput,
): Promise<void> {
  const site = await requireDisclosureSite(ctx, actor, siteId);
  const lines = checkReport(input, site.kind);
  await ctx.db.transaction().execute(async (trx) => {
    const report = await trx
      .insertInto("budget_reports")
      .values({
        site_id: site.id,
        year,
        stage,
        note: input.note.trim(),
        published: input.published,
        published_at: input.published ? new Date() : null,
        updated_by: actor.id,
      })
      .onConflict((oc) =>
        oc.columns(["site_id", "year", "stage"]).doUpdateSet({
          note: input.note.trim(),
          published: input.published,
          // keep the first publication time while the report stays public
          published_at: input.published ? sql<Date>`coalesce(budget_reports.published_at, now())` : null,
          updated_at: sql<Date>`now()`,
          updated_by: actor.id,
        }),
      )
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx.deleteFrom("budget_lines").where("report_id", "=", report.id).execute();
    if (lines.length) {
      await trx
        .insertInto("budget_lines")
        .values(
          lines.map((l, position) => ({
            report_id: report.id,
            fund: l.fund,
            direction: l.direction,
            code: l.code,
            name: l.name,
            amount: centsToNumeric(l.cents),
            position,
          })),
        )
        .execute();
    }
  });
}

/** Removes a report and its lines. */
export async function deleteBudgetReport(
  ctx: AppContext,
  actor: Actor,
  siteId: number,
  year: number,
  stage: BudgetStage,
): Promise<void> {
  await requireDisclosureSite(ctx, actor, siteId);
  const deleted = await ctx.db
    .deleteFrom("budget_reports")
    .where("site_id", "=", siteId)
    .where("year", "=", year)
    .where("stage", "=", stage)
    .executeTakeFirst();
  if (!deleted.numDeletedRows) throw new NotFoundError("该年度的预决算数据不存在");
}

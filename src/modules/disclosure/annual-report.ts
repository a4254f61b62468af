import { sql } from "kysely";
import { type Actor, can } from "../../core/auth/permissions.ts";
import { addCalendarDays } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { Problems, UserError } from "../../core/errors.ts";
import type { Reminder } from "../../core/reminders.ts";
import { isNormative, validityOn } from "../content/metadata.ts";
import { createDocument, saveDraft, submitForReview } from "../content/service.ts";
import { ORG_CATEGORIES, OUTCOMES, type Outcome } from "./request-schema.ts";
import { type ReportFigures, renderReportBody } from "./views/annual-report.tsx";

/**
 * The annual report's table 三 (收到和处理政府信息公开申请情况), computed from the cases themselves.
 * A request counts as received on the (China) day it was submitted and as handled on the day it
 * was closed, so 一 (new) + 二 (carried in) = 三(七) (handled) + 四 (carried out) holds by construction.
 */
export const APPLICANT_COLUMNS = ["自然人", ...ORG_CATEGORIES, "总计"] as const;

export interface TableRow {
  key: string;
  label: string;
  level: 0 | 1 | 2;
  values: number[];
}

type Column = (typeof APPLICANT_COLUMNS)[number];

function emptyRow(key: string, label: string, level: 0 | 1 | 2): TableRow {
  return { key, label, level, values: APPLICANT_COLUMNS.map(() => 0) };
}

function add(row: TableRow, column: Column, n = 1): void {
  const i = APPLICANT_COLUMNS.indexOf(column);
  row.values[i] = (row.values[i] ?? 0) + n;
  row.values[APPLICANT_COLUMNS.length - 1] = (row.values[APPLICANT_COLUMNS.length - 1] ?? 0) + n;
}

const GROUPS = [
  ["予以公开", "（一）予以公开"],
  ["部分公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"],
  ["不予公开", "（三）不予公开"],
  ["无法提供", "（四）无法提供"],
  ["不予处理", "（五）不予处理"],
  ["其他处理", "（六）其他处理"],
] as const;

export interface RequestTable {
  columns: readonly string[];
  rows: TableRow[];
  balanced: boolean;
}

export async function requestTable(ctx: AppContext, siteId: number, year: number): Promise<RequestTable> {
  const start = `${year}-01-01`;
  const end = `${year + 1}-01-01`;
  const china = (column: string) =>
    sql<string>`(${sql.ref(column)} at time zone 'Asia/Shanghai')::date::text`;
  const cases = await ctx.db
    .selectFrom("info_requests")
    .select([
      "applicant_type",
      "org_category",
      "outcome",
      china("submitted_at").as("received"),
      sql<string | null>`(closed_at at time zone 'Asia/Shanghai')::date::text`.as("closed"),
    ])
    .where("site_id", "=", siteId)
    .where(china("submitted_at"), "<", end)
    .execute();

  const fresh = emptyRow("new", "一、本年新收政府信息公开申请数量", 0);
  const carriedIn = emptyRow("carried_in", "二、上年结转政府信息公开申请数量", 0);
  const carriedOut = emptyRow("carried_out", "四、结转下年度继续办理", 0);
  const outcomeRows = new Map<string, TableRow>();
  const groupRows = new Map<string, TableRow>();
  const rows: TableRow[] = [fresh, carriedIn, emptyRow("handled_heading", "三、本年度办理结果", 0)];
  for (const [group, label] of GROUPS) {
    const groupRow = emptyRow(group, label, 1);
    groupRows.set(group, groupRow);
    rows.push(groupRow);
    const items = (Object.entries(OUTCOMES) as [Outcome, (typeof OUTCOMES)[Outcome]][]).filter(
      ([, o]) => o.group === group && o.item,
    );
    const seen = new Set<string>();
    for (const [outcome, o] of items) {
      if (seen.has(o.item)) {
        outcomeRows.set(
          outcome,
          outcomeRows.get(items.find(([, x]) => x.item === o.item)?.[0] ?? outcome) as TableRow,
        );
        continue;
      }
      seen.add(o.item);
      const label =
        o.item === "1" && group === "无法提供" ? "1．本机关不掌握相关政府信息" : `${o.item}．${o.label}`;
      const itemRow = emptyRow(outcome, label, 2);
      outcomeRows.set(outcome, itemRow);
      rows.push(itemRow);
    }
  }
  const total = emptyRow("handled_total", "（七）总计", 1);
  rows.push(total, carriedOut);

  for (const c of cases) {
    const column: Column = c.applicant_type === "person" ? "自然人" : (c.org_category ?? "其他");
    const closedBefore = c.closed !== null && c.closed < start;
    if (closedBefore) continue;
    if (c.received >= start) add(fresh, column);
    else add(carriedIn, column);
    const handledThisYear = c.closed !== null && c.closed < end && c.outcome;
    if (handledThisYear && c.outcome) {
      const group = OUTCOMES[c.outcome].group;
      const groupRow = groupRows.get(group);
      if (groupRow) add(groupRow, column);
      const itemRow = outcomeRows.get(c.outcome);
      if (itemRow) add(itemRow, column);
      add(total, column);
    } else {
      add(carriedOut, column);
    }
  }
  const last = APPLICANT_COLUMNS.length - 1;
  const sum = (r: TableRow) => r.values[last] ?? 0;
  return {
    columns: APPLICANT_COLUMNS,
    rows,
    balanced: sum(fresh) + sum(carriedIn) === sum(total) + sum(carriedOut),
  };
}

/* ------------------------------------------------------------------ table 二: 主动公开 */

export interface DisclosureTable {
  /** 第二十条第（一）项: 规章 and 行政规范性文件 — 本年制发, 本年废止, 现行有效 */
  regulations: { label: string; issued: number; repealed: number; inForce: number }[];
}

/** Counts the site's own published policies by the catalogue metadata (normative flag, validity and dates). */
export async function disclosureTable(
  ctx: AppContext,
  siteId: number,
  year: number,
): Promise<DisclosureTable> {
  const docs = await ctx.db
    .selectFrom("documents as d")
    .innerJoin("document_versions as v", "v.id", "d.live_version_id")
    .select(["v.metadata"])
    .where("d.site_id", "=", siteId)
    .where("d.type", "=", "policy")
    .execute();
  const yearEnd = `${year}-12-31`;
  const count = (kind: "规章" | "行政规范性文件") => {
    const mine = docs
      .map((d) => d.metadata)
      .filter((m) => (kind === "规章" ? m.doc_form === "规章" : isNormative(m) && m.doc_form !== "规章"));
    const inYear = (day: string | undefined) => !!day && day.startsWith(`${year}-`);
    // a document marked 有效 whose 有效期 ran out within the year lapsed then, as much as a repealed one
    const lapsedInYear = (m: Record<string, string>) => inYear(m.valid_to);
    return {
      label: kind,
      issued: mine.filter((m) => inYear(m.written_date)).length,
      repealed: mine.filter(lapsedInYear).length,
      inForce: mine.filter(
        (m) =>
          (m.written_date ?? "") <= yearEnd &&
          (validityOn(m, addCalendarDays(yearEnd, 1)) === "有效" || (m.valid_to ?? "") > yearEnd),
      ).length,
    };
  };
  return { regulations: [count("规章"), count("行政规范性文件")] };
}

/* ------------------------------------------------------------------ fees (part 六) */

export async function feeSummary(ctx: AppContext, siteId: number, year: number) {
  const rows = await ctx.db
    .selectFrom("info_request_notices as n")
    .innerJoin("info_requests as r", "r.id", "n.request_id")
    .select(["r.id", "r.fee_amount", "r.state", "r.outcome"])
    .where("r.site_id", "=", siteId)
    .where("n.kind", "=", "fee")
    .where(sql<string>`to_char(n.created_at at time zone 'Asia/Shanghai', 'YYYY')`, "=", String(year))
    .execute();
  const paidIds = new Set(
    (
      await ctx.db
        .selectFrom("workflow_events")
        .select("subject_id")
        .where("subject_type", "=", "info_request")
        .where("action", "=", "fee_paid")
        .execute()
    ).map((e) => e.subject_id),
  );
  const amount = (list: typeof rows) => list.reduce((sum, r) => sum + Number(r.fee_amount ?? 0), 0);
  return {
    notices: rows.length,
    noticed: amount(rows),
    collected: amount(rows.filter((r) => paidIds.has(r.id))),
  };
}

/* ------------------------------------------------------------------ the report itself */

const NUMBER_KEYS = [
  "licences",
  "penalties",
  "enforcement",
  "charges",
  ...["review", "direct", "after"].flatMap((g) => [0, 1, 2, 3].map((i) => `${g}${i}`)),
];

export interface ReportInput {
  narrative: { overview: string; problems: string; other: string };
  manual: Record<string, string>;
}

export async function loadReport(ctx: AppContext, siteId: number, year: number) {
  return ctx.db
    .selectFrom("annual_reports")
    .selectAll()
    .where("site_id", "=", siteId)
    .where("year", "=", year)
    .executeTakeFirst();
}

/** Everything the report shows, computed now from the platform's data plus what staff entered. */
export async function reportFigures(ctx: AppContext, siteId: number, year: number): Promise<ReportFigures> {
  const [site, stored, disclosure, requests, fees] = await Promise.all([
    ctx.db
      .selectFrom("sites")
      .leftJoin("departments", "departments.id", "sites.department_id")
      .select(["sites.name", "sites.settings", "departments.name as department_name"])
      .where("sites.id", "=", siteId)
      .executeTakeFirstOrThrow(),
    loadReport(ctx, siteId, year),
    disclosureTable(ctx, siteId, year),
    requestTable(ctx, siteId, year),
    feeSummary(ctx, siteId, year),
  ]);
  return {
    organ: site.department_name ?? site.settings.sponsor ?? site.name,
    year,
    disclosure,
    requests,
    fees,
    narrative: (stored?.narrative ?? {}) as Record<string, string>,
    manual: (stored?.manual ?? {}) as Record<string, number>,
  };
}

export async function saveReport(
  ctx: AppContext,
  actorId: number,
  siteId: number,
  year: number,
  input: ReportInput,
): Promise<void> {
  const problems = new Problems();
  const manual: Record<string, number> = {};
  for (const key of NUMBER_KEYS) {
    const raw = (input.manual[key] ?? "").trim() || "0";
    const value = Number(raw);
    const decimals = key === "charges" ? 4 : 0;
    if (!Number.isFinite(value) || value < 0 || value > 1e9 || (decimals === 0 && !Number.isInteger(value))) {
      problems.add(key, key === "charges" ? "收费金额应为不小于 0 的数字（万元）" : "应为不小于 0 的整数");
    } else manual[key] = value;
  }
  for (const [key, text] of Object.entries(input.narrative)) {
    if (text.length > 20000) problems.add(key, "内容不超过 20000 字");
  }
  problems.throwIfAny();
  const values = {
    narrative: JSON.stringify(input.narrative) as unknown as Record<string, string>,
    manual: JSON.stringify(manual) as unknown as Record<string, number>,
    updated_by: actorId,
    updated_at: new Date(),
  };
  await ctx.db
    .insertInto("annual_reports")
    .values({ site_id: siteId, year, ...values })
    .onConflict((oc) => oc.columns(["site_id", "year"]).doUpdateSet(values))
    .execute();
}

/** Writes the report into the site's 年报 column as a document and submits it to that column's review. */
export async function publishReport(
  ctx: AppContext,
  actor: Actor,
  siteId: number,
  year: number,
): Promise<number> {
  const column = await ctx.db
    .selectFrom("columns")
    .select(["id"])
    .where("site_id", "=", siteId)
    .where("column_type", "=", "信息公开年报")
    .where("type", "=", "list")
    .orderBy("id")
    .executeTakeFirst();
  if (!column)
    throw new UserError(
      "本站点还没有“政府信息公开年报”栏目，请先在栏目管理中创建（栏目分类选“信息公开年报”）",
    );
  const figures = await reportFigures(ctx, siteId, year);
  if (!figures.requests.balanced) throw new UserError("表三勾稽关系不成立，不能生成报告");
  const draft = {
    title: `${figures.organ}${year}年政府信息公开工作年度报告`,
    summary: "",
    bodyHtml: renderReportBody(figures),
    metadata: {},
    attachmentIds: [],
  };
  const report = await loadReport(ctx, siteId, year);
  let documentId = report?.document_id ?? null;
  if (documentId) await saveDraft(ctx, actor, documentId, draft);
  else documentId = await createDocument(ctx, actor, { ...draft, columnId: column.id, type: "report" });
  await ctx.db
    .updateTable("annual_reports")
    .set({ document_id: documentId })
    .where("site_id", "=", siteId)
    .where("year", "=", year)
    .execute();
  await submitForReview(ctx, actor, documentId, null);
  return documentId;
}

/** The deadline of 条例 Art 49: departments by 31 January, the people's government's own summary by 31 March. */
export function reportDeadline(year: number, kind: "portal" | "department" | "topic"): string {
  return kind === "portal" ? `${year + 1}-03-31` : `${year + 1}-01-31`;
}

/**
 * Reports the actor looks after that are not yet public: next year's due report from December on
 * (a notice), last year's until its deadline (a warning in the final two weeks), and overdue after it.
 */
export async function reportReminders(ctx: AppContext, actor: Actor, today: string): Promise<Reminder[]> {
  const month = Number(today.slice(5, 7));
  const year = Number(today.slice(0, 4)) - (month === 12 ? 0 : 1);
  const sites = await ctx.db.selectFrom("sites").select(["id", "name", "kind"]).orderBy("position").execute();
  const mine = sites.filter((s) => can(actor, "site.manage", { siteId: s.id }));
  const published = await publishedReportSites(ctx, year);
  const reminders: Reminder[] = [];
  for (const site of mine) {
    const deadline = reportDeadline(year, site.kind);
    if (month > 3 && month < 12 && today <= deadline) continue;
    if (published.has(site.id)) continue;
    const level =
      today > deadline ? "overdue" : addCalendarDays(today, 14) >= deadline ? "warning" : "notice";
    reminders.push({
      level,
      text: `${site.name}${year}年政府信息公开工作年度报告${level === "overdue" ? "已超过" : "应于"} ${deadline} ${level === "overdue" ? "的发布期限，尚未发布" : "前发布"}`,
      href: `/admin/disclosure/annual-reports/${site.id}/${year}`,
    });
  }
  return reminders;
}

/** Sites whose report for the year is public: one query for the whole dashboard. */
async function publishedReportSites(ctx: AppContext, year: number): Promise<Set<number>> {
  const rows = await ctx.db
    .selectFrom("annual_reports")
    .innerJoin("documents", "documents.id", "annual_reports.document_id")
    .select("annual_reports.site_id")
    .where("annual_reports.year", "=", year)
    .where("documents.live_version_id", "is not", null)
    .execute();
  return new Set(rows.map((r) => r.site_id));
}

import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Transaction } from "kysely";
import type { AppContext } from "../core/context.ts";
import type { Database } from "../core/db/tables.ts";
import { sanitizeRichText } from "../core/sanitize.ts";
import { FLAG_TRUE } from "../modules/content/metadata.ts";
import { assignIndexNo, orgCodeCheckChar, usccCheckChar } from "../modules/disclosure/catalogue.ts";
import type { SiteSettings } from "../modules/sites/schema.ts";
import { getAppState, setAppState } from "../modules/sites/service.ts";
import { importBudgetDemo } from "./budget.ts";
import { demoAnnualReportBody, disclosureGuideHtml, disclosureRulesHtml } from "./disclosure-pages.ts";
import { importFaqsAndIndex } from "./faqs.ts";
import { importInteractionDemo } from "./interaction.ts";
import { importServicesDemo } from "./services.ts";

export const DEMO_DIR = path.resolve(import.meta.dirname, "../../demo");

type Trx = Transaction<Database>;

interface CorpusDepartment {
  id: string;
  name: string;
  short_name: string;
  category: string;
  duties: string;
  phone: string;
  address: string;
}
interface CorpusColumn {
  id: string;
  name: string;
  slug: string;
  parent: string | null;
  type: "list" | "single" | "link" | "catalog";
  update_days: number | null;
}
interface CorpusCity {
  name: string;
  admin_code: string;
  area_code: string;
  portal_name: string;
  portal_url: string;
  service_portal_url: string;
  government_address: string;
  intro: string;
  hotline_desc: string;
  citizen_center: { name: string; address: string; hours: string; phone: string };
  districts: {
    id: string;
    name: string;
    type: string;
    service_center: string;
    address: string;
    phone: string;
    streets: string[];
  }[];
}
interface CorpusPolicy {
  id: string;
  title: string;
  doc_number: string;
  issuer_department: string;
  co_issuer_departments: string[];
  written_date: string;
  published_date: string;
  theme: string;
  validity: string;
  replaced_by: string | null;
  doc_form: string;
  column_id: string;
  body: string;
}
interface CorpusInterpretation {
  id: string;
  title: string;
  policy_id: string;
  department: string;
  published_date: string;
  column_id: string;
  body: string;
}

/** The national ColumnType for each demo column, by name. */
const COLUMN_TYPE_BY_NAME: Record<string, string> = {
  首页: "首页",
  政务公开: "信息公开目录",
  政府信息公开指南: "信息公开指南",
  政府信息公开制度: "信息公开目录",
  法定主动公开内容: "信息公开目录",
  机构职能: "机构职能",
  政策文件: "政策文件",
  政策解读: "政策解读",
  统计数据: "数据发布",
  政府信息公开年报: "信息公开年报",
  依申请公开: "依法申请公开",
  市长信箱: "咨询投诉",
  咨询投诉: "咨询投诉",
  民意征集: "征集调查",
  调查问卷: "征集调查",
  在线访谈: "在线访谈",
  走进青禾: "概况信息",
  青禾概况: "概况信息",
  行政区划: "概况信息",
  历史文化: "概况信息",
  文旅青禾: "概况信息",
};

/** Portal columns that show a module's own public pages (disclosure budget-routes, services routes). */
const MODULE_PAGE_COLUMNS: Record<string, string> = {
  "col-zwgk-czyjs": "/czyjs/",
  "col-zwgk-zdxm": "/zdxm/",
  "col-zwfw-gr": "/bsfw/?dx=个人",
  "col-zwfw-fr": "/bsfw/?dx=法人",
  "col-zwfw-yjs": "/bsfw/yjs/",
  "col-zwfw-wt": "/bsfw/",
};

/** The 年报 sits beside 法定主动公开内容 in the national structure, not inside it as the corpus has it. */
function parentOf(column: CorpusColumn): string | null {
  return column.id === "col-zwgk-nb" ? "col-zwgk" : column.parent;
}

/** Review chains the demo starts with: the portal has three levels, department sites one or two. */
const PORTAL_CHAIN = ["科室初审", "分管领导复审", "办公室终审"];
const DEPARTMENT_CHAIN = ["科室初审", "办公室终审"];

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(path.join(DEMO_DIR, file), "utf8")) as T;
}

/** Plain corpus text to safe HTML: short numbered lines become headings, the rest paragraphs. */
export function textToHtml(text: string): string {
  const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const html = text
    .split(/\n+/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) =>
      /^[一二三四五六七八九十]+、/.test(line) && line.length <= 40
        ? `<h2>${escapeHtml(line)}</h2>`
        : `<p>${escapeHtml(line)}</p>`,
    )
    .join("\n");
  return sanitizeRichText(html);
}

/** Publishing time of a corpus date: 09:00 China time. */
function at(date: string): Date {
  return new Date(`${date}T09:00:00+08:00`);
}

type Progress = (message: string) => void;

export async function demoImported(ctx: AppContext): Promise<boolean> {
  return (await getAppState<{ at: string }>(ctx, "demo_imported")) !== undefined;
}

/** Imports the sample city 青禾市 from demo/: departments, portal and department sites, columns, policies, interpretations. */
export async function importDemo(ctx: AppContext, progress: Progress = () => {}): Promise<void> {
  if (await demoImported(ctx)) return;
  const site = await readJson<{ city: CorpusCity; departments: CorpusDepartment[]; columns: CorpusColumn[] }>(
    "site.json",
  );
  const corpus = await readJson<{ policies: CorpusPolicy[]; interpretations: CorpusInterpretation[] }>(
    "policies.json",
  );
  await ctx.db.transaction().execute(async (trx) => {
    const departments = await importDepartments(trx, site.departments, site.city.admin_code);
    progress(`部门 ${departments.size} 个`);
    const portal = await importPortal(trx, site.city, site.columns, departments);
    progress(`门户网站栏目 ${site.columns.length} 个`);
    const deptSites = await importDepartmentSites(trx, site.city, site.departments, departments);
    progress(`部门网站 ${deptSites.size} 个`);
    await importPortalPages(trx, site.city, site.departments, portal);
    await importBudgetDemo(trx, portal.siteId, new Map([...deptSites].map(([ref, d]) => [ref, d.siteId])));
    progress("财政预决算和重大建设项目（虚构演示数据）");
    progress(`政务服务事项 ${(await importServicesDemo(trx, departments, deptSites, DEMO_DIR)).items} 个`);
    await importInteractionDemo(
      trx,
      ctx.cipher,
      portal.siteId,
      new Map([...deptSites].map(([ref, d]) => [ref, d.siteId])),
    );
    let done = 0;
    // 政府信息公开目录: catalogue items get their 索引号 in published-date order, after all are in
    const catalogue: { id: number; publishedAt: Date; order: string }[] = [];
    const publishedOn = new Map(corpus.policies.map((p) => [p.id, p.published_date]));
    for (const policy of corpus.policies) {
      const home = deptSites.get(policy.issuer_department);
      if (!home) throw new Error(`政策 ${policy.id} 的发文部门 ${policy.issuer_department} 不存在`);
      const issuer = [policy.issuer_department, ...policy.co_issuer_departments]
        .map((d) => departments.get(d)?.name)
        .filter(Boolean)
        .join("、");
      const lapsed = policy.validity !== "有效";
      const policyId = await importDocument(trx, {
        ref: policy.id,
        type: "policy",
        siteId: home.siteId,
        departmentId: home.departmentId,
        primaryColumn: home.columns.zcwj,
        referenceColumns: [portal.columns.get(policy.column_id)].filter((c): c is number => c !== undefined),
        title: policy.title,
        bodyHtml: textToHtml(policy.body),
        metadata: {
          issuer,
          doc_number: policy.doc_number,
          written_date: policy.written_date,
          theme: policy.theme,
          doc_form: policy.doc_form,
          // 办法、规定、细则 are the demo city's 行政规范性文件
          ...(policy.doc_form === "办法/规定/细则" ? { normative: FLAG_TRUE } : {}),
          validity: policy.validity,
          // the corpus has no lapse dates: a replaced document lapses when its successor is published
          ...(lapsed && policy.replaced_by ? { valid_to: publishedOn.get(policy.replaced_by) ?? "" } : {}),
          ...(policy.replaced_by ? { replaced_by: policy.replaced_by } : {}),
          disclosure: "主动公开",
        },
        publishedAt: at(policy.published_date),
      });
      catalogue.push({ id: policyId, publishedAt: at(policy.published_date), order: `0${policy.id}` });
      if (++done % 20 === 0) progress(`政策文件 ${done}/${corpus.policies.length}`);
    }
    progress(`政策文件 ${corpus.policies.length} 件`);
    for (const item of corpus.interpretations) {
      const home = deptSites.get(item.department);
      if (!home) throw new Error(`解读 ${item.id} 的部门 ${item.department} 不存在`);
      const interpretationId = await importDocument(trx, {
        ref: item.id,
        type: "interpretation",
        siteId: home.siteId,
        departmentId: home.departmentId,
        primaryColumn: home.columns.zcjd,
        referenceColumns: [portal.columns.get(item.column_id)].filter((c): c is number => c !== undefined),
        title: item.title,
        bodyHtml: textToHtml(item.body),
        metadata: {
          interpreter: departments.get(item.department)?.name ?? "",
          policy_ref: item.policy_id,
          form: "文字解读",
          disclosure: "主动公开",
        },
        publishedAt: at(item.published_date),
      });
      catalogue.push({ id: interpretationId, publishedAt: at(item.published_date), order: `1${item.id}` });
    }
    progress(`政策解读 ${corpus.interpretations.length} 篇`);
    catalogue.sort(
      (a, b) => a.publishedAt.getTime() - b.publishedAt.getTime() || a.order.localeCompare(b.order),
    );
    for (const item of catalogue) await assignIndexNo(trx, item.id, item.publishedAt);
    progress(`索引号 ${catalogue.length} 个`);
    await importAnnualReports({ ...ctx, db: trx }, 2025);
    progress("2025年政府信息公开工作年度报告");
  });
  await importFaqsAndIndex(ctx, progress);
  await setAppState(ctx, "demo_imported", { at: new Date().toISOString() });
}

/**
 * Each site's report for the year, computed from the imported data and published in its 年报 column.
 * Runs inside the import's transaction: `ctx.db` is that transaction.
 */
async function importAnnualReports(ctx: AppContext & { db: Trx }, year: number): Promise<void> {
  const columns = await ctx.db
    .selectFrom("columns")
    .innerJoin("sites", "sites.id", "columns.site_id")
    .select(["columns.id", "columns.site_id", "sites.department_id"])
    .where("columns.column_type", "=", "信息公开年报")
    .where("columns.type", "=", "list")
    .execute();
  const reports = await Promise.all(
    columns.map(async (column) => ({ column, ...(await demoAnnualReportBody(ctx, column.site_id, year)) })),
  );
  for (const { column, title, bodyHtml } of reports) {
    const documentId = await importDocument(ctx.db, {
      ref: null,
      type: "report",
      siteId: column.site_id,
      departmentId: column.department_id,
      primaryColumn: column.id,
      referenceColumns: [],
      title,
      bodyHtml,
      metadata: {},
      publishedAt: at(`${year + 1}-01-20`),
    });
    await ctx.db
      .insertInto("annual_reports")
      .values({ site_id: column.site_id, year, document_id: documentId })
      .execute();
  }
}

/**
 * A fictional 统一社会信用代码 for the n-th demo department: 1 (机构编制) 1 (机关), the city's
 * region code, a 组织机构代码 "MB" + six digits with its check character, and the final check.
 */
export function demoOrgCode(regionCode: string, n: number): string {
  const org = `MB${String(n).padStart(6, "0")}`;
  const first17 = `11${regionCode}${org}${orgCodeCheckChar(org)}`;
  return `${first17}${usccCheckChar(first17)}`;
}

async function importDepartments(trx: Trx, list: CorpusDepartment[], regionCode: string) {
  const ids = new Map<string, { id: number; name: string }>();
  for (const [index, d] of list.entries()) {
    const row = await trx
      .insertInto("departments")
      .values({
        ref: d.id,
        name: d.name,
        short_name: d.short_name,
        category: d.category,
        duties: d.duties,
        phone: d.phone,
        address: d.address,
        org_code: demoOrgCode(regionCode, 1001 + index),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    ids.set(d.id, { id: row.id, name: d.name });
  }
  return ids;
}

function siteIdCode(city: CorpusCity, sequence: number): string {
  return `${city.admin_code}${String(sequence).padStart(4, "0")}`;
}

async function importPortal(
  trx: Trx,
  city: CorpusCity,
  columns: CorpusColumn[],
  departments: Map<string, { id: number; name: string }>,
) {
  const domain = new URL(city.portal_url).host;
  const settings: SiteSettings = {
    idCode: siteIdCode(city, 1),
    domain,
    sponsor: departments.get("dept-zfb")?.name ?? `${city.name}人民政府办公室`,
    organizer: departments.get("dept-zsj")?.name,
    icp: "青ICP备99990001号",
    psb: "青公网安备99990002000001号",
    phone: `${city.area_code}-12345`,
    address: city.government_address,
    description: city.intro,
  };
  const site = await trx
    .insertInto("sites")
    .values({
      ref: "portal",
      code: "www",
      name: city.portal_name,
      kind: "portal",
      settings: JSON.stringify(settings) as unknown as SiteSettings,
      position: 0,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const ids = new Map<string, number>();
  for (const [position, c] of columns.entries()) {
    const linkUrl =
      c.type !== "link"
        ? null
        : c.id === "col-zwfw-wt"
          ? city.service_portal_url
          : c.id === "col-zwgk-ysq"
            ? "/ysqgk/"
            : `${city.portal_url.replace(/\/$/, "")}/${c.slug}/`;
    const row = await trx
      .insertInto("columns")
      .values({
        site_id: site.id,
        parent_id: parentOf(c) ? (ids.get(parentOf(c) as string) ?? null) : null,
        ref: c.id,
        slug: c.slug,
        name: c.name,
        type: c.type,
        column_type:
          COLUMN_TYPE_BY_NAME[c.name] ??
          (c.parent === "col-zwfw" || c.id === "col-zwfw" ? "办事服务" : "信息公开目录"),
        link_url: linkUrl,
        update_days: c.update_days,
        review_steps: c.type === "list" ? PORTAL_CHAIN : [],
        position,
        in_nav: c.id !== "col-home",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    ids.set(c.id, row.id);
  }
  // 财政预决算 and 重大建设项目 show the disclosure module's pages rather than a document list
  for (const [ref, url] of Object.entries(MODULE_PAGE_COLUMNS))
    await trx
      .updateTable("columns")
      .set({ type: "link", link_url: url, review_steps: [] })
      .where("ref", "=", ref)
      .execute();
  return { siteId: site.id, columns: ids };
}

/**
 * A department site's columns, parents first. 政府信息公开 follows the national structure: 指南, 制度,
 * 法定主动公开内容 (the Art 20 categories this demo has data for), 年报 and the 依申请公开 entry.
 */
const DEPARTMENT_COLUMNS = [
  { slug: "gzdt", name: "工作动态", type: "list", columnType: "工作动态", updateDays: 14 },
  { slug: "tzgg", name: "通知公告", type: "list", columnType: "工作动态", updateDays: 180 },
  { slug: "zfxxgk", name: "政府信息公开", type: "catalog", columnType: "信息公开目录", updateDays: null },
  {
    slug: "xxgkzn",
    parent: "zfxxgk",
    name: "政府信息公开指南",
    type: "single",
    columnType: "信息公开指南",
    updateDays: 365,
  },
  {
    slug: "xxgkzd",
    parent: "zfxxgk",
    name: "政府信息公开制度",
    type: "single",
    columnType: "信息公开目录",
    updateDays: 365,
  },
  {
    slug: "fdzdgknr",
    parent: "zfxxgk",
    name: "法定主动公开内容",
    type: "catalog",
    columnType: "信息公开目录",
    updateDays: null,
  },
  {
    slug: "jgzn",
    parent: "fdzdgknr",
    name: "机构职能",
    type: "single",
    columnType: "机构职能",
    updateDays: 365,
  },
  {
    slug: "zcwj",
    parent: "fdzdgknr",
    name: "政策文件",
    type: "list",
    columnType: "政策文件",
    updateDays: 180,
  },
  {
    slug: "zcjd",
    parent: "fdzdgknr",
    name: "政策解读",
    type: "list",
    columnType: "政策解读",
    updateDays: 180,
  },
  {
    slug: "czyjs",
    parent: "fdzdgknr",
    name: "财政预决算",
    type: "link",
    columnType: "信息公开目录",
    updateDays: null,
  },
  {
    slug: "xxgknb",
    parent: "zfxxgk",
    name: "政府信息公开年报",
    type: "list",
    columnType: "信息公开年报",
    updateDays: 365,
  },
  {
    slug: "ysqgk",
    parent: "zfxxgk",
    name: "依申请公开",
    type: "link",
    columnType: "依法申请公开",
    updateDays: null,
  },
  { slug: "bsfw", name: "办事服务", type: "link", columnType: "办事服务", updateDays: null },
  { slug: "hdjl", name: "互动交流", type: "link", columnType: "咨询投诉", updateDays: null },
] as const;

function readingRoom(city: CorpusCity): string {
  const c = city.citizen_center;
  return `${c.name}（${c.address}，${c.hours}，电话 ${c.phone}）`;
}

/** Where a department site's link columns lead. */
function departmentLink(slug: string, code: string): string | null {
  if (slug === "bsfw") return `/sites/${code}/bsfw/`;
  if (slug === "hdjl") return "/col/szxx/";
  if (slug === "czyjs" || slug === "ysqgk") return `/sites/${code}/${slug}/`;
  return null;
}

interface DepartmentSite {
  siteId: number;
  departmentId: number;
  columns: Record<(typeof DEPARTMENT_COLUMNS)[number]["slug"], number>;
}

async function importDepartmentSites(
  trx: Trx,
  city: CorpusCity,
  list: CorpusDepartment[],
  departments: Map<string, { id: number; name: string }>,
): Promise<Map<string, DepartmentSite>> {
  const result = new Map<string, DepartmentSite>();
  const portalHost = new URL(city.portal_url).host.replace(/^www\./, "");
  for (const [index, d] of list.entries()) {
    const code = d.id.replace(/^dept-/, "");
    const departmentId = departments.get(d.id)?.id;
    if (!departmentId) continue;
    const settings: SiteSettings = {
      idCode: siteIdCode(city, index + 2),
      domain: `${code}.${portalHost}`,
      sponsor: d.name,
      icp: "青ICP备99990001号",
      psb: `青公网安备9999000200${String(index + 2).padStart(4, "0")}号`,
      phone: d.phone,
      address: d.address,
      description: d.duties,
    };
    const site = await trx
      .insertInto("sites")
      .values({
        ref: `site-${code}`,
        code,
        name: d.name,
        kind: "department",
        department_id: departmentId,
        settings: JSON.stringify(settings) as unknown as SiteSettings,
        position: index + 1,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const columns = {} as DepartmentSite["columns"];
    for (const [position, c] of DEPARTMENT_COLUMNS.entries()) {
      const row = await trx
        .insertInto("columns")
        .values({
          site_id: site.id,
          parent_id: "parent" in c ? columns[c.parent] : null,
          slug: c.slug,
          name: c.name,
          type: c.type,
          column_type: c.columnType,
          link_url: departmentLink(c.slug, code),
          update_days: c.updateDays,
          review_steps: c.type === "list" ? DEPARTMENT_CHAIN : [],
          position,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      columns[c.slug] = row.id;
    }
    await importDocument(trx, {
      ref: null,
      type: "page",
      siteId: site.id,
      departmentId,
      primaryColumn: columns.jgzn,
      referenceColumns: [],
      title: `${d.name}机构职能`,
      bodyHtml: sanitizeRichText(
        `<h2>主要职责</h2><p>${d.duties}</p><h2>联系方式</h2><ul><li>办公地址：${d.address}</li><li>联系电话：${d.phone}</li><li>办公时间：工作日 9:00—12:00，13:30—17:30</li></ul>`,
      ),
      metadata: {},
      publishedAt: at("2026-01-05"),
    });
    const organ = {
      name: d.name,
      address: d.address,
      phone: d.phone,
      base: `/sites/${code}`,
      readingRoom: readingRoom(city),
    };
    for (const [columnId, title, html] of [
      [columns.xxgkzn, `${d.name}政府信息公开指南`, disclosureGuideHtml(organ)],
      [columns.xxgkzd, `${d.name}政府信息公开工作制度`, disclosureRulesHtml(organ)],
    ] as const)
      await importDocument(trx, {
        ref: null,
        type: "page",
        siteId: site.id,
        departmentId,
        primaryColumn: columnId,
        referenceColumns: [],
        title,
        bodyHtml: sanitizeRichText(html),
        metadata: {},
        publishedAt: at("2026-01-05"),
      });
    result.set(d.id, { siteId: site.id, departmentId, columns });
  }
  return result;
}

/** Single pages of the portal that the corpus describes: city profile, divisions, disclosure guide. */
async function importPortalPages(
  trx: Trx,
  city: CorpusCity,
  list: CorpusDepartment[],
  portal: { siteId: number; columns: Map<string, number> },
) {
  const zfb = list.find((d) => d.id === "dept-zfb");
  const portalOrgan = {
    name: `${city.name}人民政府`,
    address: zfb?.address ?? city.government_address,
    phone: zfb?.phone ?? "",
    base: "",
    readingRoom: readingRoom(city),
  };
  const pages: [string, string, string][] = [
    ["col-zjqh-gk", `${city.name}概况`, `<p>${city.intro}</p><p>政务服务：${city.hotline_desc}。</p>`],
    [
      "col-zjqh-xzqh",
      `${city.name}行政区划`,
      `<p>${city.name}辖${city.districts.length}个区县：</p><table><caption>区县及所辖街道（乡镇）</caption><thead><tr><th scope="col">区县</th><th scope="col">所辖街道（乡镇）</th><th scope="col">政务服务中心</th></tr></thead><tbody>${city.districts
        .map(
          (d) =>
            `<tr><td>${d.name}</td><td>${d.streets.join("、")}</td><td>${d.service_center}（${d.address}，${d.phone}）</td></tr>`,
        )
        .join("")}</tbody></table>`,
    ],
    ["col-zwgk-zn", `${city.name}人民政府信息公开指南`, disclosureGuideHtml(portalOrgan)],
    ["col-zwgk-zd", `${city.name}人民政府信息公开工作制度`, disclosureRulesHtml(portalOrgan)],
  ];
  for (const [columnRef, title, html] of pages) {
    const columnId = portal.columns.get(columnRef);
    if (!columnId) continue;
    await importDocument(trx, {
      ref: null,
      type: "page",
      siteId: portal.siteId,
      departmentId: null,
      primaryColumn: columnId,
      referenceColumns: [],
      title,
      bodyHtml: sanitizeRichText(html),
      metadata: {},
      publishedAt: at("2026-01-05"),
    });
  }
}

interface ImportedDocument {
  ref: string | null;
  type: "policy" | "interpretation" | "page" | "news" | "notice" | "report";
  siteId: number;
  departmentId: number | null;
  primaryColumn: number;
  referenceColumns: number[];
  title: string;
  bodyHtml: string;
  metadata: Record<string, string>;
  publishedAt: Date;
}

/** An imported record arrives already published: one approved, live version. */
async function importDocument(trx: Trx, d: ImportedDocument): Promise<number> {
  const doc = await trx
    .insertInto("documents")
    .values({
      ref: d.ref,
      type: d.type,
      site_id: d.siteId,
      department_id: d.departmentId,
      created_by: null,
      created_at: d.publishedAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const version = await trx
    .insertInto("document_versions")
    .values({
      document_id: doc.id,
      number: 1,
      title: d.title,
      body_html: d.bodyHtml,
      metadata: JSON.stringify(d.metadata) as unknown as Record<string, string>,
      author_id: null,
      created_at: d.publishedAt,
      status: "approved",
      publish_at: d.publishedAt,
      submitted_at: d.publishedAt,
      approved_at: d.publishedAt,
      went_live_at: d.publishedAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await trx
    .updateTable("documents")
    .set({ live_version_id: version.id, first_published_at: d.publishedAt, live_changed_at: d.publishedAt })
    .where("id", "=", doc.id)
    .execute();
  await trx
    .insertInto("placements")
    .values([
      { document_id: doc.id, column_id: d.primaryColumn, is_primary: true, placed_at: d.publishedAt },
      ...d.referenceColumns.map((c) => ({
        document_id: doc.id,
        column_id: c,
        is_primary: false,
        placed_at: d.publishedAt,
      })),
    ])
    .execute();
  return doc.id;
}

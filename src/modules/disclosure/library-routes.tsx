import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { chinaDay } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError } from "../../core/errors.ts";
import { adminFrame } from "../../core/http/admin.ts";
import { formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import type { Crumb } from "../../web/components.tsx";
import { columnHref } from "../../web/layout.tsx";
import { buildFrame, resolveSite } from "../sites/frame.ts";
import type { Column } from "../sites/schema.ts";
import { columnsOf } from "../sites/service.ts";
import {
  catalogueSettings,
  mayManageCatalogue,
  organisations,
  saveCatalogueSettings,
  saveOrgCodes,
} from "./catalogue.ts";
import { sendCsv, sendJson, toCsv } from "./csv.ts";
import { lagReport } from "./lag.ts";
import { libraryFacets, parseLibraryQuery, searchLibrary } from "./library.ts";
import { LagPage, OrgCodesPage, SettingsPage } from "./views/catalogue-admin.tsx";
import { LibraryPage, rowHref } from "./views/library.tsx";

const PAGE_SIZE = 20;
/** An export holds every match; the whole cluster's catalogue stays far below this. */
const EXPORT_LIMIT = 10_000;
const LIBRARY_CSV_HEADER = [
  "索引号",
  "名称",
  "内容概述",
  "文号",
  "发文机关",
  "成文日期",
  "发布日期",
  "有效性",
  "网址",
];

/** The trail to a site's 政策文件 column (the library sits under it), and its top-level column. */
function trailTo(base: string, columns: Column[]): { crumbs: Crumb[]; topId: number | undefined } {
  const policies = columns.find((c) => c.column_type === "政策文件" && c.type !== "link");
  const byId = new Map(columns.map((c) => [c.id, c]));
  const trail: Column[] = [];
  for (let c = policies; c; c = c.parent_id === null ? undefined : byId.get(c.parent_id)) trail.unshift(c);
  return {
    crumbs: [
      { label: "首页", href: `${base}/` },
      ...trail.map((c) => ({ label: c.name, href: columnHref(base, c) })),
      { label: "政策文件库" },
    ],
    topId: trail[0]?.id,
  };
}

/** 政策文件库 on every site, and the catalogue's admin pages (时效报告, 发布设置, 机构代码). */
export async function registerLibraryRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  /* ---------------------------------------------------------- public: 政策文件库 */
  const library = async (request: FastifyRequest, reply: FastifyReply) => {
    const { site, base } = await resolveSite(ctx, request, (request.params as { code?: string }).code);
    const filter = parseLibraryQuery(request.query as Record<string, unknown>, PAGE_SIZE);
    const [frame, columns, facets, result] = await Promise.all([
      buildFrame(ctx, request, site, base),
      columnsOf(ctx, site.id),
      libraryFacets(ctx, site),
      searchLibrary(ctx, site, filter),
    ]);
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    const { crumbs, topId } = trailTo(base, columns);
    return sendPage(
      reply,
      <LibraryPage
        frame={frame}
        crumbs={crumbs}
        topId={topId}
        filter={filter}
        facets={facets}
        rows={result.rows}
        total={result.total}
        pages={pages}
      />,
    );
  };
  /** 政府信息公开目录 as data (条例 Art 24: 检索、查阅、下载): every match of the filter, unpaged. */
  const exported = async (request: FastifyRequest) => {
    const { site, base } = await resolveSite(ctx, request, (request.params as { code?: string }).code);
    const filter = {
      ...parseLibraryQuery(request.query as Record<string, unknown>),
      page: 1,
      pageSize: EXPORT_LIMIT,
    };
    const { rows } = await searchLibrary(ctx, site, filter);
    return rows.map((r) => ({
      index_no: r.index_no,
      title: r.title,
      summary: r.summary,
      doc_number: r.doc_number ?? "",
      issuer: r.issuer ?? "",
      written_date: r.written_date ?? "",
      published_date: r.first_published_at ? chinaDay(r.first_published_at) : "",
      validity: r.validity ?? "",
      url: `${ctx.config.publicUrl}${rowHref(base, r)}`,
    }));
  };
  const libraryCsv = async (request: FastifyRequest, reply: FastifyReply) => {
    const rows = await exported(request);
    return sendCsv(
      reply,
      `zcwjk-${chinaDay()}.csv`,
      toCsv(
        LIBRARY_CSV_HEADER,
        rows.map((r) => [
          r.index_no,
          r.title,
          r.summary,
          r.doc_number,
          r.issuer,
          r.written_date,
          r.published_date,
          r.validity,
          r.url,
        ]),
      ),
    );
  };
  const libraryJson = async (request: FastifyRequest, reply: FastifyReply) => {
    const items = await exported(request);
    return sendJson(reply, { generated: chinaDay(), count: items.length, items });
  };
  for (const prefix of ["", "/sites/:code"]) {
    app.get(`${prefix}/zcwjk/index.csv`, libraryCsv);
    app.get(`${prefix}/zcwjk/index.json`, libraryJson);
    app.get(`${prefix}/zcwjk/`, library);
    app.get(`${prefix}/zcwjk`, async (request, reply) => {
      const { base } = await resolveSite(ctx, request, (request.params as { code?: string }).code);
      const search = request.url.includes("?") ? request.url.slice(request.url.indexOf("?")) : "";
      return reply.redirect(`${base}/zcwjk/${search}`, 301);
    });
  }

  /* ---------------------------------------------------------- admin: 公开时效 */
  // a limit for one look at the report; anything else falls back to the configured one
  const limitOf = (request: FastifyRequest) => {
    const raw = (request.query as { limit?: string }).limit;
    return typeof raw === "string" && /^\d{1,2}$/.test(raw) ? Math.min(Number(raw), 30) : undefined;
  };
  app.get("/admin/disclosure/lag", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const report = await lagReport(ctx, frame.actor, { limit: limitOf(request) });
    return sendPage(
      reply,
      <LagPage frame={frame} report={report} manage={mayManageCatalogue(frame.actor)} />,
    );
  });
  const csv = (reply: FastifyReply, name: string, body: string) =>
    reply
      .type("text/csv; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="${name}"`)
      .header("Cache-Control", "private, no-store")
      .send(body);
  app.get("/admin/disclosure/lag/interpretations.csv", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const report = await lagReport(ctx, frame.actor, { limit: limitOf(request) });
    return csv(
      reply,
      `interpretation-lag-${report.today}.csv`,
      toCsv(
        [
          "索引号",
          "政策文件",
          "文号",
          "发文机关",
          "行政规范性文件",
          "政策发布日期",
          "解读",
          "解读发布日期",
          "间隔工作日",
          "状态",
        ],
        report.interpretations.map((r) => [
          r.index_no,
          r.title,
          r.doc_number,
          r.issuer,
          r.normative ? "是" : "否",
          r.published,
          r.interpretation?.title ?? "",
          r.interpretation?.published ?? "",
          r.lag,
          !r.interpretation ? "缺少解读" : r.flagged ? `超过${report.limit}个工作日` : "按时",
        ]),
      ),
    );
  });
  app.get("/admin/disclosure/lag/art26.csv", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const report = await lagReport(ctx, frame.actor);
    return csv(
      reply,
      `art26-${report.today}.csv`,
      toCsv(
        ["索引号", "政策文件", "文号", "发文机关", "成文日期", "发布日期", "间隔工作日"],
        report.art26.map((r) => [
          r.index_no,
          r.title,
          r.doc_number,
          r.issuer,
          r.written,
          r.published,
          r.days,
        ]),
      ),
    );
  });

  /* ---------------------------------------------------------- admin: settings and organisation codes */
  const requireManager = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    if (!mayManageCatalogue(frame.actor)) throw new ForbiddenError("只有平台管理员可以修改政务公开设置");
    return frame;
  };
  app.get("/admin/disclosure/settings", async (request, reply) => {
    const frame = requireManager(request, reply);
    const s = await catalogueSettings(ctx.db);
    const values = { interpretationGate: s.interpretationGate, lagLimit: String(s.lagLimit) };
    return sendPage(reply, <SettingsPage frame={frame} state={{ values }} />);
  });
  app.post("/admin/disclosure/settings", async (request, reply) => {
    const frame = requireManager(request, reply);
    const form = readForm(request);
    const values = { interpretationGate: form.text("interpretationGate"), lagLimit: form.text("lagLimit") };
    try {
      await saveCatalogueSettings(ctx, frame.actor, values);
      return reply.redirect("/admin/disclosure/settings?msg=saved", 303);
    } catch (error) {
      return sendPage(reply, <SettingsPage frame={frame} state={formProblem(error, values)} />, 400);
    }
  });
  app.get("/admin/disclosure/orgs", async (request, reply) => {
    const frame = requireManager(request, reply);
    const departments = await organisations(ctx.db);
    const values = Object.fromEntries(departments.map((d) => [`org.${d.id}`, d.org_code ?? ""]));
    return sendPage(reply, <OrgCodesPage frame={frame} state={{ values }} departments={departments} />);
  });
  app.post("/admin/disclosure/orgs", async (request, reply) => {
    const frame = requireManager(request, reply);
    const form = readForm(request);
    const departments = await organisations(ctx.db);
    const values = Object.fromEntries(
      departments
        .filter((d) => form.has(`org.${d.id}`))
        .map((d) => [`org.${d.id}`, form.text(`org.${d.id}`)]),
    );
    try {
      await saveOrgCodes(
        ctx,
        frame.actor,
        new Map(Object.entries(values).map(([k, v]) => [Number(k.slice(4)), v])),
      );
      return reply.redirect("/admin/disclosure/orgs?msg=updated", 303);
    } catch (error) {
      return sendPage(
        reply,
        <OrgCodesPage frame={frame} state={formProblem(error, values)} departments={departments} />,
        400,
      );
    }
  });
}

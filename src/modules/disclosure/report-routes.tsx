import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type Actor, can } from "../../core/auth/permissions.ts";
import { chinaDay } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError } from "../../core/errors.ts";
import { adminFrame } from "../../core/http/admin.ts";
import { type FormState, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import { addReminderSource } from "../../core/reminders.ts";
import { type AdminFrame, AdminLayout } from "../../web/admin-layout.tsx";
import {
  loadReport,
  publishReport,
  reportDeadline,
  reportFigures,
  reportReminders,
  saveReport,
} from "./annual-report.ts";
import { AnnualReportPage, MANUAL_DECISIONS, REVIEW_COLUMNS, REVIEW_GROUPS } from "./views/annual-report.tsx";

const NARRATIVE = ["overview", "problems", "other"] as const;
const NUMBERS = [
  ...MANUAL_DECISIONS.map(([key]) => key),
  ...REVIEW_GROUPS.flatMap(([g]) => REVIEW_COLUMNS.map((_, i) => `${g}${i}`)),
];

function mayReport(actor: Actor, siteId: number): boolean {
  return can(actor, "site.manage", { siteId }) || can(actor, "document.edit", { siteId });
}

function ReportIndex({
  frame,
  sites,
  year,
}: {
  frame: AdminFrame;
  sites: { id: number; name: string }[];
  year: number;
}) {
  return (
    <AdminLayout frame={frame} title="政府信息公开工作年度报告" section="reports">
      <ul>
        {sites.map((s) => (
          <li key={s.id}>
            {s.name}：<a href={`/admin/disclosure/annual-reports/${s.id}/${year}`}>{year}年度报告</a> ·{" "}
            <a href={`/admin/disclosure/annual-reports/${s.id}/${year - 1}`}>{year - 1}年度报告</a>
          </li>
        ))}
      </ul>
    </AdminLayout>
  );
}

/** 政府信息公开工作年度报告: figures from the platform, words from staff, published through review. */
export async function registerReportRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  addReminderSource("annual-report", reportReminders);
  app.get("/admin/disclosure/annual-reports", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const sites = (
      await ctx.db.selectFrom("sites").select(["id", "name"]).orderBy("position").execute()
    ).filter((s) => mayReport(frame.actor, s.id));
    if (sites.length === 0) throw new ForbiddenError("您没有编写年度报告的权限");
    const today = chinaDay();
    // in January the report due is last year's
    const year = Number(today.slice(0, 4)) - (Number(today.slice(5, 7)) <= 3 ? 1 : 0);
    return sendPage(reply, <ReportIndex frame={frame} sites={sites} year={year} />);
  });

  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: FormState | null,
    status = 200,
  ) => {
    const frame = adminFrame(request, reply);
    const { siteId, year } = params(request);
    if (!mayReport(frame.actor, siteId)) throw new ForbiddenError("您没有编写该站点年度报告的权限");
    const site = await ctx.db
      .selectFrom("sites")
      .select(["name", "kind"])
      .where("id", "=", siteId)
      .executeTakeFirst();
    if (!site) throw new NotFoundError("站点不存在");
    const figures = await reportFigures(ctx, siteId, year);
    const report = await loadReport(ctx, siteId, year);
    const values =
      state?.values ??
      Object.fromEntries([
        ...NARRATIVE.map((k) => [k, figures.narrative[k] ?? ""]),
        ...NUMBERS.map((k) => [k, String(figures.manual[k] ?? 0)]),
      ]);
    return sendPage(
      reply,
      <AnnualReportPage
        frame={frame}
        siteName={site.name}
        figures={figures}
        state={{ ...state, values }}
        action={`/admin/disclosure/annual-reports/${siteId}/${year}`}
        documentHref={report?.document_id ? `/admin/documents/${report.document_id}` : null}
        deadline={reportDeadline(year, site.kind)}
      />,
      status,
    );
  };
  app.get("/admin/disclosure/annual-reports/:siteId/:year", (request, reply) => page(request, reply, null));
  app.post("/admin/disclosure/annual-reports/:siteId/:year", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const { siteId, year } = params(request);
    if (!mayReport(frame.actor, siteId)) throw new ForbiddenError("您没有编写该站点年度报告的权限");
    const form = readForm(request);
    const values = Object.fromEntries([...NARRATIVE, ...NUMBERS].map((k) => [k, form.text(k)]));
    try {
      await saveReport(ctx, frame.actor.id, siteId, year, {
        narrative: {
          overview: form.text("overview"),
          problems: form.text("problems"),
          other: form.text("other"),
        },
        manual: Object.fromEntries(NUMBERS.map((k) => [k, form.text(k)])),
      });
      if (form.text("intent") === "publish") {
        const documentId = await publishReport(ctx, frame.actor, siteId, year);
        return reply.redirect(`/admin/documents/${documentId}?msg=submitted`, 303);
      }
      return reply.redirect(`/admin/disclosure/annual-reports/${siteId}/${year}?msg=saved`, 303);
    } catch (error) {
      return page(request, reply, formProblem(error, values), 400);
    }
  });
}

function params(request: FastifyRequest): { siteId: number; year: number } {
  const p = request.params as { siteId: string; year: string };
  const siteId = Number(p.siteId);
  const year = Number(p.year);
  if (!Number.isInteger(siteId) || !/^\d{4}$/.test(p.year) || year < 2008 || year > 2100)
    throw new NotFoundError("年度报告不存在");
  return { siteId, year };
}

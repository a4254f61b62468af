import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { toCsv } from "../modules/disclosure/csv.ts";
import {
  AUDIT_RESULTS,
  type AuditFilter,
  actionLabel,
  audit,
  auditActions,
  exportAudit,
  searchAudit,
  verifyAuditChain,
} from "./audit.ts";
import { AuditChainPage, AuditLogPage } from "./audit-views.tsx";
import { can } from "./auth/permissions.ts";
import type { AppContext } from "./context.ts";
import { ForbiddenError } from "./errors.ts";
import { adminFrame } from "./http/admin.ts";
import { queryInt, sendPage } from "./http/forms.ts";

const FILTER_KEYS = ["from", "to", "action", "actor", "target", "result", "ip"] as const;

function readFilter(query: unknown): AuditFilter {
  const q = (query ?? {}) as Record<string, unknown>;
  const filter: AuditFilter = {};
  for (const key of FILTER_KEYS) {
    const value = q[key];
    if (typeof value === "string" && value.trim()) filter[key] = value.trim().slice(0, 100);
  }
  return filter;
}

/** 安全审计员's pages: browse, filter, export and verify the audit log. Nobody can change it. */
export async function registerAuditRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const auditor = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    if (!can(frame.actor, "audit.read")) throw new ForbiddenError("只有安全审计员可以查看审计记录");
    return frame;
  };

  app.get("/admin/audit", async (request, reply) => {
    const frame = auditor(request, reply);
    const filter = readFilter(request.query);
    const page = queryInt((request.query as { page?: string }).page, 1);
    const result = await searchAudit(ctx, filter, page);
    return sendPage(
      reply,
      <AuditLogPage
        frame={frame}
        filter={filter}
        actions={await auditActions(ctx)}
        page={page}
        {...result}
      />,
    );
  });

  app.get("/admin/audit.csv", async (request, reply) => {
    const frame = auditor(request, reply);
    const filter = readFilter(request.query);
    const rows = await exportAudit(ctx, filter);
    await audit(ctx, frame.actor, "audit.exported", JSON.stringify(filter), {
      ip: request.ip,
      records: rows.length,
    });
    const csv = toCsv(
      [
        "序号",
        "时间",
        "操作人",
        "操作人编号",
        "操作",
        "操作代码",
        "对象",
        "结果",
        "来源 IP",
        "详情",
        "SM3 摘要",
      ],
      rows.map((r) => [
        Number(r.seq),
        r.at.toLocaleString("sv-SE", { timeZone: "Asia/Shanghai" }),
        r.actor_name,
        r.actor_id,
        actionLabel(r.action, r.detail),
        r.action,
        r.target,
        AUDIT_RESULTS[r.result],
        r.ip,
        JSON.stringify(r.detail),
        r.hash.toString("hex"),
      ]),
    );
    const day = new Date().toISOString().slice(0, 10);
    return reply
      .type("text/csv; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="audit-${day}.csv"`)
      .header("Cache-Control", "no-store")
      .send(csv);
  });

  app.get("/admin/audit/verify", async (request, reply) => {
    const frame = auditor(request, reply);
    const report = await verifyAuditChain(ctx);
    await audit(ctx, frame.actor, "audit.verified", "audit_log", {
      ip: request.ip,
      result: report.ok ? "success" : "failure",
      checked: report.checked,
      brokenAt: report.broken?.seq ?? null,
    });
    return sendPage(reply, <AuditChainPage frame={frame} report={report} />);
  });
}

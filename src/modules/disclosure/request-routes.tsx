import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { can, scopeFor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, UserError } from "../../core/errors.ts";
import { adminFrame, RedirectToLogin } from "../../core/http/admin.ts";
import { type FormState, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import { revealPersonalData } from "../../core/pii.ts";
import { page } from "../../web/html.ts";
import { buildFrame, resolveSite } from "../sites/frame.ts";
import type { FeeMethod } from "./fees.ts";
import type { RequestAction } from "./requests.ts";
import {
  act,
  EVENT_LABELS,
  findForApplicant,
  requestDetail,
  requestMachine,
  staffRequests,
  submitRequest,
} from "./requests.ts";
import { ApplyPage, LookupPage, NoticeDocument, ReceiptPage, StatusPage } from "./views/requests.tsx";
import { RequestDetailPage, RequestListPage, type RevealedIdentifiers } from "./views/requests-admin.tsx";

const APPLY_LIMIT = { rateLimit: { max: 10, timeWindow: "1 minute" } };
const APPLICATION_FIELDS = [
  "applicantType",
  "applicantName",
  "orgCategory",
  "contactPerson",
  "idType",
  "idNumber",
  "phone",
  "email",
  "address",
  "description",
  "documentHint",
  "carrier",
  "delivery",
];

/** 依申请公开: the citizen's form, receipt and progress lookup on every site; the officers' desk in the admin. */
export async function registerRequestRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const mount = (prefix: string) => {
    const site = (request: FastifyRequest) =>
      resolveSite(ctx, request, (request.params as { code?: string }).code);
    const organ = async (siteId: number) => {
      const row = await ctx.db
        .selectFrom("sites")
        .leftJoin("departments", "departments.id", "sites.department_id")
        .select(["sites.name", "sites.settings", "departments.name as department_name"])
        .where("sites.id", "=", siteId)
        .executeTakeFirstOrThrow();
      return row.department_name ?? row.settings.sponsor ?? row.name;
    };
    const applyPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      state: FormState,
      status = 200,
    ) => {
      const { site: s, base } = await site(request);
      const frame = await buildFrame(ctx, request, s, base);
      return sendPage(
        reply,
        <ApplyPage frame={frame} csrf={reply.generateCsrf()} state={state} organ={await organ(s.id)} />,
        status,
      );
    };

    app.get(`${prefix}/ysqgk/`, (request, reply) =>
      applyPage(request, reply, { values: { carrier: "电子文档", delivery: "网上查阅下载" } }),
    );
    app.post(`${prefix}/ysqgk/`, { config: APPLY_LIMIT }, async (request, reply) => {
      const { site: s, base } = await site(request);
      const form = readForm(request);
      const values = Object.fromEntries(APPLICATION_FIELDS.map((k) => [k, form.text(k)]));
      try {
        const receipt = await submitRequest(ctx, {
          siteId: s.id,
          citizenId: request.actor?.kind === "citizen" ? request.actor.id : null,
          applicantType: values.applicantType ?? "",
          orgCategory: values.orgCategory ?? "",
          applicantName: values.applicantName ?? "",
          contactPerson: values.contactPerson ?? "",
          idType: values.idType ?? "",
          idNumber: values.idNumber ?? "",
          phone: values.phone ?? "",
          email: values.email ?? "",
          address: values.address ?? "",
          description: values.description ?? "",
          documentHint: values.documentHint ?? "",
          carrier: values.carrier ?? "",
          delivery: values.delivery ?? "",
        });
        const frame = await buildFrame(ctx, request, s, base);
        return sendPage(
          reply.header("Cache-Control", "no-store"),
          <ReceiptPage frame={frame} trackingNo={receipt.trackingNo} queryCode={receipt.queryCode} />,
        );
      } catch (error) {
        return applyPage(request, reply, formProblem(error, values), 400);
      }
    });
    const lookupPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      state: FormState,
      status = 200,
    ) => {
      const { site: s, base } = await site(request);
      const frame = await buildFrame(ctx, request, s, base);
      return sendPage(reply, <LookupPage frame={frame} csrf={reply.generateCsrf()} state={state} />, status);
    };
    app.get(`${prefix}/ysqgk/cx/`, (request, reply) => lookupPage(request, reply, { values: {} }));
    app.post(`${prefix}/ysqgk/cx/`, { config: APPLY_LIMIT }, async (request, reply) => {
      const form = readForm(request);
      const trackingNo = form.text("trackingNo");
      const queryCode = form.text("queryCode");
      try {
        const found = await findForApplicant(ctx, trackingNo, queryCode);
        const { site: s, base } = await site(request);
        const frame = await buildFrame(ctx, request, s, base);
        const detail = await requestDetail(ctx, found.id);
        return sendPage(
          reply.header("Cache-Control", "no-store"),
          <StatusPage
            frame={frame}
            data={detail}
            labels={EVENT_LABELS}
            csrf={reply.generateCsrf()}
            queryCode={queryCode}
          />,
        );
      } catch (error) {
        if (error instanceof UserError && error.statusCode === 404) {
          return lookupPage(request, reply, { values: { trackingNo }, error: error.message }, 404);
        }
        throw error;
      }
    });
    app.post(`${prefix}/ysqgk/notice/`, { config: APPLY_LIMIT }, async (request, reply) => {
      const form = readForm(request);
      const found = await findForApplicant(ctx, form.text("trackingNo"), form.text("queryCode"));
      return sendNotice(reply, found.id, form.int("noticeId") ?? 0);
    });
  };
  mount("");
  mount("/sites/:code");

  const sendNotice = async (reply: FastifyReply, requestId: number, noticeId: number) => {
    const notice = await ctx.db
      .selectFrom("info_request_notices")
      .selectAll()
      .where("id", "=", noticeId)
      .where("request_id", "=", requestId)
      .executeTakeFirst();
    if (!notice) throw new NotFoundError("文书不存在");
    return reply
      .type("text/html; charset=utf-8")
      .header(
        "Content-Disposition",
        `attachment; filename*=UTF-8''${encodeURIComponent(`${notice.title}-${notice.number}.html`)}`,
      )
      .header("Cache-Control", "no-store")
      .send(page(<NoticeDocument notice={notice} />));
  };

  /* ---------------------------------------------------------- citizens' own requests */
  app.get("/account/requests/:id", async (request, reply) => {
    if (!request.actor) throw new RedirectToLogin(request.url);
    const detail = await requestDetail(ctx, Number((request.params as { id: string }).id) || 0);
    if (detail.request.citizen_id !== request.actor.id) throw new NotFoundError("申请不存在");
    const { site: s, base } = await resolveSite(ctx, request, undefined);
    const frame = await buildFrame(ctx, request, s, base);
    return sendPage(
      reply,
      <StatusPage
        frame={frame}
        data={detail}
        labels={EVENT_LABELS}
        csrf={reply.generateCsrf()}
        queryCode=""
      />,
    );
  });

  /* ---------------------------------------------------------- officers */
  const officer = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    const scope = scopeFor(frame.actor, "case.handle");
    if (!scope.all && scope.siteIds.length === 0 && scope.columnIds.length === 0)
      throw new ForbiddenError("您没有办理依申请公开的权限");
    return frame;
  };
  app.get("/admin/requests", async (request, reply) => {
    const frame = officer(request, reply);
    const query = request.query as { state?: string; overdue?: string };
    const rows = await staffRequests(ctx, frame.actor, {
      state: query.state,
      overdue: query.overdue === "1",
    });
    return sendPage(
      reply,
      <RequestListPage frame={frame} rows={rows} state={query.state ?? ""} overdue={query.overdue === "1"} />,
    );
  });

  const detailPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: FormState & { action?: string },
    status = 200,
    revealed?: RevealedIdentifiers,
  ) => {
    const frame = officer(request, reply);
    const detail = await requestDetail(ctx, Number((request.params as { id: string }).id) || 0);
    if (!can(frame.actor, "case.handle", { siteId: detail.request.site_id }))
      throw new ForbiddenError("您没有办理该申请的权限");
    const site = await ctx.db
      .selectFrom("sites")
      .select("name")
      .where("id", "=", detail.request.site_id)
      .executeTakeFirstOrThrow();
    const actions = detail
      .available(frame.actor)
      .map((action) => ({ action, label: requestMachine.actions[action].label }));
    return sendPage(
      reply,
      <RequestDetailPage
        frame={frame}
        request={detail.request}
        siteName={site.name}
        history={detail.history}
        notices={detail.notices}
        clock={detail.clock}
        actions={actions}
        labels={EVENT_LABELS}
        state={state}
        mayReveal={can(frame.actor, "pii.reveal", { siteId: detail.request.site_id })}
        revealed={revealed}
      />,
      status,
    );
  };
  // 个人信息: shown masked; the full identifiers for one stated reason, audited, never cached
  app.post("/admin/requests/:id/reveal", async (request, reply) => {
    const frame = officer(request, reply);
    const form = readForm(request);
    const r = (await requestDetail(ctx, Number((request.params as { id: string }).id) || 0)).request;
    reply.header("Cache-Control", "no-store");
    try {
      const revealed = await revealPersonalData(
        ctx,
        frame.actor,
        { siteId: r.site_id },
        `info_request:${r.id} ${r.tracking_no}`,
        { idNumber: r.id_number_enc, phone: r.phone_enc, address: r.address_enc },
        form.text("reason"),
        request.ip,
      );
      return detailPage(request, reply, { values: {} }, 200, revealed);
    } catch (error) {
      return detailPage(
        request,
        reply,
        { ...formProblem(error, { reason: form.text("reason") }), action: "reveal" },
        400,
      );
    }
  });
  app.get("/admin/requests/:id", (request, reply) => detailPage(request, reply, { values: {} }));
  app.post("/admin/requests/:id/act", async (request, reply) => {
    const frame = officer(request, reply);
    const id = Number((request.params as { id: string }).id) || 0;
    const form = readForm(request);
    const action = form.text("action") as RequestAction;
    if (!(action in requestMachine.actions)) throw new UserError("未知的办理操作");
    const values = Object.fromEntries(
      ["comment", "items", "days", "reason", "feeMethod", "pages", "outcome"].map((k) => [k, form.text(k)]),
    );
    try {
      await act(ctx, frame.actor, id, action, {
        comment: form.text("comment"),
        items: form.text("items"),
        days: form.int("days") ?? undefined,
        reason: form.text("reason"),
        feeMethod: (form.text("feeMethod") || undefined) as FeeMethod | undefined,
        pages: form.int("pages") ?? undefined,
        outcome: form.text("outcome"),
      });
      return reply.redirect(`/admin/requests/${id}?msg=updated`, 303);
    } catch (error) {
      return detailPage(request, reply, { ...formProblem(error, values), action }, 400);
    }
  });
  app.get("/admin/requests/:id/notices/:noticeId", async (request, reply) => {
    const frame = officer(request, reply);
    const { id, noticeId } = request.params as { id: string; noticeId: string };
    const detail = await requestDetail(ctx, Number(id) || 0);
    if (!can(frame.actor, "case.handle", { siteId: detail.request.site_id }))
      throw new ForbiddenError("您没有办理该申请的权限");
    return sendNotice(reply, detail.request.id, Number(noticeId) || 0);
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { can, scopeFor } from "../../core/auth/permissions.ts";
import { addCalendarDays, chinaDay } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, UserError } from "../../core/errors.ts";
import { adminFrame } from "../../core/http/admin.ts";
import { type FormState, formProblem, queryInt, readForm, sendPage } from "../../core/http/forms.ts";
import { barChartSvg } from "../disclosure/charts.ts";
import { sendJson } from "../disclosure/csv.ts";
import { buildFrame, resolveSite } from "../sites/frame.ts";
import { portalSite } from "../sites/service.ts";
import { registerConsultationRoutes } from "./consultation-routes.tsx";
import { registerInterviewRoutes } from "./interview-routes.tsx";
import { perSubmitter } from "./limits.ts";
import { suggestDepartments } from "./routing.ts";
import { LETTER_TYPES, type LetterType } from "./schema.ts";
import {
  actOnLetter,
  departmentStats,
  EVENT_LABELS,
  findForWriter,
  isSupervisor,
  type LetterAction,
  letterDetail,
  letterMachine,
  letterSlas,
  mailboxes,
  mayHandleLetter,
  publicLetter,
  publicLetters,
  rateLetter,
  revealContact,
  routingTerms,
  STAFF_ACTIONS,
  setPublished,
  staffLetters,
  submitLetter,
  updateRoutingTerms,
  updateSlas,
  urgeLetter,
  WRITER_EVENTS,
  writerView,
} from "./service.ts";
import { registerSurveyRoutes } from "./survey-routes.tsx";
import {
  LetterListPage,
  LetterLookupPage,
  LetterReceiptPage,
  LetterStatsPage,
  LetterStatusPage,
  PublicLetterPage,
  WritePage,
} from "./views/letters.tsx";
import {
  InteractionHubPage,
  LetterAdminDetailPage,
  LetterAdminListPage,
  LetterSettingsPage,
} from "./views/letters-admin.tsx";

/** Submissions per IP: enough for a family sharing a line, too few for a flood. */
const SUBMIT_LIMIT = perSubmitter(5);
const LOOKUP_LIMIT = perSubmitter(20);
const LETTER_FIELDS = ["mailbox", "type", "title", "body", "name", "phone", "email", "publish"];

/** 政民互动 letters: writing, following and rating on every site, 回应公开, statistics; the officers' desk. */
export async function registerInteractionRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const mount = (prefix: string) => {
    const frameFor = async (request: FastifyRequest) => {
      const { site, base } = await resolveSite(ctx, request, (request.params as { code?: string }).code);
      return { site, frame: await buildFrame(ctx, request, site, base) };
    };
    /** A department site lists the letters it handled; the portal lists all. */
    const scopeOf = (site: { id: number; kind: string }) => (site.kind === "portal" ? undefined : site.id);

    app.get(`${prefix}/xj/`, async (request, reply) => {
      const { site, frame } = await frameFor(request);
      const query = request.query as { type?: string; page?: string };
      const page = queryInt(query.page, 1);
      const type = (LETTER_TYPES as readonly string[]).includes(query.type ?? "")
        ? (query.type as string)
        : "";
      const list = await publicLetters(ctx, { siteId: scopeOf(site), type, page });
      return sendPage(
        reply,
        <LetterListPage frame={frame} rows={list.rows} page={page} pages={list.pages} type={type} />,
      );
    });

    app.get(`${prefix}/xj/:id`, async (request, reply) => {
      const id = Number((request.params as { id: string }).id);
      if (!Number.isInteger(id) || id <= 0) throw new NotFoundError();
      const { site, frame } = await frameFor(request);
      const letter = await publicLetter(ctx, id, scopeOf(site));
      return sendPage(reply, <PublicLetterPage frame={frame} letter={letter} />);
    });

    const writePage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      state: FormState,
      status = 200,
    ) => {
      const { frame } = await frameFor(request);
      const [boxes, slas] = await Promise.all([mailboxes(ctx), letterSlas(ctx)]);
      return sendPage(
        reply,
        <WritePage frame={frame} csrf={reply.generateCsrf()} state={state} mailboxes={boxes} slas={slas} />,
        status,
      );
    };
    app.get(`${prefix}/xj/write/`, async (request, reply) => {
      const { site } = await frameFor(request);
      return writePage(request, reply, { values: { mailbox: String(site.id) } });
    });
    app.post(`${prefix}/xj/write/`, { config: SUBMIT_LIMIT }, async (request, reply) => {
      const form = readForm(request);
      const values = Object.fromEntries(LETTER_FIELDS.map((k) => [k, form.text(k)]));
      try {
        const receipt = await submitLetter(ctx, {
          mailboxSiteId: form.int("mailbox") ?? 0,
          citizenId: request.actor?.kind === "citizen" ? request.actor.id : null,
          type: values.type ?? "",
          title: values.title ?? "",
          body: values.body ?? "",
          name: values.name ?? "",
          phone: values.phone ?? "",
          email: values.email ?? "",
          publishConsent: values.publish === "1",
          files: form.files("files"),
        });
        const { frame } = await frameFor(request);
        return sendPage(
          reply.header("Cache-Control", "no-store"),
          <LetterReceiptPage frame={frame} trackingNo={receipt.trackingNo} queryCode={receipt.queryCode} />,
        );
      } catch (error) {
        return writePage(request, reply, formProblem(error, values), 400);
      }
    });

    const lookupPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      state: FormState,
      status = 200,
    ) => {
      const { frame } = await frameFor(request);
      return sendPage(
        reply,
        <LetterLookupPage frame={frame} csrf={reply.generateCsrf()} state={state} />,
        status,
      );
    };
    const statusPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      trackingNo: string,
      queryCode: string,
      state: FormState,
      status = 200,
    ) => {
      const letter = await findForWriter(ctx, trackingNo, queryCode);
      const { frame } = await frameFor(request);
      const view = await writerView(ctx, letter);
      return sendPage(
        reply.header("Cache-Control", "no-store"),
        <LetterStatusPage
          frame={frame}
          csrf={reply.generateCsrf()}
          letter={view.letter}
          mailboxName={view.mailboxName}
          handlingName={view.handlingName}
          history={view.history}
          replies={view.replies}
          labels={Object.fromEntries(Object.entries(WRITER_EVENTS).map(([k, v]) => [k, v.label]))}
          queryCode={queryCode}
          canRate={view.canRate}
          state={state}
        />,
        status,
      );
    };
    app.get(`${prefix}/xj/cx/`, (request, reply) => lookupPage(request, reply, { values: {} }));
    app.post(`${prefix}/xj/cx/`, { config: LOOKUP_LIMIT }, async (request, reply) => {
      const form = readForm(request);
      const trackingNo = form.text("trackingNo");
      try {
        return await statusPage(request, reply, trackingNo, form.text("queryCode"), { values: {} });
      } catch (error) {
        if (error instanceof UserError && error.statusCode === 404)
          return lookupPage(request, reply, { values: { trackingNo }, error: error.message }, 404);
        throw error;
      }
    });
    app.post(`${prefix}/xj/rate/`, { config: SUBMIT_LIMIT }, async (request, reply) => {
      const form = readForm(request);
      const trackingNo = form.text("trackingNo");
      const queryCode = form.text("queryCode");
      const values = { rating: form.text("rating"), remark: form.text("remark") };
      try {
        await rateLetter(ctx, trackingNo, queryCode, values.rating, values.remark);
        return await statusPage(request, reply, trackingNo, queryCode, { values: {} });
      } catch (error) {
        if (error instanceof UserError && error.statusCode === 404)
          return lookupPage(request, reply, { values: { trackingNo }, error: error.message }, 404);
        return statusPage(request, reply, trackingNo, queryCode, formProblem(error, values), 400);
      }
    });

    app.get(`${prefix}/xj/tj/`, async (request, reply) => {
      const { frame } = await frameFor(request);
      const query = request.query as { from?: string; to?: string };
      const isDay = (d: string | undefined): d is string =>
        !!d && /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d));
      const to = isDay(query.to) ? query.to : chinaDay();
      const from = isDay(query.from) && query.from <= to ? query.from : addCalendarDays(to, -364);
      const stats = await departmentStats(ctx, from, to);
      const names = stats.map((s) => s.name.replace(/^青禾市/, ""));
      const volume = barChartSvg({
        label: "各单位收信和答复件数",
        unit: "件",
        categories: names,
        series: [
          { name: "收信", values: stats.map((s) => s.received) },
          { name: "已答复", values: stats.map((s) => s.answered) },
        ],
      });
      const satisfaction = barChartSvg({
        label: "各单位按期答复率和满意率",
        unit: "%",
        categories: names,
        series: [
          { name: "按期答复率", values: stats.map((s) => s.onTimeRate ?? 0) },
          { name: "满意率", values: stats.map((s) => s.satisfaction ?? 0) },
        ],
      });
      return sendPage(
        reply,
        <LetterStatsPage frame={frame} from={from} to={to} stats={stats} charts={{ volume, satisfaction }} />,
      );
    });
  };
  mount("");
  mount("/sites/:code");

  /* ---------------------------------------------------------- routing API */
  // side-effect free, so open to scripts and other systems without a form token
  app.post(
    "/api/letters/suggest-department",
    { config: { ...LOOKUP_LIMIT, csrf: false } },
    async (request, reply) => {
      const body = (request.body ?? {}) as { title?: unknown; body?: unknown };
      const title = typeof body.title === "string" ? body.title.slice(0, 200) : "";
      const text = typeof body.body === "string" ? body.body.slice(0, 5000) : "";
      if (!title.trim() && !text.trim()) return reply.code(400).send({ error: "请提供来信标题或内容" });
      return sendJson(reply, { suggestions: await suggestDepartments(ctx, title, text, 5) });
    },
  );

  /* ---------------------------------------------------------- officers */
  const officer = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    const scope = scopeFor(frame.actor, "case.handle");
    if (!scope.all && scope.siteIds.length === 0) throw new ForbiddenError("您没有办理来信的权限");
    return frame;
  };

  app.get("/admin/interaction", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const has = (action: "case.handle" | "document.edit" | "document.review" | "site.manage") => {
      const s = scopeFor(frame.actor, action);
      return s.all || s.siteIds.length > 0;
    };
    const links = [
      ...(has("case.handle")
        ? [
            { href: "/admin/letters", label: "来信办理", hint: "受理、转办、答复和公开来信" },
            {
              href: "/admin/letters?queue=supervision",
              label: "来信督办",
              hint: "即将到期、已超期和长期未答复的来信",
            },
          ]
        : []),
      ...(has("document.edit")
        ? [
            { href: "/admin/consultations", label: "民意征集", hint: "发布征求意见稿，公布意见采纳情况" },
            { href: "/admin/surveys", label: "调查问卷", hint: "设计问卷，查看实时结果，导出答卷" },
            { href: "/admin/interviews", label: "在线访谈", hint: "预告、直播主持、审核网友提问、实录" },
          ]
        : []),
      ...(has("document.review") || has("site.manage")
        ? [{ href: "/admin/moderation", label: "意见审核与敏感词", hint: "审核命中敏感词的公众意见" }]
        : []),
      ...(has("site.manage")
        ? [
            {
              href: "/admin/letters/settings",
              label: "办理时限与分办关键词",
              hint: "各类来信的受理、办理、答复时限",
            },
          ]
        : []),
    ];
    if (links.length === 0) throw new ForbiddenError("您没有政民互动的办理权限");
    return sendPage(reply, <InteractionHubPage frame={frame} links={links} />);
  });

  app.get("/admin/letters", async (request, reply) => {
    const frame = officer(request, reply);
    const query = request.query as { state?: string; queue?: string };
    const queue = query.queue === "supervision";
    const rows = await staffLetters(ctx, frame.actor, {
      state: query.state,
      queue: queue ? "supervision" : undefined,
    });
    return sendPage(
      reply,
      <LetterAdminListPage frame={frame} rows={rows} state={query.state ?? ""} queue={queue} />,
    );
  });

  const settingsPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: FormState,
    status = 200,
  ) => {
    const frame = adminFrame(request, reply);
    const portal = await portalSite(ctx);
    if (!portal || !can(frame.actor, "site.manage", { siteId: portal.id }))
      throw new ForbiddenError("只有门户网站管理员可以设置来信办理时限和分办关键词");
    const [slas, terms] = await Promise.all([letterSlas(ctx), routingTerms(ctx)]);
    return sendPage(
      reply,
      <LetterSettingsPage frame={frame} slas={slas} terms={terms} state={state} />,
      status,
    );
  };
  app.get("/admin/letters/settings", (request, reply) => settingsPage(request, reply, { values: {} }));
  app.post("/admin/letters/settings", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const form = readForm(request);
    const terms = await routingTerms(ctx);
    const values: Record<string, string> = {};
    for (const type of LETTER_TYPES)
      for (const k of ["acceptHours", "handleDays", "replyDays"])
        values[`${type}.${k}`] = form.text(`${type}.${k}`);
    for (const t of terms) values[`terms.${t.id}`] = form.text(`terms.${t.id}`);
    try {
      const slas = Object.fromEntries(
        LETTER_TYPES.map((type) => [
          type,
          {
            acceptHours: form.int(`${type}.acceptHours`),
            handleDays: form.int(`${type}.handleDays`),
            replyDays: form.int(`${type}.replyDays`),
          },
        ]),
      ) as Record<
        LetterType,
        { acceptHours: number | null; handleDays: number | null; replyDays: number | null }
      >;
      await updateSlas(ctx, frame.actor, slas);
      await updateRoutingTerms(
        ctx,
        frame.actor,
        terms.map((t) => ({ departmentId: t.id, terms: form.text(`terms.${t.id}`) })),
      );
      return reply.redirect("/admin/letters/settings?msg=saved", 303);
    } catch (error) {
      return settingsPage(request, reply, formProblem(error, values), 400);
    }
  });

  const detailPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: FormState & { action?: string },
    status = 200,
  ) => {
    const frame = officer(request, reply);
    const detail = await letterDetail(ctx, Number((request.params as { id: string }).id) || 0);
    if (!(await mayHandleLetter(ctx, frame.actor, detail.letter)))
      throw new ForbiddenError("您没有办理该来信的权限");
    const l = detail.letter;
    const canPublish =
      l.publish_consent &&
      (l.state === "replied" || l.state === "closed") &&
      [l.mailbox_site_id, l.handling_site_id].some(
        (siteId) => siteId !== null && can(frame.actor, "case.approve", { siteId }),
      );
    return sendPage(
      reply,
      <LetterAdminDetailPage
        frame={frame}
        letter={l}
        contact={revealContact(ctx, l)}
        mailboxName={detail.mailboxName}
        handlingName={detail.handlingName}
        urgency={detail.urgency}
        vetoLine={detail.vetoLine}
        history={detail.history}
        replies={detail.replies}
        attachments={detail.attachments}
        actions={detail
          .available(frame.actor)
          .map((action) => ({ action, label: letterMachine.actions[action].label }))}
        mailboxes={await mailboxes(ctx)}
        labels={EVENT_LABELS}
        canPublish={canPublish}
        canUrge={
          (await isSupervisor(ctx, frame.actor)) &&
          ["submitted", "accepted", "assigned", "reviewing"].includes(l.state)
        }
        state={state}
      />,
      status,
    );
  };
  app.get("/admin/letters/:id", (request, reply) => detailPage(request, reply, { values: {} }));
  app.post("/admin/letters/:id/act", async (request, reply) => {
    const frame = officer(request, reply);
    const id = Number((request.params as { id: string }).id) || 0;
    const form = readForm(request);
    const action = form.text("action") as LetterAction;
    if (!STAFF_ACTIONS.includes(action)) throw new UserError("未知的办理操作");
    const values = Object.fromEntries(["comment", "reason", "siteId", "body"].map((k) => [k, form.text(k)]));
    try {
      await actOnLetter(ctx, frame.actor, id, action, {
        comment: form.text("comment"),
        reason: form.text("reason"),
        siteId: form.int("siteId"),
        body: form.text("body"),
      });
      return reply.redirect(`/admin/letters/${id}?msg=updated`, 303);
    } catch (error) {
      return detailPage(request, reply, { ...formProblem(error, values), action }, 400);
    }
  });
  app.post("/admin/letters/:id/urge", async (request, reply) => {
    const frame = officer(request, reply);
    const id = Number((request.params as { id: string }).id) || 0;
    const urge = readForm(request).text("urge");
    try {
      await urgeLetter(ctx, frame.actor, id, urge);
      return reply.redirect(`/admin/letters/${id}?msg=updated`, 303);
    } catch (error) {
      return detailPage(request, reply, { ...formProblem(error, { urge }), action: "urge" }, 400);
    }
  });
  app.post("/admin/letters/:id/publish", async (request, reply) => {
    const frame = officer(request, reply);
    const id = Number((request.params as { id: string }).id) || 0;
    await setPublished(ctx, frame.actor, id, readForm(request).text("publish") === "1");
    return reply.redirect(`/admin/letters/${id}?msg=updated`, 303);
  });
  app.get("/admin/letters/:id/files/:fileId", async (request, reply) => {
    const frame = officer(request, reply);
    const { id, fileId } = request.params as { id: string; fileId: string };
    const detail = await letterDetail(ctx, Number(id) || 0);
    if (!(await mayHandleLetter(ctx, frame.actor, detail.letter)))
      throw new ForbiddenError("您没有办理该来信的权限");
    const file = detail.attachments.find((a) => a.id === Number(fileId));
    if (!file) throw new NotFoundError("附件不存在");
    return reply
      .type(file.mime)
      .header("Content-Disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      .header("Cache-Control", "no-store")
      .header("X-Content-Type-Options", "nosniff")
      .send(ctx.files.open(file.storage_key));
  });

  await registerConsultationRoutes(app, ctx);
  await registerSurveyRoutes(app, ctx);
  await registerInterviewRoutes(app, ctx);
}

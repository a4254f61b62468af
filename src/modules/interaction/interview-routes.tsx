import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { can, scopeFor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, UserError } from "../../core/errors.ts";
import { adminFrame } from "../../core/http/admin.ts";
import { type FormState, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import { formatDateTime } from "../../web/html.ts";
import { buildFrame, resolveSite } from "../sites/frame.ts";
import { listSites } from "../sites/service.ts";
import {
  addPhoto,
  askQuestion,
  entriesAfter,
  interviewList,
  interviewView,
  moderateQuestion,
  pendingQuestions,
  photoFor,
  postRemark,
  saveInterview,
  stepInterview,
} from "./interviews.ts";
import { perSubmitter } from "./limits.ts";
import {
  InterviewAdminListPage,
  InterviewHostPage,
  InterviewListPage,
  InterviewPage,
} from "./views/interviews.tsx";

const ASK_LIMIT = perSubmitter(5);
const FEED_POLL_MS = 2000;
const FEED_MAX_MS = 10 * 60_000;

/** datetime-local value in China time */
function localInput(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 16);
}

/** 在线访谈 on every site with a server-sent-events feed; the host's console in the admin. */
export async function registerInterviewRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // open feeds end when the server shuts down, so closing never waits for a listener
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  const mount = (prefix: string) => {
    const frameFor = async (request: FastifyRequest) => {
      const { site, base } = await resolveSite(ctx, request, (request.params as { code?: string }).code);
      return { site, frame: await buildFrame(ctx, request, site, base) };
    };
    const scopeOf = (site: { id: number; kind: string }) => (site.kind === "portal" ? undefined : site.id);
    const idOf = (request: FastifyRequest) => {
      const id = Number((request.params as { id: string }).id);
      if (!Number.isInteger(id) || id <= 0) throw new NotFoundError();
      return id;
    };
    app.get(`${prefix}/zxft/`, async (request, reply) => {
      const { site, frame } = await frameFor(request);
      return sendPage(
        reply,
        <InterviewListPage frame={frame} rows={await interviewList(ctx, { siteId: scopeOf(site) })} />,
      );
    });
    const page = async (request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) => {
      const { site, frame } = await frameFor(request);
      const view = await interviewView(ctx, idOf(request), scopeOf(site));
      return sendPage(
        reply.header("Cache-Control", "no-store"),
        <InterviewPage
          frame={frame}
          csrf={reply.generateCsrf()}
          interview={view.interview}
          phase={view.phase}
          entries={view.entries}
          photos={view.photos}
          state={state}
          asked={(request.query as { msg?: string }).msg === "asked"}
        />,
        status,
      );
    };
    app.get(`${prefix}/zxft/:id`, (request, reply) => page(request, reply, { values: {} }));
    app.post(`${prefix}/zxft/:id/ask`, { config: ASK_LIMIT }, async (request, reply) => {
      const { site, frame } = await frameFor(request);
      const form = readForm(request);
      const values = { nickname: form.text("nickname"), body: form.text("body") };
      try {
        await askQuestion(
          ctx,
          idOf(request),
          request.actor?.kind === "citizen" ? request.actor.id : null,
          values.nickname,
          values.body,
          scopeOf(site),
        );
        return reply.redirect(`${frame.base}/zxft/${idOf(request)}?msg=asked`, 303);
      } catch (error) {
        return page(request, reply, formProblem(error, values), 400);
      }
    });
    // Server-sent events: entries after ?after= (or Last-Event-ID), then new ones as they are published.
    app.get(`${prefix}/zxft/:id/feed`, async (request, reply) => {
      const { site } = await frameFor(request);
      const id = idOf(request);
      await interviewView(ctx, id, scopeOf(site));
      const header = Number(request.headers["last-event-id"]);
      const query = Number((request.query as { after?: string }).after);
      let last =
        Number.isInteger(header) && header > 0 ? header : Number.isInteger(query) && query > 0 ? query : 0;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        Connection: "keep-alive",
        "X-Accel-Buffering": "no",
      });
      res.write("retry: 5000\n\n");
      let open = true;
      request.raw.on("close", () => {
        open = false;
      });
      const started = Date.now();
      while (open && !closing && Date.now() - started < FEED_MAX_MS) {
        for (const e of await entriesAfter(ctx, id, last)) {
          const data = { ...e, time: formatDateTime(e.created_at) };
          res.write(`id: ${e.id}\nevent: entry\ndata: ${JSON.stringify(data)}\n\n`);
          last = e.id;
        }
        const { phase } = await interviewView(ctx, id, scopeOf(site));
        if (phase === "ended") {
          res.write("event: end\ndata: {}\n\n");
          break;
        }
        res.write(": keep-alive\n\n");
        await new Promise((resolve) => setTimeout(resolve, FEED_POLL_MS));
      }
      res.end();
    });
  };
  mount("");
  mount("/sites/:code");
  app.get("/zxft/photo/:id", async (request, reply) => {
    const photo = await photoFor(ctx, Number((request.params as { id: string }).id) || 0);
    return reply
      .type(photo.mime)
      .header("Cache-Control", "public, max-age=86400")
      .header("X-Content-Type-Options", "nosniff")
      .send(ctx.files.open(photo.storage_key));
  });

  /* ---------------------------------------------------------- host console */
  const host = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    const scope = scopeFor(frame.actor, "document.edit");
    if (!scope.all && scope.siteIds.length === 0) throw new ForbiddenError("您没有主持在线访谈的权限");
    return frame;
  };
  const idParam = (request: FastifyRequest) => Number((request.params as { id: string }).id) || 0;
  app.get("/admin/interviews", async (request, reply) => {
    const frame = host(request, reply);
    return sendPage(
      reply,
      <InterviewAdminListPage frame={frame} rows={await interviewList(ctx, { staff: frame.actor })} />,
    );
  });
  const hostPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number | null,
    state: FormState | null,
    status = 200,
  ) => {
    const frame = host(request, reply);
    const sites = (await listSites(ctx)).filter((s) => can(frame.actor, "document.edit", { siteId: s.id }));
    if (id === null)
      return sendPage(
        reply,
        <InterviewHostPage
          frame={frame}
          id={null}
          sites={sites}
          phase="draft"
          pending={[]}
          entries={[]}
          state={state ?? { values: { siteId: String(sites[0]?.id ?? "") } }}
        />,
        status,
      );
    const view = await interviewView(ctx, id, undefined, true);
    if (!can(frame.actor, "document.edit", { siteId: view.interview.site_id }))
      throw new ForbiddenError("您没有主持该访谈的权限");
    const i = view.interview;
    const values = {
      siteId: String(i.site_id),
      title: i.title,
      guests: i.guests,
      scheduledAt: localInput(i.scheduled_at),
      topic: i.topic,
      videoUrl: i.video_url,
    };
    return sendPage(
      reply,
      <InterviewHostPage
        frame={frame}
        id={id}
        sites={sites}
        phase={view.phase}
        pending={await pendingQuestions(ctx, id)}
        entries={view.entries}
        state={state ? { ...state, values: { ...values, ...state.values } } : { values }}
      />,
      status,
    );
  };
  const save = async (request: FastifyRequest, reply: FastifyReply, id: number | null) => {
    const frame = host(request, reply);
    const form = readForm(request);
    const values = Object.fromEntries(
      ["siteId", "title", "guests", "scheduledAt", "topic", "videoUrl"].map((k) => [k, form.text(k)]),
    );
    try {
      const saved = await saveInterview(ctx, frame.actor, id, {
        siteId: Number(values.siteId) || 0,
        title: values.title ?? "",
        topic: values.topic ?? "",
        guests: values.guests ?? "",
        scheduledAt: values.scheduledAt ?? "",
        videoUrl: values.videoUrl ?? "",
      });
      return reply.redirect(`/admin/interviews/${saved}?msg=saved`, 303);
    } catch (error) {
      return hostPage(request, reply, id, formProblem(error, values), 400);
    }
  };
  app.get("/admin/interviews/new", (request, reply) => hostPage(request, reply, null, null));
  app.post("/admin/interviews/new", (request, reply) => save(request, reply, null));
  app.get("/admin/interviews/:id", (request, reply) => hostPage(request, reply, idParam(request), null));
  app.post("/admin/interviews/:id", (request, reply) => save(request, reply, idParam(request)));
  app.post("/admin/interviews/:id/step", async (request, reply) => {
    const frame = host(request, reply);
    const step = readForm(request).text("step");
    if (step !== "publish" && step !== "start" && step !== "end") throw new NotFoundError();
    await stepInterview(ctx, frame.actor, idParam(request), step);
    return reply.redirect(`/admin/interviews/${idParam(request)}?msg=updated`, 303);
  });
  app.post("/admin/interviews/:id/questions/:questionId", async (request, reply) => {
    const frame = host(request, reply);
    const form = readForm(request);
    const questionId = Number((request.params as { questionId: string }).questionId) || 0;
    try {
      await moderateQuestion(
        ctx,
        frame.actor,
        questionId,
        form.text("decision") === "answer"
          ? { answer: form.text("answer"), speaker: form.text("speaker") }
          : { reject: form.text("reason") },
      );
      return reply.redirect(`/admin/interviews/${idParam(request)}?msg=updated`, 303);
    } catch (error) {
      return hostPage(
        request,
        reply,
        idParam(request),
        formProblem(error, { speaker: form.text("speaker") }),
        400,
      );
    }
  });
  app.post("/admin/interviews/:id/remark", async (request, reply) => {
    const frame = host(request, reply);
    const form = readForm(request);
    const values = { speaker: form.text("speaker"), remark: form.text("remark") };
    try {
      await postRemark(ctx, frame.actor, idParam(request), values.speaker, values.remark);
      return reply.redirect(`/admin/interviews/${idParam(request)}?msg=updated`, 303);
    } catch (error) {
      return hostPage(request, reply, idParam(request), formProblem(error, values), 400);
    }
  });
  app.post("/admin/interviews/:id/photos", async (request, reply) => {
    const frame = host(request, reply);
    const form = readForm(request);
    const file = form.files("photo")[0];
    try {
      if (!file) throw new UserError("请选择图片", 400, { photo: "请选择图片" });
      await addPhoto(ctx, frame.actor, idParam(request), file, form.text("caption"));
      return reply.redirect(`/admin/interviews/${idParam(request)}?msg=updated`, 303);
    } catch (error) {
      return hostPage(request, reply, idParam(request), formProblem(error, {}), 400);
    }
  });
}

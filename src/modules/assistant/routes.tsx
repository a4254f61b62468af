import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../core/context.ts";
import { adminFrame } from "../../core/http/admin.ts";
import { type FormState, formProblem, queryInt, readForm, sendPage } from "../../core/http/forms.ts";
import { buildFrame, resolveSite } from "../sites/frame.ts";
import {
  answerQuestion,
  assistantStats,
  getFaq,
  listFaqs,
  publicFaq,
  rateAnswer,
  requireFaqManager,
  resolveQuestion,
  reviewList,
  reviewQuestion,
  saveFaq,
} from "./service.ts";
import { FaqEditPage, FaqListPage, ReviewPage } from "./views/admin.tsx";
import { AssistantPage, FaqPage } from "./views/public.tsx";

const FAQ_PAGE_SIZE = 30;
/** The JSON API answers machines too: a per-address cap keeps one client from monopolising it. */
const API_LIMIT = { rateLimit: { max: 600, timeWindow: "1 minute" } };

/** 智能问答: the chat page (a plain form without JavaScript), the JSON API, FAQ pages and the staff review. */
export async function registerAssistantRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get("/api/assistant", { config: API_LIMIT }, async (request) => {
    const q = (request.query as { q?: unknown }).q;
    if (typeof q !== "string" || !q.trim())
      return { answer: "请输入您的问题。", confident: false, sources: [] };
    const reply = await answerQuestion(ctx.db, q);
    return {
      answer: reply.answer,
      confident: reply.confident,
      sources: reply.confident ? reply.sources : [...reply.sources, ...reply.related],
      outcome: reply.outcome,
    };
  });

  const chat = async (request: FastifyRequest, reply: FastifyReply) => {
    const { site, base } = await resolveSite(ctx, request, (request.params as { code?: string }).code);
    const query = request.query as { q?: unknown; rated?: unknown };
    const question = typeof query.q === "string" ? query.q.trim().slice(0, 200) : "";
    const frame = await buildFrame(ctx, request, site, base);
    const tooLong = typeof query.q === "string" && query.q.trim().length > 200;
    const answer =
      question && !tooLong ? await answerQuestion(ctx.db, question, { log: query.rated !== "1" }) : null;
    return sendPage(
      reply,
      <AssistantPage
        frame={frame}
        question={question}
        reply={answer}
        csrf={reply.generateCsrf()}
        rated={query.rated === "1"}
        error={tooLong ? "问题不超过 200 字，请精简后再问" : undefined}
      />,
    );
  };
  app.get("/assistant", chat);
  app.get("/sites/:code/assistant", chat);

  app.post("/assistant/rate/:id", async (request, reply) => {
    const form = readForm(request);
    await rateAnswer(
      ctx.db,
      queryInt((request.params as { id: string }).id, 0, 0, 2_000_000_000),
      form.text("helpful") === "1",
    );
    return reply.redirect(`/assistant?q=${encodeURIComponent(form.text("q").slice(0, 200))}&rated=1`, 303);
  });

  app.get("/assistant/faq/:id", async (request, reply) => {
    const { site, base } = await resolveSite(ctx, request);
    const faq = await publicFaq(ctx.db, queryInt((request.params as { id: string }).id, 0, 0, 2_000_000_000));
    const frame = await buildFrame(ctx, request, site, base);
    return sendPage(reply, <FaqPage frame={frame} faq={faq} cited={faq.cited} />);
  });

  /* ---------------------------------------------------------- admin */
  app.get("/admin/assistant", async (request, reply) => {
    const frame = adminFrame(request, reply);
    await requireFaqManager(ctx, frame.actor);
    const [questions, stats] = await Promise.all([reviewList(ctx.db), assistantStats(ctx.db)]);
    return sendPage(reply, <ReviewPage frame={frame} questions={questions} stats={stats} />);
  });

  app.post("/admin/assistant/questions/:id/resolve", async (request, reply) => {
    const frame = adminFrame(request, reply);
    await resolveQuestion(
      ctx,
      frame.actor,
      queryInt((request.params as { id: string }).id, 0, 0, 2_000_000_000),
      null,
    );
    return reply.redirect("/admin/assistant?msg=updated", 303);
  });

  app.get("/admin/assistant/faqs", async (request, reply) => {
    const frame = adminFrame(request, reply);
    await requireFaqManager(ctx, frame.actor);
    const query = request.query as { q?: unknown; page?: unknown };
    const q = typeof query.q === "string" ? query.q.slice(0, 100) : "";
    const page = queryInt(query.page, 1, 1, 1000);
    const { rows, total } = await listFaqs(ctx.db, q, page, FAQ_PAGE_SIZE);
    return sendPage(
      reply,
      <FaqListPage
        frame={frame}
        q={q}
        rows={rows}
        page={page}
        pages={Math.max(1, Math.ceil(total / FAQ_PAGE_SIZE))}
        total={total}
      />,
    );
  });

  const editPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number | null,
    fromQuestion: number | null,
    state: FormState,
    status = 200,
  ) => {
    const frame = adminFrame(request, reply);
    await requireFaqManager(ctx, frame.actor);
    return sendPage(
      reply,
      <FaqEditPage frame={frame} id={id} fromQuestion={fromQuestion} state={state} />,
      status,
    );
  };

  app.get("/admin/assistant/faqs/new", async (request, reply) => {
    const frame = adminFrame(request, reply);
    await requireFaqManager(ctx, frame.actor);
    const from = queryInt((request.query as { from?: unknown }).from, 0, 0, 2_000_000_000);
    const asked = from ? await reviewQuestion(ctx.db, from) : null;
    return editPage(request, reply, null, asked?.id ?? null, {
      values: { question: asked?.question ?? "", answer: "", tags: "", refs: "", published: "1" },
    });
  });

  app.get("/admin/assistant/faqs/:id", async (request, reply) => {
    const frame = adminFrame(request, reply);
    await requireFaqManager(ctx, frame.actor);
    const faq = await getFaq(ctx.db, queryInt((request.params as { id: string }).id, 0, 0, 2_000_000_000));
    return editPage(request, reply, faq.id, null, {
      values: {
        question: faq.question,
        answer: faq.answer,
        tags: faq.tags.join(","),
        refs: faq.refs.join(","),
        published: faq.published ? "1" : "0",
      },
    });
  });

  const save = async (request: FastifyRequest, reply: FastifyReply, id: number | null) => {
    const frame = adminFrame(request, reply);
    const form = readForm(request);
    const values = {
      question: form.text("question"),
      answer: form.text("answer"),
      tags: form.text("tags"),
      refs: form.text("refs"),
      published: form.text("published") === "1" ? "1" : "0",
    };
    const from = form.int("from");
    try {
      const saved = await saveFaq(ctx, frame.actor, id, { ...values, published: values.published === "1" });
      if (from) await resolveQuestion(ctx, frame.actor, from, saved);
    } catch (error) {
      return editPage(request, reply, id, from, formProblem(error, values), 400);
    }
    return reply.redirect(from ? "/admin/assistant?msg=created" : "/admin/assistant/faqs?msg=saved", 303);
  };
  app.post("/admin/assistant/faqs/new", (request, reply) => save(request, reply, null));
  app.post("/admin/assistant/faqs/:id", (request, reply) =>
    save(request, reply, queryInt((request.params as { id: string }).id, 0, 0, 2_000_000_000)),
  );
}

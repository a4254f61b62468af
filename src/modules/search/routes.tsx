import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../core/context.ts";
import { adminFrame } from "../../core/http/admin.ts";
import { formProblem, queryInt, readForm, sendPage } from "../../core/http/forms.ts";
import { buildFrame, resolveSite } from "../sites/frame.ts";
import { listSites, siteByCode } from "../sites/service.ts";
import {
  addHotWord,
  addSynonym,
  deleteHotWord,
  deleteSynonym,
  hotWords,
  listSynonyms,
  logQuery,
  parseSearchQuery,
  recordClick,
  requireSearchAdmin,
  search,
  searchAnalytics,
  suggest,
} from "./service.ts";
import { rebuildSearchIndex } from "./sources.ts";
import { SearchAdminPage } from "./views/admin.tsx";
import { SearchPage } from "./views/search.tsx";

const PAGE_SIZE = 10;

/** 站内搜索: the results page on every site, the JSON API, suggestions, click tracking and the admin. */
export async function registerSearchRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get("/api/search", async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const filter = parseSearchQuery(query, PAGE_SIZE);
    const code = typeof query.site === "string" ? query.site : "";
    const site = code ? await siteByCode(ctx, code) : undefined;
    if (code && !site) return reply.code(400).send({ error: "站点不存在" });
    if (!filter.q.trim()) return { total: 0, hits: [] };
    const result = await search(ctx.db, { ...filter, siteId: site?.id });
    return {
      total: result.total,
      ...(result.query.corrected ? { corrected: result.query.text } : {}),
      hits: result.hits.map((h) => ({
        ref: h.ref,
        type: h.type,
        title: h.title,
        url: h.url,
        snippet: h.snippet,
      })),
    };
  });

  app.get("/api/search/suggest", async (request) => {
    const q = (request.query as { q?: unknown }).q;
    return { suggestions: typeof q === "string" ? await suggest(ctx.db, q) : [] };
  });

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const { site, base } = await resolveSite(ctx, request, (request.params as { code?: string }).code);
    const query = request.query as Record<string, unknown>;
    const filter = parseSearchQuery({ ...query, limit: String(PAGE_SIZE) }, PAGE_SIZE);
    const sites = await listSites(ctx);
    // a department site searches itself unless the visitor widens the scope
    const siteCode =
      typeof query.site === "string" ? query.site : site.kind === "portal" ? "" : (site.code ?? "");
    const scoped = sites.find((s) => s.code === siteCode);
    const [frame, words] = await Promise.all([buildFrame(ctx, request, site, base), hotWords(ctx.db)]);
    let result = null;
    let queryId = null;
    if (filter.q.trim()) {
      result = await search(ctx.db, { ...filter, siteId: scoped?.id, facets: true });
      if (!query.page)
        queryId = await logQuery(
          ctx.db,
          filter.q,
          result.query.corrected ? result.query.text : null,
          scoped?.id ?? null,
          result.total,
        );
    }
    return sendPage(
      reply,
      <SearchPage
        frame={frame}
        filter={filter}
        siteCode={scoped ? siteCode : ""}
        sites={sites.map((s) => ({ code: s.code, name: s.name }))}
        result={result}
        queryId={queryId}
        page={Math.floor((filter.offset ?? 0) / PAGE_SIZE) + 1}
        hotWords={words}
      />,
    );
  };
  app.get("/search", page);
  app.get("/sites/:code/search", page);

  app.get("/search/go/:queryId/:recordId", async (request, reply) => {
    const params = request.params as { queryId: string; recordId: string };
    const url = await recordClick(
      ctx.db,
      queryInt(params.queryId, 0, 0, 2_000_000_000),
      queryInt(params.recordId, 0, 0, 2_000_000_000),
      queryInt((request.query as { pos?: unknown }).pos, 1, 1, 1000),
    );
    return reply.redirect(url, 303);
  });

  /* ---------------------------------------------------------- admin */
  const adminPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state?: ReturnType<typeof formProblem>,
  ) => {
    const frame = adminFrame(request, reply);
    await requireSearchAdmin(ctx, frame.actor);
    const days = queryInt((request.query as { days?: unknown }).days, 30, 1, 366);
    const [synonyms, words, analytics] = await Promise.all([
      listSynonyms(ctx.db),
      ctx.db.selectFrom("search_hot_words").selectAll().orderBy("position").orderBy("id").execute(),
      searchAnalytics(ctx.db, days),
    ]);
    return sendPage(
      reply,
      <SearchAdminPage
        frame={frame}
        synonyms={synonyms}
        hotWords={words}
        analytics={analytics}
        days={days}
        state={state}
      />,
      state ? 400 : 200,
    );
  };
  app.get("/admin/search", (request, reply) => adminPage(request, reply));

  app.post("/admin/search/synonyms", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const form = readForm(request);
    try {
      await addSynonym(ctx, frame.actor, form.text("rule"));
    } catch (error) {
      return adminPage(request, reply, formProblem(error, { rule: form.text("rule") }));
    }
    return reply.redirect("/admin/search?msg=saved", 303);
  });
  app.post("/admin/search/synonyms/:id/delete", async (request, reply) => {
    const frame = adminFrame(request, reply);
    await deleteSynonym(ctx, frame.actor, queryInt((request.params as { id: string }).id, 0, 0));
    return reply.redirect("/admin/search?msg=deleted", 303);
  });
  app.post("/admin/search/hot-words", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const form = readForm(request);
    try {
      await addHotWord(ctx, frame.actor, form.text("word"), form.int("position") ?? 0);
    } catch (error) {
      return adminPage(
        request,
        reply,
        formProblem(error, { word: form.text("word"), position: form.text("position") }),
      );
    }
    return reply.redirect("/admin/search?msg=saved", 303);
  });
  app.post("/admin/search/hot-words/:id/delete", async (request, reply) => {
    const frame = adminFrame(request, reply);
    await deleteHotWord(ctx, frame.actor, queryInt((request.params as { id: string }).id, 0, 0));
    return reply.redirect("/admin/search?msg=deleted", 303);
  });
  app.post("/admin/search/reindex", async (request, reply) => {
    const frame = adminFrame(request, reply);
    await requireSearchAdmin(ctx, frame.actor);
    await rebuildSearchIndex(ctx.db);
    return reply.redirect("/admin/search?msg=updated", 303);
  });
}

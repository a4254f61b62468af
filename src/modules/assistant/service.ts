import { sql } from "kysely";
import { type Actor, can } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import type { Db } from "../../core/db/database.ts";
import { ForbiddenError, NotFoundError, Problems } from "../../core/errors.ts";
import type { AnalyzedQuery } from "../search/query.ts";
import { contentWords } from "../search/query.ts";
import { conceptWeights, type SearchHit, search } from "../search/service.ts";
import { indexRecord } from "../search/sources.ts";
import { portalSite } from "../sites/service.ts";
import { generateAnswer, generativeEnabled } from "./generate.ts";
import type { FaqRow, QuestionOutcome } from "./schema.ts";

export interface AssistantSource {
  ref: string | null;
  title: string;
  url: string;
}

export interface AssistantAnswer {
  questionId: number | null;
  outcome: QuestionOutcome;
  answer: string;
  confident: boolean;
  sources: AssistantSource[];
  /** for a clarifying question: the questions the citizen may have meant */
  options: { question: string }[];
  /** the best search results, shown when the assistant does not know */
  related: AssistantSource[];
  /** how well the best FAQ covers the question, 0–1 */
  fit: number;
}

/** Where a question the assistant cannot answer can go: 政民互动 (市长信箱、咨询). */
export const LETTER_PATH = "/col/szxx/";

/** Topics no government website answers; matched only when the question names no government matter. */
const OUT_OF_SCOPE =
  /天气|气温|股票|基金涨|彩票|双色球|笑话|讲个故事|写(一首)?诗|作文|游戏|电影|电视剧|明星|星座|算命|运势|菜谱|怎么做菜|翻译成|你是谁|你叫什么|谈恋爱|女朋友|男朋友/;

const DONT_KNOW =
  "抱歉，这个问题我暂时没有找到可靠的答案，不便随意回答。您可以看看下面的相关内容，也可以写信到市长信箱咨询，或拨打 12345 政务服务便民热线。";
const REFUSAL =
  "抱歉，我是青禾市政务服务智能问答，只能回答办事服务、政策文件等政务方面的问题。这个问题超出了我的服务范围。";

/** Share of the question's concepts (weighted by rarity) that the FAQ covers. */
function coverage(query: AnalyzedQuery, weights: number[], faq: FaqRow): number {
  const question = `${faq.question} ${faq.tags.join(" ")}`;
  let covered = 0;
  let total = 0;
  query.groups.forEach((g, i) => {
    const w = weights[i] ?? 1;
    total += w;
    const alts = g.alternatives;
    if (alts.some((a) => a.every((word) => question.includes(word)))) covered += w;
    else if (alts.some((a) => a.every((word) => faq.answer.includes(word)))) covered += w * 0.3;
  });
  return total ? covered / total : 0;
}

/** Share of the FAQ question's own words that the citizen's question touches. */
function focus(query: AnalyzedQuery, faq: FaqRow): number {
  const words = contentWords(faq.question);
  if (!words.length) return 0;
  const asked = query.groups.flatMap((g) => g.alternatives.flat());
  const touched = words.filter((w) => asked.some((a) => a.includes(w) || w.includes(a)));
  return touched.length / words.length;
}

async function faqsByIds(db: Db, ids: number[]): Promise<Map<number, FaqRow>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom("faqs").selectAll().where("id", "in", ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** The records an FAQ cites (services, policies, interpretations) that are public and indexed. */
async function citedRecords(db: Db, refs: string[]): Promise<(AssistantSource & { excerpt: string })[]> {
  if (!refs.length) return [];
  const rows = await db
    .selectFrom("search_records")
    .select(["ref", "title", "url", sql<string>`left(body, 1200)`.as("excerpt")])
    .where("ref", "in", refs)
    .execute();
  return refs.flatMap((r) => rows.filter((row) => row.ref === r));
}

const asSource = (h: SearchHit): AssistantSource => ({ ref: h.ref, title: h.title, url: h.url });

const CONFIDENT = 0.6;

/**
 * Retrieval-only answering: the best FAQ when it covers what was asked, one clarifying question
 * when several FAQs fit a short question equally, otherwise a plain "don't know" with the best
 * search results.
 */
export async function answerQuestion(
  db: Db,
  question: string,
  options: { log?: boolean } = {},
): Promise<AssistantAnswer> {
  const text = question.trim().slice(0, 200);
  const [faqResult, general] = await Promise.all([
    search(db, { q: text, types: ["faq"], limit: 20 }),
    search(db, { q: text, limit: 5 }),
  ]);
  const related = general.hits.map(asSource);
  const query = faqResult.query;
  const weights = await conceptWeights(db, query.groups);
  const faqs = await faqsByIds(
    db,
    faqResult.hits.map((h) => Number(h.key)),
  );
  const scored = faqResult.hits
    .map((hit) => {
      const faq = faqs.get(Number(hit.key));
      return faq ? { hit, faq, fit: coverage(query, weights, faq), focus: focus(query, faq) } : undefined;
    })
    .filter((x) => x !== undefined)
    // the FAQ that covers most of what was asked and asks least beyond it; search order breaks ties
    .sort((a, b) => b.fit + 0.3 * b.focus - (a.fit + 0.3 * a.focus));
  const best = scored[0];
  let result: Omit<AssistantAnswer, "questionId" | "fit">;
  const choices = best && best.fit >= CONFIDENT ? ambiguousMatters(query, scored) : [];
  if (!best || best.fit < CONFIDENT) {
    const offTopic = OUT_OF_SCOPE.test(text) && (!best || best.fit < 0.3);
    result = {
      outcome: offTopic ? "refused" : "unknown",
      answer: offTopic ? REFUSAL : DONT_KNOW,
      confident: false,
      sources: [],
      options: [],
      related: offTopic ? [] : related,
    };
  } else if (choices.length) {
    result = {
      outcome: "clarify",
      answer: "您问的情况有几种，请问您想了解的是哪一种？",
      confident: false,
      sources: choices.map((c) => asSource(c.hit)),
      options: choices.map((c) => ({ question: c.faq.question })),
      related: [],
    };
  } else {
    const cited = await citedRecords(db, best.faq.refs);
    const generated = generativeEnabled()
      ? await generateAnswer(text, [
          { title: best.faq.question, text: best.faq.answer },
          ...cited.slice(0, 2).map((c) => ({ title: c.title, text: c.excerpt })),
        ])
      : null;
    result = {
      outcome: "answered",
      answer: generated ?? best.faq.answer,
      confident: true,
      sources: [asSource(best.hit), ...cited.map(({ ref, title, url }) => ({ ref, title, url }))],
      options: [],
      related: [],
    };
  }
  const questionId =
    options.log === false
      ? null
      : await logQuestion(db, text, result.outcome, result.sources[0]?.ref ?? null);
  return { questionId, fit: best?.fit ?? 0, ...result };
}

/**
 * A short question (公积金提取) that FAQs about three or more different matters (购房, 租房, 退休提取)
 * answer equally well: better to ask which one than to guess.
 */
function ambiguousMatters(
  query: AnalyzedQuery,
  scored: { hit: SearchHit; faq: FaqRow; fit: number; focus: number }[],
): { hit: SearchHit; faq: FaqRow }[] {
  const [best] = scored;
  if (!best || query.groups.filter((g) => !g.aspect).length > 2 || query.groups.some((g) => g.aspect))
    return [];
  const byMatter = new Map<string, { hit: SearchHit; faq: FaqRow }>();
  for (const s of scored) {
    if (s.fit < best.fit - 0.05 || s.focus < best.focus - 0.2) continue;
    const matter = s.faq.refs[0] ?? `faq-${s.faq.id}`;
    if (!byMatter.has(matter)) byMatter.set(matter, s);
  }
  return byMatter.size >= 3 ? [...byMatter.values()].slice(0, 4) : [];
}

async function logQuestion(db: Db, question: string, outcome: QuestionOutcome, topRef: string | null) {
  const row = await db
    .insertInto("assistant_questions")
    .values({ question, outcome, top_ref: topRef })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** 有帮助 / 没帮助 from the citizen; a low rating sends the question to the review list. */
export async function rateAnswer(db: Db, questionId: number, helpful: boolean): Promise<void> {
  await db
    .updateTable("assistant_questions")
    .set({ rating: helpful ? 1 : -1 })
    .where("id", "=", questionId)
    .where("rating", "is", null)
    .execute();
}

/* ------------------------------------------------------------------ knowledge base (staff) */

export async function requireFaqManager(ctx: AppContext, actor: Actor): Promise<void> {
  const portal = await portalSite(ctx);
  if (!portal || !can(actor, "faq.manage", { siteId: portal.id }))
    throw new ForbiddenError("您没有管理知识库的权限");
}

export async function listFaqs(db: Db, q: string, page: number, pageSize: number) {
  let base = db.selectFrom("faqs");
  const term = q.trim();
  if (term) {
    const like = `%${term.replace(/[%_\\]/g, "\\$&")}%`;
    base = base.where((eb) =>
      eb.or([eb("question", "like", like), eb("answer", "like", like), eb("ref", "=", term)]),
    );
  }
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy("id")
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function getFaq(db: Db, id: number): Promise<FaqRow> {
  const row = await db.selectFrom("faqs").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError("该问题不存在");
  return row;
}

export async function publicFaq(db: Db, id: number) {
  const row = await db
    .selectFrom("faqs as f")
    .leftJoin("departments as d", "d.id", "f.department_id")
    .selectAll("f")
    .select("d.name as department_name")
    .where("f.id", "=", id)
    .where("f.published", "=", true)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("该问题不存在或已下线");
  return { ...row, cited: await citedRecords(db, row.refs) };
}

export interface FaqInput {
  question: string;
  answer: string;
  tags: string;
  refs: string;
  published: boolean;
}

function checkFaq(input: FaqInput) {
  const problems = new Problems();
  const question = input.question.trim();
  const answer = input.answer.trim();
  if (!question) problems.add("question", "请填写问题");
  else if (question.length > 200) problems.add("question", "问题不超过 200 字");
  if (!answer) problems.add("answer", "请填写答案");
  else if (answer.length > 2000) problems.add("answer", "答案不超过 2000 字");
  const split = (s: string) =>
    s
      .split(/[,，、\s]+/)
      .map((x) => x.trim())
      .filter(Boolean);
  const tags = split(input.tags);
  const refs = split(input.refs);
  if (tags.length > 20) problems.add("tags", "关键词不超过 20 个");
  if (refs.some((r) => !/^[a-z]{2,4}-\d{2,4}$/.test(r)))
    problems.add("refs", "关联编号格式如 svc-001、pol-003，多个用逗号分隔");
  problems.throwIfAny();
  return { question, answer, tags, refs, published: input.published };
}

/** Saves an FAQ (new when id is null) and brings the search index in line. */
export async function saveFaq(
  ctx: AppContext,
  actor: Actor,
  id: number | null,
  input: FaqInput,
): Promise<number> {
  await requireFaqManager(ctx, actor);
  const values = checkFaq(input);
  return ctx.db.transaction().execute(async (trx) => {
    const saved = id
      ? await trx
          .updateTable("faqs")
          .set({ ...values, updated_by: actor.id, updated_at: new Date() })
          .where("id", "=", id)
          .returning("id")
          .executeTakeFirst()
      : await trx
          .insertInto("faqs")
          .values({ ...values, updated_by: actor.id })
          .returning("id")
          .executeTakeFirstOrThrow();
    if (!saved) throw new NotFoundError("该问题不存在");
    await indexRecord(trx, "faq", String(saved.id));
    return saved.id;
  });
}

/** Questions to review: not answered, or answered and rated unhelpful; newest first. */
export async function reviewList(db: Db, limit = 100) {
  return db
    .selectFrom("assistant_questions")
    .selectAll()
    .where("resolved_at", "is", null)
    .where((eb) => eb.or([eb("outcome", "in", ["unknown", "clarify"]), eb("rating", "=", -1)]))
    .orderBy("created_at", "desc")
    .limit(limit)
    .execute();
}

export async function reviewQuestion(db: Db, id: number) {
  const row = await db.selectFrom("assistant_questions").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError("该提问不存在");
  return row;
}

/** Closes a reviewed question, optionally with the FAQ written for it. */
export async function resolveQuestion(
  ctx: AppContext,
  actor: Actor,
  id: number,
  faqId: number | null,
): Promise<void> {
  await requireFaqManager(ctx, actor);
  await ctx.db
    .updateTable("assistant_questions")
    .set({ resolved_at: new Date(), resolved_by: actor.id, faq_id: faqId })
    .where("id", "=", id)
    .execute();
}

export async function assistantStats(db: Db) {
  return db
    .selectFrom("assistant_questions")
    .select(["outcome", sql<number>`count(*)`.as("n")])
    .groupBy("outcome")
    .execute();
}

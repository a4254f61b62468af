import { type Compilable, type SelectQueryBuilder, sql } from "kysely";
import { type Actor, can } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import type { Db } from "../../core/db/database.ts";
import type { Database } from "../../core/db/tables.ts";
import { ForbiddenError, NotFoundError, UserError } from "../../core/errors.ts";
import { portalSite } from "../sites/service.ts";
import { type AnalyzedQuery, analyzeQuery, clearSynonymCache, highlightWords, tsQueries } from "./query.ts";
import { RECORD_TYPES, type RecordType, type SynonymKind } from "./schema.ts";
import { isNounLike, normalize, toPinyin } from "./segment.ts";

export interface SearchFilter {
  q: string;
  siteId?: number | undefined;
  types?: RecordType[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  validity?: "有效" | "失效" | undefined;
  sort?: "relevance" | "date" | undefined;
  limit: number;
  offset?: number | undefined;
  /** search exactly what was typed, without correcting it */
  exact?: boolean | undefined;
}

export interface SearchHit {
  id: number;
  source: string;
  key: string;
  ref: string | null;
  type: RecordType;
  title: string;
  url: string;
  snippet: string;
  department: string;
  publishedAt: Date | null;
  validity: string | null;
  score: number;
  /** every concept of the query is in the title or keywords: the record is what was named */
  named: boolean;
}

export interface SearchResult {
  query: AnalyzedQuery;
  total: number;
  hits: SearchHit[];
  /** hits per type for the same query and other filters */
  byType: Partial<Record<RecordType, number>>;
  /** words to highlight in titles and snippets */
  marks: string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Reads the query string of a search page or the API into a filter, ignoring what does not parse. */
export function parseSearchQuery(query: Record<string, unknown>, defaultLimit: number): SearchFilter {
  const str = (k: string) => (typeof query[k] === "string" ? (query[k] as string) : "");
  const list = (k: string) => {
    const v = query[k];
    return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
  };
  const types = list("type").filter((t): t is RecordType => (RECORD_TYPES as readonly string[]).includes(t));
  const limitRaw = Number(str("limit"));
  const pageRaw = Number(str("page"));
  const limit = Number.isInteger(limitRaw) && limitRaw > 0 ? Math.min(limitRaw, 50) : defaultLimit;
  const page = Number.isInteger(pageRaw) && pageRaw > 0 ? Math.min(pageRaw, 100) : 1;
  const validity = str("validity");
  return {
    q: str("q").slice(0, 100),
    types: types.length ? types : undefined,
    from: DATE.test(str("from")) ? str("from") : undefined,
    to: DATE.test(str("to")) ? str("to") : undefined,
    validity: validity === "有效" || validity === "失效" ? validity : undefined,
    sort: str("sort") === "date" ? "date" : "relevance",
    limit,
    offset: (page - 1) * limit,
    exact: str("exact") === "1",
  };
}

function filtered(
  db: Db,
  f: SearchFilter,
  match: string,
  withTypes: boolean,
  column: "tsv" | "title_tsv" = "tsv",
) {
  let query = db
    .selectFrom("search_records")
    .where(sql<boolean>`${sql.ref(column)} @@ to_tsquery('simple', ${match})`);
  if (f.siteId !== undefined) query = query.where(sql<boolean>`site_ids @> array[${f.siteId}]::int[]`);
  if (withTypes && f.types?.length) query = query.where("type", "in", f.types);
  if (f.from) query = query.where("published_at", ">=", new Date(`${f.from}T00:00:00+08:00`));
  if (f.to)
    query = query.where(
      "published_at",
      "<",
      new Date(new Date(`${f.to}T00:00:00+08:00`).getTime() + 86_400_000),
    );
  if (f.validity === "有效")
    query = query.where((eb) => eb.or([eb("validity", "is", null), eb("validity", "=", "有效")]));
  if (f.validity === "失效") query = query.where("validity", "in", ["失效", "废止"]);
  return query;
}

/** Matches are counted up to here ("500 条以上"), per type up to FACET_CAP ("100+"). */
export const COUNT_CAP = 500;
export const FACET_CAP = 100;

/**
 * A count the planner expects to pass its cap this many times over is not taken: for a common
 * word in a million records, building the index bitmap alone takes longer than the search. The
 * planner's estimate for text queries comes from the word statistics of ANALYZE; only counts it
 * expects to be near or under the cap are taken exactly.
 */
const SURE_ABOVE_CAP = 4;

async function estimatedRows(db: Db, query: Compilable): Promise<number> {
  const { rows } = await sql<{
    "QUERY PLAN": [{ Plan: { "Plan Rows": number } }];
  }>`explain (format json) ${query}`.execute(db);
  return rows[0]?.["QUERY PLAN"][0].Plan["Plan Rows"] ?? 0;
}

/**
 * Counts the rows of a query up to `cap`. For a common word the planner prefers a sequential scan
 * that stops at the cap, but that reads and unpacks the body vector of every row it passes (tens of
 * buffers per row); the GIN bitmap needs no recheck for plain word queries and visits only
 * matching rows, so the count runs with sequential scans off.
 */
async function capped(
  db: Db,
  query: Compilable & { limit(n: number): Compilable },
  cap: number,
): Promise<number> {
  if ((await estimatedRows(db, query)) >= cap * SURE_ABOVE_CAP) return cap;
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const row = await sql<{ n: number }>`select count(*) as n from (${query.limit(cap)}) as m`.execute(trx);
    return Number(row.rows[0]?.n ?? 0);
  });
}

/** Matches per type, each counted up to FACET_CAP; the exact counts in one statement. */
async function typeCounts(
  db: Db,
  f: SearchFilter,
  match: string,
): Promise<Partial<Record<RecordType, number>>> {
  const ofType = (type: RecordType) =>
    filtered(db, f, match, false).where("type", "=", type).select(sql`1`.as("one"));
  const estimates = await Promise.all(RECORD_TYPES.map((type) => estimatedRows(db, ofType(type))));
  const counts = new Map<RecordType, number>();
  const exact = RECORD_TYPES.filter((type, i) => {
    if ((estimates[i] ?? 0) < FACET_CAP * SURE_ABOVE_CAP) return true;
    counts.set(type, FACET_CAP);
    return false;
  });
  if (exact.length) {
    const parts = exact.map(
      (type) =>
        sql`select ${type}::text as type, (select count(*) from (${ofType(type).limit(FACET_CAP)}) as m) as n`,
    );
    const rows = await db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      return (await sql<{ type: RecordType; n: number }>`${sql.join(parts, sql` union all `)}`.execute(trx))
        .rows;
    });
    for (const row of rows) counts.set(row.type, Number(row.n));
  }
  return Object.fromEntries([...counts].filter(([, n]) => n > 0));
}

type Match = { column: "tsv" | "title_tsv"; match: string };
/** One tier of the ranking: records matching `match` in `column` and none of `not`. */
type Tier = Match & { not?: Match[] };

const RECORD_FIELDS = [
  "id",
  "source",
  "key",
  "ref",
  "type",
  "title",
  "body",
  "url",
  "department",
  "published_at",
  "validity",
] as const;

/**
 * The search itself, in tiers so that only a few rows are ever ranked: records with every concept
 * in the title, then with every concept anywhere, then with some concept in the title, then with
 * some anywhere. Within a tier, text rank, with the primary sources (办事指南, 政策文件) before what
 * is derived from them and current documents before lapsed ones. `total` counts matches up to
 * COUNT_CAP.
 */
export async function search(db: Db, f: SearchFilter & { facets?: boolean }): Promise<SearchResult> {
  const query = await analyzeQuery(db, f.q, { exact: f.exact });
  if (!query.groups.length) return { query, total: 0, hits: [], byType: {}, marks: [] };
  const { any, all } = tsQueries(query.groups);
  const prior = sql<number>`(case type when 'service' then 1.5 when 'policy' then 1.4 when 'interpretation' then 1.25 when 'faq' then 1 else 0.9 end)
    * (case when validity in ('失效', '废止') then 0.6 else 1 end)`;
  const rank = (column: "tsv" | "title_tsv") =>
    sql<number>`ts_rank('{0.05, 0.2, 0.4, 1.0}', ${sql.ref(column)}, to_tsquery('simple', ${any}), 0) * ${prior}`;
  const want = (f.offset ?? 0) + f.limit;
  const tiers: Tier[] =
    f.sort === "date"
      ? [{ column: "tsv", match: any }]
      : [
          { column: "title_tsv", match: all },
          { column: "tsv", match: all, not: [{ column: "title_tsv", match: all }] },
          { column: "title_tsv", match: any, not: [{ column: "tsv", match: all }] },
          {
            column: "tsv",
            match: any,
            not: [
              { column: "tsv", match: all },
              { column: "title_tsv", match: any },
            ],
          },
        ];
  // the count and facets run alongside the ranked tiers, on their own connections
  const counting = Promise.all([
    capped(db, filtered(db, f, any, true).select(sql`1`.as("one")), COUNT_CAP),
    f.facets ? typeCounts(db, f, any) : Promise.resolve({}),
  ]);
  // if ranking fails first, its error is the one reported; this one must not go unhandled
  counting.catch(() => undefined);
  const found: { id: number; score: number; tier: number }[] = [];
  const newestId = f.sort === "date" ? 0 : await newestRecordId(db);
  for (const [i, tier] of tiers.entries()) {
    if (found.length >= want) break;
    const tierQuery = (on: Db) => {
      let q = filtered(on, f, tier.match, true, tier.column);
      for (const not of tier.not ?? [])
        q = q.where(sql<boolean>`not (${sql.ref(not.column)} @@ to_tsquery('simple', ${not.match}))`);
      return q.select(["id", rank(tier.column).as("score")]);
    };
    const hits =
      f.sort === "date"
        ? await tierQuery(db)
            .orderBy(sql`published_at desc nulls last`)
            .orderBy("id", "desc")
            .limit(want - found.length)
            .execute()
        : await rankedTier(db, tier, tierQuery, want - found.length, newestId);
    found.push(...hits.map((h) => ({ id: h.id, score: Number(h.score), tier: i })));
  }
  const records = found.length
    ? await db
        .selectFrom("search_records")
        .select(RECORD_FIELDS)
        .where(
          "id",
          "in",
          found.map((h) => h.id),
        )
        .execute()
    : [];
  const byId = new Map(records.map((r) => [r.id, r]));
  const rows = found.flatMap((h) => {
    const record = byId.get(h.id);
    return record ? [{ ...record, score: h.score, named: f.sort !== "date" && h.tier === 0 }] : [];
  });
  const [total, byType] = await counting;
  const marks = highlightWords(query.groups);
  return {
    query,
    total,
    byType,
    marks,
    hits: rows.slice(f.offset ?? 0).map((r) => ({
      id: r.id,
      source: r.source,
      key: r.key,
      ref: r.ref,
      type: r.type,
      title: r.title,
      url: r.url,
      snippet: snippet(r.body, marks),
      department: r.department,
      publishedAt: r.published_at,
      validity: r.validity,
      score: Number(r.score),
      named: r.named,
    })),
  };
}

/**
 * How one tier is ranked without reading every match of a common word in a large index. The newest
 * CANDIDATES matches (in the order records were first indexed, which is also their order on disk)
 * are looked for by walking the primary key backwards through a window of the newest records; with
 * them go as many matches among the primary sources people look for by name (办事指南, 解读, 问答) from
 * before the window, however old. If the window holds that many matches, the tier is ranked from
 * those; otherwise the words are rare enough to rank all their matches through the text index. The
 * window, √(N × 16 × CANDIDATES) of N records, balances the two: a walk of W records costs about
 * what ranking W / 16 matches from the text index does, and a query rare enough to fall back has
 * fewer than CANDIDATES × N / W matches. A small index is always ranked whole.
 */
export const CANDIDATES = 100;

function recentWindow(newestId: number): number {
  return Math.round(Math.sqrt(newestId * 16 * CANDIDATES));
}

const NAMED_TYPES: RecordType[] = ["service", "interpretation", "faq"];
/** Up to this many named records are read by type and matched one by one. */
const NAMED_READ_BY_TYPE = 1000;

function namedRecords(db: Db) {
  return db.selectFrom("search_records").select("id").where("type", "in", NAMED_TYPES);
}

type Scored = { id: number; score: number };
type TierQuery = (on: Db) => SelectQueryBuilder<Database, "search_records", Scored>;

async function rankedTier(
  db: Db,
  tier: Tier,
  tierQuery: TierQuery,
  need: number,
  newestId: number,
): Promise<Scored[]> {
  const window = recentWindow(newestId);
  const candidates =
    window < newestId
      ? await newestCandidates(db, tier, tierQuery, { newestId, window, count: Math.max(CANDIDATES, need) })
      : undefined;
  if (candidates)
    return candidates.sort((a, b) => Number(b.score) - Number(a.score) || b.id - a.id).slice(0, need);
  return tierQuery(db).orderBy("score", "desc").orderBy("id", "desc").limit(need).execute();
}

/**
 * The newest matches in the window (CANDIDATES, or as many as the page needs) and as many of the
 * newest named ones before it, or nothing if the window holds fewer. Title tiers walk the key
 * backwards, titles being in the row; the first eighth of the window is walked first, as a sample,
 * and when it holds less than its share the rest is not (the planner cannot tell: it takes words
 * for independent, and titles that repeat a phrase fool it by a factor of fifty). Body tiers would
 * unpack a body vector per record walked, so they take the window's matches from the text index
 * instead, in the order they lie on disk.
 */
async function newestCandidates(
  db: Db,
  tier: Tier,
  tierQuery: TierQuery,
  walk: Walk,
): Promise<Scored[] | undefined> {
  const floor = walk.newestId - walk.window;
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
    const newest =
      tier.column === "title_tsv"
        ? await walkTitles(trx, tierQuery, walk)
        : await tierQuery(trx).where("id", ">", floor).limit(walk.count).execute();
    if (newest.length < walk.count) return undefined;
    // a few hundred are read by type; the planner would take the words' whole index entry first
    const fewNamed = (await estimatedRows(trx, namedRecords(trx))) < NAMED_READ_BY_TYPE;
    await sql`set local enable_bitmapscan = ${sql.raw(fewNamed ? "off" : "on")}`.execute(trx);
    const named = await tierQuery(trx)
      .where("type", "in", NAMED_TYPES)
      .where("id", "<=", floor)
      .orderBy("id", "desc")
      .limit(walk.count)
      .execute();
    return [...newest, ...named];
  });
}

/** Where the newest matches are looked for: `window` records up to `newestId`, until `count` are found. */
type Walk = { newestId: number; window: number; count: number };

async function walkTitles(
  trx: Db,
  tierQuery: TierQuery,
  { newestId, window, count }: Walk,
): Promise<Scored[]> {
  // in key order: a bitmap would collect every match of the words first
  await sql`set local enable_bitmapscan = off`.execute(trx);
  const walk = (above: number, atMost: number, limit: number) =>
    tierQuery(trx)
      .where("id", ">", above)
      .where("id", "<=", atMost)
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
  const sampleFloor = newestId - Math.round(window / 8);
  const newest = await walk(sampleFloor, newestId, count);
  if (newest.length < count && newest.length * 8 >= count / 2)
    newest.push(...(await walk(newestId - window, sampleFloor, count - newest.length)));
  return newest;
}

async function newestRecordId(db: Db): Promise<number> {
  const row = await db
    .selectFrom("search_records")
    .select((eb) => eb.fn.max("id").as("id"))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** About 90 characters of the body around the first matched word. */
export function snippet(body: string, marks: string[], size = 90): string {
  const text = body.replace(/\s+/g, " ").trim();
  let at = -1;
  for (const m of marks) {
    const i = text.indexOf(m);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  const start = Math.max(0, at - 20);
  const piece = text.slice(start, start + size);
  return `${start > 0 ? "…" : ""}${piece}${start + size < text.length ? "…" : ""}`;
}

/** Splits text into plain and highlighted parts, for <mark> in views. */
export function markParts(text: string, marks: string[]): { text: string; hit: boolean }[] {
  const words = marks.filter((m) => m.length > 0);
  if (!words.length) return [{ text, hit: false }];
  const pattern = new RegExp(
    `(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`,
    "g",
  );
  return text
    .split(pattern)
    .filter((p) => p !== "")
    .map((p) => ({ text: p, hit: words.includes(p) }));
}

/* ------------------------------------------------------------------ analytics */

export async function logQuery(
  db: Db,
  q: string,
  corrected: string | null,
  siteId: number | null,
  count: number,
) {
  const text = normalize(q).slice(0, 100);
  if (!text) return null;
  const row = await db
    .insertInto("search_queries")
    .values({ query: text, corrected, site_id: siteId, result_count: count })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Records a click on a result and returns where it leads: only URLs of indexed records, never user input. */
export async function recordClick(
  db: Db,
  queryId: number,
  recordId: number,
  position: number,
): Promise<string> {
  const record = await db
    .selectFrom("search_records")
    .select("url")
    .where("id", "=", recordId)
    .executeTakeFirst();
  if (!record) throw new NotFoundError("该结果已下线");
  const known = await db
    .selectFrom("search_queries")
    .select("id")
    .where("id", "=", queryId)
    .executeTakeFirst();
  if (known)
    await db
      .insertInto("search_clicks")
      .values({ query_id: queryId, record_id: recordId, position })
      .execute();
  return record.url;
}

export async function searchAnalytics(db: Db, days: number) {
  const since = new Date(Date.now() - days * 86_400_000);
  const [top, zero, totals] = await Promise.all([
    db
      .selectFrom("search_queries as q")
      .leftJoin("search_clicks as c", "c.query_id", "q.id")
      .select([
        "q.query",
        sql<number>`count(distinct q.id)`.as("searches"),
        sql<number>`count(distinct c.query_id)`.as("clicked"),
      ])
      .where("q.created_at", ">=", since)
      .groupBy("q.query")
      .orderBy("searches", "desc")
      .limit(30)
      .execute(),
    db
      .selectFrom("search_queries")
      .select(["query", sql<number>`count(*)`.as("searches")])
      .where("created_at", ">=", since)
      .where("result_count", "=", 0)
      .groupBy("query")
      .orderBy("searches", "desc")
      .limit(30)
      .execute(),
    db
      .selectFrom("search_queries as q")
      .select([
        sql<number>`count(*)`.as("searches"),
        sql<number>`count(*) filter (where exists (select 1 from search_clicks c where c.query_id = q.id))`.as(
          "clicked",
        ),
        sql<number>`count(*) filter (where q.result_count = 0)`.as("zero"),
      ])
      .where("q.created_at", ">=", since)
      .executeTakeFirstOrThrow(),
  ]);
  return { top, zero, totals };
}

/* ------------------------------------------------------------------ suggestions and hot words */

/** 自动补全: indexed words and titles that start with what was typed (or its pinyin). */
export async function suggest(db: Db, prefix: string, limit = 8): Promise<string[]> {
  const text = normalize(prefix).slice(0, 30);
  if (!text) return [];
  const pinyinInput = /^[a-z]+$/.test(text);
  const escaped = text.replace(/[%_\\]/g, "\\$&");
  const [terms, titles] = await Promise.all([
    db
      .selectFrom("search_terms")
      .select("term")
      .where(pinyinInput ? "pinyin" : "term", "like", `${pinyinInput ? escaped : escaped}%`)
      .where("df", ">=", 2)
      .orderBy("df", "desc")
      .limit(limit)
      .execute(),
    pinyinInput
      ? Promise.resolve([])
      : db
          .selectFrom("search_records")
          .select("title")
          .where("title", "like", `%${escaped}%`)
          .orderBy("published_at", "desc")
          .limit(limit)
          .execute(),
  ]);
  const out = [...terms.map((t) => t.term), ...titles.map((t) => t.title)].filter((s) => s !== text);
  return [...new Set(out)].slice(0, limit);
}

export async function hotWords(db: Db): Promise<string[]> {
  return (
    await db.selectFrom("search_hot_words").select("word").orderBy("position").orderBy("id").execute()
  ).map((r) => r.word);
}

/* ------------------------------------------------------------------ administration */

export async function requireSearchAdmin(ctx: AppContext, actor: Actor): Promise<void> {
  const portal = await portalSite(ctx);
  if (!portal || !can(actor, "search.manage", { siteId: portal.id }))
    throw new ForbiddenError("您没有管理站内搜索的权限");
}

const SYNONYM_LINE = /^\s*([^=~→>]+?)\s*(=|~|→|->)\s*(.+?)\s*$/;

/** Parses one admin-entered rule: 社保=社会保险=社会保障, 营业执照~企业登记, 公基金→公积金. */
export function parseSynonym(line: string): { kind: SynonymKind; words: string[] } {
  const m = SYNONYM_LINE.exec(line);
  if (!m)
    throw new UserError("格式不正确", 400, {
      rule: "请按“社保=社会保险”“营业执照~企业登记”或“公基金→公积金”填写",
    });
  const op = m[2] ?? "=";
  const rest = (m[3] ?? "").split(op === "->" ? "->" : op).map((w) => w.trim());
  const words = [m[1]?.trim() ?? "", ...rest].filter(Boolean);
  const kind: SynonymKind = op === "=" ? "equivalent" : op === "~" ? "related" : "replace";
  if (words.length < 2 || (kind === "replace" && words.length !== 2))
    throw new UserError("格式不正确", 400, { rule: "纠错规则只能写一个错词和一个正确词，如“公基金→公积金”" });
  if (words.some((w) => w.length > 20 || /[\s,，]/.test(w)))
    throw new UserError("词语过长或含有空格", 400, { rule: "每个词不超过 20 字，不含空格和逗号" });
  return { kind, words };
}

export async function listSynonyms(db: Db) {
  return db.selectFrom("search_synonyms").selectAll().orderBy("kind").orderBy("id").execute();
}

export async function addSynonym(ctx: AppContext, actor: Actor, line: string) {
  await requireSearchAdmin(ctx, actor);
  const rule = parseSynonym(line);
  await ctx.db.insertInto("search_synonyms").values(rule).execute();
  clearSynonymCache();
}

export async function deleteSynonym(ctx: AppContext, actor: Actor, id: number) {
  await requireSearchAdmin(ctx, actor);
  await ctx.db.deleteFrom("search_synonyms").where("id", "=", id).execute();
  clearSynonymCache();
}

export async function addHotWord(ctx: AppContext, actor: Actor, word: string, position: number) {
  await requireSearchAdmin(ctx, actor);
  const text = word.trim();
  if (!text || text.length > 20) throw new UserError("请填写热词", 400, { word: "热词为 1—20 个字" });
  await ctx.db
    .insertInto("search_hot_words")
    .values({ word: text, position })
    .onConflict((oc) => oc.column("word").doUpdateSet({ position }))
    .execute();
}

export async function deleteHotWord(ctx: AppContext, actor: Actor, id: number) {
  await requireSearchAdmin(ctx, actor);
  await ctx.db.deleteFrom("search_hot_words").where("id", "=", id).execute();
}

/** How rare each concept of a query is across the index (inverse document frequency). */
export async function conceptWeights(db: Db, groups: AnalyzedQuery["groups"]): Promise<number[]> {
  const words = [...new Set(groups.flatMap((g) => g.alternatives.map((a) => a[0] ?? "")))];
  const [terms, total] = await Promise.all([
    words.length
      ? db.selectFrom("search_terms").select(["term", "df"]).where("term", "in", words).execute()
      : Promise.resolve([]),
    db
      .selectFrom("search_records")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  const df = new Map(terms.map((t) => [t.term, Number(t.df)]));
  const n = Math.max(1, Number(total.n));
  return groups.map((g) => {
    const best = Math.max(0, ...g.alternatives.map((a) => df.get(a[0] ?? "") ?? 0));
    // a word found nowhere in the index weighs fully only when it names a thing (护照, 狗证):
    // then no record can be about it; an unknown adverb or verb (死活) is just phrasing
    if (g.aspect || (best === 0 && !isNounLike(g.word))) return 0.5;
    const idf = Math.log(1 + n / (best + 1));
    // a year or amount narrows the question, but is rarely what it is about
    return /^\d+$/.test(g.word) ? idf / 2 : idf;
  });
}

/** Pinyin of a word, exposed for the admin's synonym preview and tests. */
export { toPinyin };

import { sql } from "kysely";
import type { Db } from "../../core/db/database.ts";
import type { SynonymKind } from "./schema.ts";
import {
  addWords,
  compoundParts,
  dictionaryTokens,
  normalize,
  normalizeQuestion,
  queryTokens,
  toPinyin,
} from "./segment.ts";

/**
 * Words that carry no subject in a citizen's question (怎么办、需要什么、在哪里): dropped from
 * the query so they neither narrow nor skew the ranking.
 */
const STOPWORDS = new Set(
  (
    "的 了 吗 呢 啊 吧 呀 么 嘛 哦 和 与 及 或 是 在 有 没有 我 我们 你 您 他 她 它 自己 家里 这 那 这个 那个 哪 哪个 哪些 哪里 哪儿 去哪 去哪里 什么 啥 咋 咋办 咋整 怎么 怎么办 怎么样 怎样 如何 为什么 多少 几 " +
    "能 能不能 可以 可不可以 是否 要 需要 想 想要 要求 请问 一下 一个 一些 还 就 都 也 又 再 才 给 让 把 被 对 从 到 向 跟 上 下 里 中 后 前 时 时候 现在 今年 已经 " +
    "办 办理 弄 搞 做 找 拿 带 交 开 看 问 知道 告诉 具体 一般 真的 必须 一定 得 不 没 啥样 什么样 怎么弄 多大 些 个 会 该 应该 之类 等 吗 嘛 " +
    "下来 出来 起来 开始 最多 全部 所有 一般 大概 还是 还有 或者 如果 的话 然后 之后 以后 之前 这样 那样 这种 那种 这些 那些 有没有 行不行 好不好 要不要 不了 谁 自己 咱 俺 咱们"
  ).split(" "),
);

/** The words of a text that carry its subject: no question words, no single characters or digits. */
export function contentWords(text: string): string[] {
  return queryTokens(text).filter(
    (t) => !STOPWORDS.has(t) && (t.length > 1 || /\d/.test(t)) && !/^\d$/.test(t),
  );
}

interface Synonyms {
  /** word → other words meaning the same (equivalent) or worth adding (related) */
  expand: Map<string, string[]>;
  /** misspelling → correct word */
  replace: [string, string][];
  loadedAt: number;
}

let cache: Synonyms | undefined;
const TTL_MS = 30_000;

export function clearSynonymCache(): void {
  cache = undefined;
}

export async function synonyms(db: Db): Promise<Synonyms> {
  if (cache && Date.now() - cache.loadedAt < TTL_MS) return cache;
  const rows = await db.selectFrom("search_synonyms").select(["kind", "words"]).execute();
  cache = buildSynonyms(rows);
  return cache;
}

function buildSynonyms(rows: { kind: SynonymKind; words: string[] }[]): Synonyms {
  const expand = new Map<string, string[]>();
  const replace: [string, string][] = [];
  const add = (from: string, to: string) => {
    if (from === to) return;
    const list = expand.get(from) ?? [];
    if (!list.includes(to)) list.push(to);
    expand.set(from, list);
  };
  for (const row of rows) {
    const words = row.words.map(normalize).filter(Boolean);
    if (row.kind === "replace") {
      const [from, to] = words;
      if (from && to) replace.push([from, to]);
      continue;
    }
    addWords(words);
    if (row.kind === "equivalent") for (const a of words) for (const b of words) add(a, b);
    // related: the first word also finds the others, and each of the others finds the first
    else
      for (const other of words.slice(1)) {
        add(words[0] ?? "", other);
        add(other, words[0] ?? "");
      }
  }
  // longest misspellings first, so 社宝卡 wins over 社宝
  replace.sort((a, b) => b[0].length - a[0].length);
  return { expand, replace, loadedAt: Date.now() };
}

/** One concept of the query: any of its alternatives matches; an alternative is words that must all occur. */
export interface TermGroup {
  word: string;
  alternatives: string[][];
  /** asks about an aspect (cost, time, place) rather than naming the matter */
  aspect: boolean;
}

/** Words asking how much, how long, when or where: they pick among answers about one matter. */
const ASPECT_WORDS = new Set(
  "多少钱 收钱 花钱 收费吗 要钱 多久 多长时间 几天 几个月 几月份 几号 多少岁 几岁 什么时候 时间 地点 期限".split(
    " ",
  ),
);

export interface AnalyzedQuery {
  /** what was typed, normalised */
  original: string;
  /** after corrections (misspellings, pinyin); equal to original when nothing was corrected */
  text: string;
  corrected: boolean;
  groups: TermGroup[];
}

const PINYIN_INPUT = /^[a-z][a-z' ]*$/;

/** Corrects a query: known misspellings from the synonyms table, then pinyin input and homophone typos. */
async function correct(db: Db, text: string, syn: Synonyms): Promise<string> {
  let out = text;
  for (const [from, to] of syn.replace)
    if (out.includes(from) && !out.includes(to)) out = out.split(from).join(to);
  if (PINYIN_INPUT.test(out)) {
    const key = out.replace(/[' ]/g, "");
    if (key.length < 4) return out;
    const hit = await db
      .selectFrom("search_terms")
      .select("term")
      .where("pinyin", "=", key)
      .orderBy("df", "desc")
      .executeTakeFirst();
    return hit?.term ?? out;
  }
  return fixHomophones(db, out);
}

/**
 * 智能纠错 for typos that sound right (低报 → 低保, 体捡 → 体检): a stretch of 2–4 Chinese characters
 * that is no dictionary word and no indexed word, but sounds exactly like a common indexed word.
 */
async function fixHomophones(db: Db, text: string): Promise<string> {
  const candidates = new Map<string, string>();
  // only stretches jieba cannot read as words: runs of single characters (低/报, 体/捡, 社/宝/卡)
  for (const run of singleCharacterRuns(text)) {
    for (let len = Math.min(4, run.length); len >= 2; len--) {
      for (let i = 0; i + len <= run.length; i++) {
        const piece = run.slice(i, i + len);
        candidates.set(piece, toPinyin(piece));
      }
    }
  }
  if (!candidates.size) return text;
  const pieces = [...candidates.keys()];
  const [indexed, sounds] = await Promise.all([
    db.selectFrom("search_terms").select("term").where("term", "in", pieces).where("df", ">=", 2).execute(),
    db
      .selectFrom("search_terms")
      .select(["term", "pinyin", "df"])
      .where("pinyin", "in", [...new Set(candidates.values())])
      .where("df", ">=", 3)
      .orderBy("df", "desc")
      .execute(),
  ]);
  const seen = new Set(indexed.map((r) => r.term));
  let out = text;
  for (const piece of pieces.sort((a, b) => b.length - a.length)) {
    if (seen.has(piece) || !out.includes(piece)) continue;
    const match = sounds.find((s) => s.pinyin === candidates.get(piece) && s.term.length === piece.length);
    if (!match || match.term === piece || (await occursAsPhrase(db, piece))) continue;
    out = out.split(piece).join(match.term);
  }
  return out;
}

/** Whether some record has these characters in a row (犬只 in 犬只登记): then it is no typo. */
async function occursAsPhrase(db: Db, piece: string): Promise<boolean> {
  const phrase = [...piece].map((c) => lexeme(c, "")).join(" <-> ");
  const row = await db
    .selectFrom("search_records")
    .select("id")
    .where(sql<boolean>`tsv @@ to_tsquery('simple', ${phrase})`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

function singleCharacterRuns(text: string): string[] {
  const runs: string[] = [];
  let run = "";
  for (const token of dictionaryTokens(text)) {
    if (token.length === 1 && /\p{Script=Han}/u.test(token)) run += token;
    else {
      if (run.length >= 2) runs.push(run);
      run = "";
    }
  }
  if (run.length >= 2) runs.push(run);
  return runs;
}

function groupFor(word: string, syn: Synonyms): TermGroup {
  const alternatives: string[][] = [[word]];
  const add = (words: string[]) => {
    if (words.length && !alternatives.some((a) => a.join(" ") === words.join(" "))) alternatives.push(words);
  };
  for (const other of syn.expand.get(word) ?? []) {
    add([other]);
  }
  // compound fallback: 贷款额度 also matches a text that has 贷款 and 额度 apart
  add(compoundParts(word));
  return { word, alternatives, aspect: ASPECT_WORDS.has(word) };
}

export async function analyzeQuery(
  db: Db,
  raw: string,
  options: { exact?: boolean } = {},
): Promise<AnalyzedQuery> {
  const original = normalize(raw).slice(0, 100);
  const syn = await synonyms(db);
  const text = options.exact ? original : await correct(db, normalizeQuestion(original), syn);
  const tokens = queryTokens(text);
  let words = contentWords(text);
  // a query of only short or common words still searches for what was typed
  if (!words.length) words = tokens.filter((t) => !STOPWORDS.has(t));
  if (!words.length) words = tokens;
  const split = (await splitUnknownCompounds(db, [...new Set(words)])).filter((w) => !STOPWORDS.has(w));
  const groups = (split.length ? split : words).slice(0, 12).map((w) => groupFor(w, syn));
  return { original, text, corrected: text !== original, groups };
}

/**
 * Compound fallback: a word the index has never seen (公积金贷款额度, 个税汇算) is searched as its
 * parts, each a concept of its own with its own synonyms.
 */
async function splitUnknownCompounds(db: Db, words: string[]): Promise<string[]> {
  const compounds = words.filter((w) => compoundParts(w).length > 0);
  if (!compounds.length) return words;
  const seen = new Set(
    (await db.selectFrom("search_terms").select("term").where("term", "in", compounds).execute()).map(
      (r) => r.term,
    ),
  );
  return words.flatMap((w) => (compounds.includes(w) && !seen.has(w) ? compoundParts(w) : [w]));
}

function lexeme(word: string, weights: string): string {
  return `'${word.replace(/'/g, "''").replace(/\\/g, "")}'${weights}`;
}

function groupQuery(group: TermGroup, weights = ""): string {
  const alt = (words: string[]) =>
    words.length === 1
      ? lexeme(words[0] ?? "", weights)
      : `(${words.map((w) => lexeme(w, weights)).join(" & ")})`;
  return `(${group.alternatives.map(alt).join(" | ")})`;
}

/** tsquery texts: any concept, and every concept naming the matter. */
export function tsQueries(groups: TermGroup[]): { any: string; all: string } {
  const subjects = groups.filter((g) => !g.aspect);
  return {
    any: groups.map((g) => groupQuery(g)).join(" | "),
    all: (subjects.length ? subjects : groups).map((g) => groupQuery(g)).join(" & "),
  };
}

/** Every word that may show up in a matching text, for highlighting snippets. */
export function highlightWords(groups: TermGroup[]): string[] {
  return [...new Set(groups.flatMap((g) => g.alternatives.flat()))].sort((a, b) => b.length - a.length);
}

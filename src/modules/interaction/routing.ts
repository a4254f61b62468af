import type { AppContext } from "../../core/context.ts";
import type { Suggestion } from "./schema.ts";

/**
 * Which department should answer a letter. Two plain signals, added:
 *
 * 1. Keywords: each department keeps a list of the words citizens use for what it handles
 *    (公积金, 宅基地, 油烟 …, editable by administrators). Every keyword found in the letter adds
 *    KEYWORD_WEIGHT per character, so a long specific term outweighs a short general one.
 * 2. Similar wording: the letter's character pairs (二元组, no word segmentation needed: 社保 断缴
 *    补交 …) compared by cosine similarity with each department's profile, built from its name,
 *    duties and the letters it has answered before. Pairs that occur in every profile (您好, 请问)
 *    count little (inverse document frequency).
 *
 * Scores are shared out so the suggestions of one letter add up to 1.
 */
const KEYWORD_WEIGHT = 0.03;
const CACHE_MS = 5 * 60_000;

interface Profile {
  siteId: number;
  ref: string;
  name: string;
  terms: string[];
  vector: Map<string, number>;
}

interface Model {
  profiles: Profile[];
  idf: Map<string, number>;
}

let cached: { at: number; model: Model } | undefined;

export function forgetRoutingModel(): void {
  cached = undefined;
}

/** Character pairs of the Chinese letters and digits/latin runs in a text. */
export function charPairs(text: string): string[] {
  const clean = text.replace(/[^\p{Script=Han}0-9A-Za-z]+/gu, " ");
  const pairs: string[] = [];
  for (const run of clean.split(" "))
    for (let i = 0; i + 1 < run.length; i++) pairs.push(run.slice(i, i + 2));
  return pairs;
}

function counts(pairs: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of pairs) m.set(p, (m.get(p) ?? 0) + 1);
  return m;
}

function weigh(c: Map<string, number>, idf: Map<string, number>): Map<string, number> {
  const v = new Map<string, number>();
  let norm = 0;
  for (const [g, n] of c) {
    const w = (1 + Math.log(n)) * (idf.get(g) ?? 0);
    if (w > 0) {
      v.set(g, w);
      norm += w * w;
    }
  }
  norm = Math.sqrt(norm) || 1;
  for (const [g, w] of v) v.set(g, w / norm);
  return v;
}

export function buildModel(
  departments: {
    siteId: number;
    ref: string;
    name: string;
    duties: string;
    terms: string;
    examples: string[];
  }[],
): Model {
  const raw = departments.map((d) => {
    // duties count twice: they are short but authoritative
    const c = counts(charPairs(`${d.name} ${d.duties} ${d.duties}`));
    for (const e of d.examples) for (const [g, n] of counts(charPairs(e))) c.set(g, (c.get(g) ?? 0) + n);
    return { d, c };
  });
  const df = new Map<string, number>();
  for (const { c } of raw) for (const g of c.keys()) df.set(g, (df.get(g) ?? 0) + 1);
  const idf = new Map<string, number>();
  for (const [g, n] of df) idf.set(g, Math.log((raw.length + 1) / (n + 0.5)));
  return {
    idf,
    profiles: raw.map(({ d, c }) => ({
      siteId: d.siteId,
      ref: d.ref,
      name: d.name,
      terms: d.terms.split(/[\s,，、;；]+/).filter((t) => t.length >= 2),
      vector: weigh(c, idf),
    })),
  };
}

export function rank(model: Model, title: string, body: string, limit = 3): Suggestion[] {
  const text = `${title} ${body}`;
  const letter = weigh(counts(charPairs(text)), model.idf);
  const scored = model.profiles.map((p) => {
    let similarity = 0;
    for (const [g, w] of letter) similarity += w * (p.vector.get(g) ?? 0);
    const keywords = p.terms.reduce((sum, t) => sum + (text.includes(t) ? t.length : 0), 0);
    return { p, raw: similarity + KEYWORD_WEIGHT * keywords };
  });
  const total = scored.reduce((s, x) => s + x.raw, 0) || 1;
  return scored
    .filter((x) => x.raw > 0)
    .sort((a, b) => b.raw - a.raw)
    .slice(0, limit)
    .map(({ p, raw }) => ({
      siteId: p.siteId,
      ref: p.ref,
      name: p.name,
      score: Math.round((raw / total) * 100) / 100,
    }));
}

async function loadModel(ctx: AppContext): Promise<Model> {
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.model;
  const departments = await ctx.db
    .selectFrom("departments as d")
    .innerJoin("sites as s", (j) => j.onRef("s.department_id", "=", "d.id").on("s.kind", "=", "department"))
    .leftJoin("letter_routing_terms as t", "t.department_id", "d.id")
    .select(["s.id as siteId", "d.ref", "d.name", "d.duties", "t.terms"])
    .orderBy("s.position")
    .execute();
  const answered = await ctx.db
    .selectFrom("letters")
    .select(["handling_site_id", "title", "body"])
    .where("state", "in", ["replied", "closed"])
    .orderBy("id", "desc")
    .limit(5000)
    .execute();
  const examples = new Map<number, string[]>();
  for (const l of answered) {
    if (l.handling_site_id === null) continue;
    examples.set(l.handling_site_id, [...(examples.get(l.handling_site_id) ?? []), `${l.title} ${l.body}`]);
  }
  const model = buildModel(
    departments.map((d) => ({
      siteId: d.siteId,
      ref: d.ref ?? `site-${d.siteId}`,
      name: d.name,
      duties: d.duties,
      terms: d.terms ?? "",
      examples: examples.get(d.siteId) ?? [],
    })),
  );
  cached = { at: Date.now(), model };
  return model;
}

/** The departments most likely responsible for a letter, best first. */
export async function suggestDepartments(ctx: AppContext, title: string, body: string, limit = 3) {
  return rank(await loadModel(ctx), title, body, limit);
}

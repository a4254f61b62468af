import { sql } from "kysely";
import type { Db } from "../../core/db/database.ts";
import type { RecordType } from "./schema.ts";
import { indexTokens, toPinyin } from "./segment.ts";

/** One public record as a module hands it to the index. */
export interface IndexedRecord {
  key: string;
  ref: string | null;
  type: RecordType;
  title: string;
  /** Short text that describes the record (keywords, tags, a question's other phrasings): ranks with the title. */
  keywords?: string;
  body: string;
  url: string;
  siteIds: number[];
  department: string;
  publishedAt: Date | null;
  validity: string | null;
}

/**
 * A module that publishes something searchable. `list` yields every public record; `load` one
 * record by key, or undefined when it is not public (never published, withdrawn, deleted).
 */
export interface SearchSource {
  name: string;
  list(db: Db): Promise<IndexedRecord[]>;
  load(db: Db, key: string): Promise<IndexedRecord | undefined>;
}

const sources = new Map<string, SearchSource>();

export function registerSearchSource(source: SearchSource): void {
  sources.set(source.name, source);
}

export function searchSources(): SearchSource[] {
  return [...sources.values()];
}

const BODY_LIMIT = 4000;

/** A record with its words, segmented once for both the text vector and the lexicon. */
interface Segmented {
  record: IndexedRecord;
  title: string[];
  keywords: string[];
  body: string[];
}

function segmentRecord(record: IndexedRecord): Segmented {
  return {
    record,
    title: indexTokens(record.title),
    keywords: indexTokens(record.keywords ?? ""),
    body: indexTokens(record.body.slice(0, BODY_LIMIT)),
  };
}

async function addTerms(db: Db, records: Segmented[]): Promise<void> {
  const df = new Map<string, number>();
  for (const r of records) {
    const words = new Set(
      [...r.title, ...r.keywords, ...r.body].filter((w) => w.length > 1 && w.length <= 12),
    );
    for (const w of words) df.set(w, (df.get(w) ?? 0) + 1);
  }
  const rows = [...df].map(([term, n]) => ({ term, pinyin: toPinyin(term), df: n }));
  for (let i = 0; i < rows.length; i += 2000) {
    await db
      .insertInto("search_terms")
      .values(rows.slice(i, i + 2000))
      .onConflict((oc) => oc.column("term").doUpdateSet({ df: sql`search_terms.df + excluded.df` }))
      .execute();
  }
}

async function upsert(db: Db, source: string, records: Segmented[]): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    const batch = records.slice(i, i + 500);
    await db
      .insertInto("search_records")
      .values(
        batch.map(({ record: r, title, keywords, body }) => ({
          source,
          key: r.key,
          ref: r.ref,
          type: r.type,
          title: r.title,
          body: r.body.slice(0, BODY_LIMIT),
          url: r.url,
          site_ids: r.siteIds,
          department: r.department,
          published_at: r.publishedAt,
          validity: r.validity,
          tsv: sql`setweight(to_tsvector('simple', ${title.join(" ")}), 'A') || setweight(to_tsvector('simple', ${keywords.join(" ")}), 'B') || setweight(to_tsvector('simple', ${body.join(" ")}), 'D')`,
          title_tsv: sql`setweight(to_tsvector('simple', ${title.join(" ")}), 'A') || setweight(to_tsvector('simple', ${keywords.join(" ")}), 'B')`,
          updated_at: new Date(),
        })),
      )
      .onConflict((oc) =>
        oc.columns(["source", "key"]).doUpdateSet((eb) => ({
          ref: eb.ref("excluded.ref"),
          type: eb.ref("excluded.type"),
          title: eb.ref("excluded.title"),
          body: eb.ref("excluded.body"),
          url: eb.ref("excluded.url"),
          site_ids: eb.ref("excluded.site_ids"),
          department: eb.ref("excluded.department"),
          published_at: eb.ref("excluded.published_at"),
          validity: eb.ref("excluded.validity"),
          tsv: eb.ref("excluded.tsv"),
          title_tsv: eb.ref("excluded.title_tsv"),
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .execute();
  }
}

/**
 * Brings one record of a source in line with its public state: indexed when public, gone when
 * not. Modules call this in the transaction that publishes or withdraws, so the index never
 * shows what the public pages do not.
 */
export async function indexRecord(db: Db, sourceName: string, key: string): Promise<void> {
  const source = sources.get(sourceName);
  if (!source) throw new Error(`search source ${sourceName} is not registered`);
  const record = await source.load(db, key);
  if (!record) {
    await db.deleteFrom("search_records").where("source", "=", sourceName).where("key", "=", key).execute();
    return;
  }
  const existed = await db
    .selectFrom("search_records")
    .select("id")
    .where("source", "=", sourceName)
    .where("key", "=", key)
    .executeTakeFirst();
  const segmented = [segmentRecord(record)];
  await upsert(db, sourceName, segmented);
  if (!existed) await addTerms(db, segmented);
}

/** Adds records without asking their source (bulk loads: demo import, benchmark). */
export async function indexRecords(db: Db, sourceName: string, records: IndexedRecord[]): Promise<void> {
  const segmented = records.map(segmentRecord);
  await upsert(db, sourceName, segmented);
  await addTerms(db, segmented);
}

/** Rebuilds the whole index from every registered source. */
export async function rebuildSearchIndex(db: Db): Promise<number> {
  await db.deleteFrom("search_records").execute();
  await db.deleteFrom("search_terms").execute();
  let total = 0;
  for (const source of sources.values()) {
    const records = await source.list(db);
    await indexRecords(db, source.name, records);
    total += records.length;
  }
  return total;
}

import type { Db } from "../../core/db/database.ts";
import type { IndexedRecord, SearchSource } from "../search/registry.ts";

export function faqHref(id: number): string {
  return `/assistant/faq/${id}`;
}

function published(db: Db) {
  return db
    .selectFrom("faqs as f")
    .leftJoin("departments as dep", "dep.id", "f.department_id")
    .select((eb) => [
      "f.id",
      "f.ref",
      "f.question",
      "f.answer",
      "f.tags",
      "f.updated_at",
      "dep.name as department_name",
      eb
        .selectFrom("sites as s")
        .select((e) => e.fn.agg<number[]>("array_agg", ["s.id"]).as("ids"))
        .where((w) => w.or([w("s.kind", "=", "portal"), w("s.department_id", "=", w.ref("f.department_id"))]))
        .as("site_ids"),
    ])
    .where("f.published", "=", true);
}

type Row = Awaited<ReturnType<ReturnType<typeof published>["execute"]>>[number];

function toRecord(row: Row): IndexedRecord {
  return {
    key: String(row.id),
    ref: row.ref,
    type: "faq",
    title: row.question,
    keywords: row.tags.join(" "),
    body: row.answer,
    url: faqHref(row.id),
    siteIds: row.site_ids ?? [],
    department: row.department_name ?? "",
    publishedAt: row.updated_at,
    validity: null,
  };
}

/** 常见问题 of the knowledge base, for search and for the assistant's retrieval. */
export const faqSearchSource: SearchSource = {
  name: "faq",
  async list(db) {
    return (await published(db).execute()).map(toRecord);
  },
  async load(db, key) {
    if (!/^\d{1,9}$/.test(key)) return undefined;
    const row = await published(db).where("f.id", "=", Number(key)).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  },
};

import type { Db } from "../../core/db/database.ts";
import { plainText } from "../../core/sanitize.ts";
import { documentHref } from "../../web/layout.tsx";
import type { IndexedRecord, SearchSource } from "../search/registry.ts";
import type { RecordType } from "../search/schema.ts";
import { siteBase } from "../sites/frame.ts";

const SEARCH_TYPES: Record<string, RecordType> = {
  policy: "policy",
  interpretation: "interpretation",
  news: "news",
  notice: "news",
};

function liveRows(db: Db) {
  return db
    .selectFrom("documents as d")
    .innerJoin("document_versions as v", "v.id", "d.live_version_id")
    .innerJoin("sites as owner", "owner.id", "d.site_id")
    .leftJoin("departments as dep", "dep.id", "d.department_id")
    .select((eb) => [
      "d.id",
      "d.ref",
      "d.type",
      "d.first_published_at",
      "v.title",
      "v.summary",
      "v.body_html",
      "v.metadata",
      "owner.kind as owner_kind",
      "owner.code as owner_code",
      "owner.name as owner_name",
      "dep.name as department_name",
      eb
        .selectFrom("placements as p")
        .innerJoin("columns as c", "c.id", "p.column_id")
        .select((e) => e.fn.agg<number[]>("array_agg", ["c.site_id"]).distinct().as("s"))
        .whereRef("p.document_id", "=", "d.id")
        .as("placed_sites"),
    ])
    .where("d.type", "in", Object.keys(SEARCH_TYPES) as ("policy" | "interpretation" | "news" | "notice")[]);
}

type LiveRow = Awaited<ReturnType<ReturnType<typeof liveRows>["execute"]>>[number];

function toRecord(row: LiveRow): IndexedRecord {
  const meta = row.metadata ?? {};
  return {
    key: String(row.id),
    ref: row.ref,
    type: SEARCH_TYPES[row.type] ?? "news",
    title: row.title,
    keywords: [meta.doc_number, row.summary].filter(Boolean).join(" "),
    body: plainText(row.body_html),
    url: `${siteBase({ kind: row.owner_kind, code: row.owner_code })}${documentHref("", row.id)}`,
    siteIds: [...new Set([...(row.placed_sites ?? [])])],
    department: row.department_name ?? meta.issuer ?? row.owner_name,
    publishedAt: row.first_published_at,
    validity: row.type === "policy" ? (meta.validity ?? "有效") : null,
  };
}

/** Published documents (policies, interpretations, news and notices) for the cluster's search. */
export const contentSearchSource: SearchSource = {
  name: "content",
  async list(db) {
    return (await liveRows(db).execute()).map(toRecord);
  },
  async load(db, key) {
    if (!/^\d{1,9}$/.test(key)) return undefined;
    const row = await liveRows(db).where("d.id", "=", Number(key)).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  },
};

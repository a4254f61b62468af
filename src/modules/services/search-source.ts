import type { Db } from "../../core/db/database.ts";
import type { IndexedRecord, SearchSource } from "../search/registry.ts";
import { siteBase } from "../sites/frame.ts";

function visibleItems(db: Db) {
  return db
    .selectFrom("service_items as i")
    .innerJoin("sites as s", "s.id", "i.site_id")
    .innerJoin("departments as d", "d.id", "i.department_id")
    .select([
      "i.id",
      "i.ref",
      "i.code",
      "i.name",
      "i.type",
      "i.audience",
      "i.conditions",
      "i.materials",
      "i.process",
      "i.life_events",
      "i.outputs",
      "i.faqs",
      "i.updated_at",
      "s.id as site_id",
      "s.kind as site_kind",
      "s.code as site_code",
      "d.name as department_name",
    ])
    .where("i.visible", "=", true);
}

type ItemRow = Awaited<ReturnType<ReturnType<typeof visibleItems>["execute"]>>[number];

/** A 办事指南 as the search index sees it: shown on the portal and on its department's site. */
function toRecord(row: ItemRow, portalId: number | undefined): IndexedRecord {
  return {
    key: String(row.id),
    ref: row.ref,
    type: "service",
    title: row.name,
    keywords: [row.type, row.audience, ...row.life_events, ...row.outputs].join(" "),
    body: [
      ...row.conditions,
      ...row.materials.map((m) => m.name),
      ...row.process,
      ...row.faqs.map((f) => `${f.question} ${f.answer}`),
    ].join("\n"),
    url: `${siteBase({ kind: row.site_kind, code: row.site_code })}/bsfw/item/${encodeURIComponent(row.code)}`,
    siteIds: [...new Set([row.site_id, ...(portalId ? [portalId] : [])])],
    department: row.department_name,
    publishedAt: row.updated_at,
    validity: null,
  };
}

async function portalId(db: Db): Promise<number | undefined> {
  return (await db.selectFrom("sites").select("id").where("kind", "=", "portal").executeTakeFirst())?.id;
}

/** Visible service items (政务服务事项) for the cluster's search and the 办事直达 card. */
export const serviceSearchSource: SearchSource = {
  name: "services",
  async list(db) {
    const portal = await portalId(db);
    return (await visibleItems(db).execute()).map((row) => toRecord(row, portal));
  },
  async load(db, key) {
    if (!/^\d{1,9}$/.test(key)) return undefined;
    const row = await visibleItems(db).where("i.id", "=", Number(key)).executeTakeFirst();
    return row ? toRecord(row, await portalId(db)) : undefined;
  },
};

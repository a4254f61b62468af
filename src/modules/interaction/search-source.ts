import type { Db } from "../../core/db/database.ts";
import type { IndexedRecord, SearchSource } from "../search/registry.ts";
import { maskLetterText, maskReplyText } from "./masking.ts";

/**
 * 回应公开 letters exactly as the public page shows them: published with the writer's consent and
 * answered. Only the masked title, text and sent replies go to the index; never the contact data.
 */
function publicLetters(db: Db) {
  return db
    .selectFrom("letters as l")
    .leftJoin("sites as s", "s.id", "l.handling_site_id")
    .select((eb) => [
      "l.id",
      "l.ref",
      "l.title",
      "l.body",
      "l.type",
      "l.published_at",
      "l.mailbox_site_id",
      "l.handling_site_id",
      "s.name as handling_name",
      eb
        .selectFrom("letter_replies as r")
        .select((e) => e.fn.agg<string[]>("array_agg", ["r.body"]).orderBy("r.id").as("bodies"))
        .whereRef("r.letter_id", "=", "l.id")
        .where("r.status", "=", "sent")
        .as("replies"),
      eb.selectFrom("sites as p").select("p.id").where("p.kind", "=", "portal").limit(1).as("portal_id"),
    ])
    .where("l.published_at", "is not", null)
    .where("l.publish_consent", "=", true)
    .where("l.state", "in", ["replied", "closed"]);
}

type Row = Awaited<ReturnType<ReturnType<typeof publicLetters>["execute"]>>[number];

function toRecord(row: Row): IndexedRecord {
  const sites = [row.portal_id, row.mailbox_site_id, row.handling_site_id].filter(
    (id): id is number => typeof id === "number",
  );
  return {
    key: String(row.id),
    ref: row.ref,
    type: "letter",
    title: maskLetterText(row.title),
    keywords: row.type,
    body: [maskLetterText(row.body), ...(row.replies ?? []).map(maskReplyText)].join("\n"),
    // the portal's 回应公开 lists every published letter
    url: `/xj/${row.id}`,
    siteIds: [...new Set(sites)],
    department: row.handling_name ?? "",
    publishedAt: row.published_at,
    validity: null,
  };
}

export const letterSearchSource: SearchSource = {
  name: "letters",
  async list(db) {
    return (await publicLetters(db).execute()).map(toRecord);
  },
  async load(db, key) {
    if (!/^\d{1,9}$/.test(key)) return undefined;
    const row = await publicLetters(db).where("l.id", "=", Number(key)).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  },
};

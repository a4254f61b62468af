import { sql } from "kysely";
import type { Db } from "../../src/core/db/database.ts";

/** Tables a form could write to. */
const TABLES = [
  "users",
  "grants",
  "sites",
  "columns",
  "documents",
  "document_versions",
  "placements",
  "attachments",
  "review_decisions",
  "workflow_events",
] as const;

/**
 * Row count and content digest of every table a form could touch, to prove a refused request
 * wrote nothing. Sessions are only counted: every signed-in request touches last_seen_at.
 */
export async function databaseSnapshot(db: Db): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of TABLES) {
    const order = table === "placements" ? sql`t.document_id, t.column_id` : sql`t.id`;
    const { rows } = await sql<{ n: string; digest: string }>`
      select count(*)::text as n, coalesce(md5(string_agg(t::text, '|' order by ${order})), '') as digest
      from ${sql.table(table)} t`.execute(db);
    result[table] = `${rows[0]?.n}:${rows[0]?.digest}`;
  }
  const sessions = await sql<{ n: string }>`select count(*)::text as n from sessions`.execute(db);
  result.sessions = sessions.rows[0]?.n ?? "";
  return result;
}

/** The newest version of a document, whatever its state. */
export async function latestVersion(db: Db, documentId: number) {
  return db
    .selectFrom("document_versions")
    .selectAll()
    .where("document_id", "=", documentId)
    .orderBy("number", "desc")
    .executeTakeFirstOrThrow();
}

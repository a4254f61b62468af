import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { sql } from "kysely";
import type { Db } from "./database.ts";

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../../migrations");

/**
 * Applies every `migrations/NNNN_name.sql` not yet recorded, in order, each in its own transaction.
 * Forward-only: there is no down migration. An advisory lock lets several processes start at once.
 */
export async function migrate(db: Db, log: (line: string) => void = () => {}): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(7203001)`.execute(conn);
    try {
      await sql`create table if not exists schema_migrations (
        name text primary key, applied_at timestamptz not null default now())`.execute(conn);
      const done = new Set(
        (await sql<{ name: string }>`select name from schema_migrations`.execute(conn)).rows.map(
          (r) => r.name,
        ),
      );
      const applied: string[] = [];
      for (const file of files) {
        if (done.has(file)) continue;
        const text = await readFile(path.join(MIGRATIONS_DIR, file), "utf8");
        await conn.transaction().execute(async (trx) => {
          await sql.raw(text).execute(trx);
          await sql`insert into schema_migrations (name) values (${file})`.execute(trx);
        });
        log(`已执行迁移 ${file}`);
        applied.push(file);
      }
      return applied;
    } finally {
      await sql`select pg_advisory_unlock(7203001)`.execute(conn);
    }
  });
}

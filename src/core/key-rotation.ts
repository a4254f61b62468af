import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Kysely, sql, type Transaction } from "kysely";
import { audit } from "./audit.ts";
import type { AppContext } from "./context.ts";
import { type FieldCipher, fieldCipher, loadRetiredKeys } from "./crypto.ts";
import type { Database } from "./db/tables.ts";
import { UserError } from "./errors.ts";

/**
 * Every encrypted column, read from the schema itself: by convention a `bytea` column named
 * `*_enc` holds a sealed value (crypto.ts), so a new one is rotated and backed up without being
 * listed anywhere. Each such table needs an `id` column to walk it in batches.
 */
export async function encryptedColumns(
  db: Kysely<Database> | Transaction<Database>,
): Promise<{ table: string; column: string }[]> {
  const { rows } = await sql<{ table: string; column: string }>`
    select table_name as table, column_name as column from information_schema.columns
    where table_schema = current_schema() and data_type = 'bytea' and column_name like '%\_enc'
    order by table_name, ordinal_position`.execute(db);
  return rows;
}

async function encryptedTables(ctx: AppContext): Promise<{ table: string; columns: string[] }[]> {
  const byTable = new Map<string, string[]>();
  for (const { table, column } of await encryptedColumns(ctx.db))
    byTable.set(table, [...(byTable.get(table) ?? []), column]);
  const { rows } = await sql<{ table: string }>`
    select table_name as table from information_schema.columns
    where table_schema = current_schema() and column_name = 'id'`.execute(ctx.db);
  const withId = new Set(rows.map((r) => r.table));
  for (const table of byTable.keys())
    if (!withId.has(table)) throw new Error(`表 ${table} 有加密列但没有 id 列，无法分批重新加密`);
  return [...byTable].map(([table, columns]) => ({ table, columns }));
}

/**
 * `zhengwu keys rotate`: a new field key becomes current, the old one is retired (kept, so older
 * values and the blind index keep working), then every known encrypted value is re-sealed under the
 * new key in batches, with progress. Safe to run again after an interruption.
 */
export async function rotateFieldKey(
  ctx: AppContext,
  log: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ resealed: number; cipher: FieldCipher }> {
  if (env.ZHENGWU_FIELD_KEY)
    throw new UserError(
      "密钥由环境变量 ZHENGWU_FIELD_KEY 提供时，请在密钥管理系统中轮换，本命令只轮换密钥文件",
    );
  const dir = path.join(ctx.config.dataDir, "keys");
  const currentFile = path.join(dir, "field.key");
  const old = (await readFile(currentFile, "utf8")).trim();
  await mkdir(path.join(dir, "retired"), { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  await writeFile(path.join(dir, "retired", `field-${stamp}.key`), `${old}\n`, { mode: 0o600, flag: "wx" });
  const next = randomBytes(32);
  await writeFile(`${currentFile}.new`, `${next.toString("base64")}\n`, { mode: 0o600 });
  await rename(`${currentFile}.new`, currentFile);
  const cipher = fieldCipher(next, ctx.config.fieldAlgorithm, await loadRetiredKeys(ctx.config.dataDir));
  log("已生成新的字段加密密钥，旧密钥已归档到 keys/retired/");

  let resealed = 0;
  for (const { table, columns } of await encryptedTables(ctx)) {
    let lastId = 0;
    for (;;) {
      const { rows } = await sql<Record<string, Buffer | null> & { id: number }>`
        select id, ${sql.join(columns.map((c) => sql.ref(c)))} from ${sql.table(table)}
        where id > ${lastId} order by id limit 500`.execute(ctx.db);
      if (rows.length === 0) break;
      for (const row of rows) {
        const sets = columns
          .filter((c) => row[c])
          .map((c) => sql`${sql.ref(c)} = ${cipher.encrypt(cipher.decrypt(row[c] as Buffer))}`);
        if (sets.length === 0) continue;
        await sql`update ${sql.table(table)} set ${sql.join(sets)} where id = ${row.id}`.execute(ctx.db);
        resealed += sets.length;
      }
      lastId = rows.at(-1)?.id ?? lastId;
      log(`  ${table}：已处理至第 ${lastId} 行，累计重新加密 ${resealed} 个字段`);
    }
  }
  await audit(ctx, null, "keys.rotated", "field.key", { resealed, via: "cli" });
  log(`完成：共重新加密 ${resealed} 个字段`);
  return { resealed, cipher };
}

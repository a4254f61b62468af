import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Kysely, type RawBuilder, sql, type Transaction } from "kysely";
import { audit } from "./audit.ts";
import type { AppContext } from "./context.ts";
import { type FieldCipher, loadCipher } from "./crypto.ts";
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
    where table_schema = current_schema() and data_type = 'bytea' and column_name like '%\\_enc'
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
 * jsonb columns holding sealed values as `{ sealed: { name: base64 } }` (services' form data).
 * test/security-keys.test.ts fails when any other jsonb value in the database decrypts.
 */
export const SEALED_JSON_COLUMNS: { table: string; column: string }[] = [
  { table: "service_applications", column: "form_data" },
];

/**
 * Processes started before a key change (the web servers) load the key files again on every
 * scheduler tick; a rotation waits this long before it relies on them having done so.
 */
async function settle(ms: number, log: (line: string) => void): Promise<void> {
  if (ms <= 0) return;
  log(`  等待运行中的服务加载新密钥（${Math.round(ms / 1000)} 秒）…`);
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Called on every tick of `zhengwu start`: picks up keys changed by `zhengwu keys rotate`. */
export async function reloadKeys(ctx: AppContext): Promise<void> {
  ctx.cipher = await loadCipher(ctx.config.dataDir, ctx.config.fieldAlgorithm);
}

/**
 * `zhengwu keys rotate`: a new field key becomes current, the old one is retired (kept, so older
 * values keep opening), running servers are given time to load it, then every encrypted value is
 * re-sealed under the new key in batches, with progress. Safe to run again after an interruption.
 */
export async function rotateFieldKey(
  ctx: AppContext,
  log: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
  settleMs = 2 * ctx.config.schedulerIntervalMs,
): Promise<{ resealed: number; cipher: FieldCipher }> {
  if (env.ZHENGWU_FIELD_KEY)
    throw new UserError(
      "密钥由环境变量 ZHENGWU_FIELD_KEY 提供时，请在密钥管理系统中轮换，本命令只轮换密钥文件",
    );
  const tables = await encryptedTables(ctx);
  const dir = path.join(ctx.config.dataDir, "keys");
  const currentFile = path.join(dir, "field.key");
  const old = (await readFile(currentFile, "utf8")).trim();
  await mkdir(path.join(dir, "retired"), { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  await writeFile(path.join(dir, "retired", `field-${stamp}.key`), `${old}\n`, { mode: 0o600, flag: "wx" });
  const next = randomBytes(32);
  await writeFile(`${currentFile}.new`, `${next.toString("base64")}\n`, { mode: 0o600 });
  await rename(`${currentFile}.new`, currentFile);
  const cipher = await loadCipher(ctx.config.dataDir, ctx.config.fieldAlgorithm, env);
  ctx.cipher = cipher;
  log("已生成新的字段加密密钥，旧密钥已归档到 keys/retired/");
  await settle(settleMs, log);

  let resealed = 0;
  for (const { table, columns } of tables) {
    await eachRow(ctx, table, columns, log, async (row) => {
      const present = columns.filter((c) => row[c]);
      if (present.length === 0) return;
      const sets = present.map(
        (c) => sql`${sql.ref(c)} = ${cipher.encrypt(cipher.decrypt(row[c] as Buffer))}`,
      );
      // unless the application changed the row meanwhile (its new value is sealed under a key we hold)
      const unchanged = present.map((c) => sql`${sql.ref(c)} = ${row[c]}`);
      const result = await sql`update ${sql.table(table)} set ${sql.join(sets)}
        where id = ${row.id} and ${sql.join(unchanged, sql` and `)}`.execute(ctx.db);
      if (Number(result.numAffectedRows ?? 0) > 0) resealed += present.length;
    });
  }
  for (const { table, column } of SEALED_JSON_COLUMNS) {
    await eachRow(ctx, table, [column], log, async (row) => {
      const sealed = (row[column] as { sealed?: Record<string, string> } | null)?.sealed ?? {};
      const names = Object.keys(sealed);
      if (names.length === 0) return;
      const fresh = Object.fromEntries(
        names.map((n) => [
          n,
          cipher.encrypt(cipher.decrypt(Buffer.from(sealed[n] ?? "", "base64"))).toString("base64"),
        ]),
      );
      const result = await sql`update ${sql.table(table)}
        set ${sql.ref(column)} = jsonb_set(${sql.ref(column)}, '{sealed}', ${JSON.stringify(fresh)}::jsonb)
        where id = ${row.id} and ${sql.ref(column)}->'sealed' = ${JSON.stringify(sealed)}::jsonb`.execute(
        ctx.db,
      );
      if (Number(result.numAffectedRows ?? 0) > 0) resealed += names.length;
    });
  }
  await audit(ctx, null, "keys.rotated", "field.key", { resealed, via: "cli" });
  log(`完成：共重新加密 ${resealed} 个字段`);
  return { resealed, cipher };
}

type Row = Record<string, unknown> & { id: number };

/** Walks a table by id in batches of 500, reporting progress after each batch. */
async function eachRow(
  ctx: AppContext,
  table: string,
  columns: (string | RawBuilder<unknown>)[],
  log: (line: string) => void,
  work: (row: Row) => Promise<void>,
): Promise<void> {
  let lastId = 0;
  for (;;) {
    const { rows } = await sql<Row>`
      select t.id, ${sql.join(columns.map((c) => (typeof c === "string" ? sql.ref(`t.${c}`) : c)))}
      from ${sql.table(table)} t where t.id > ${lastId} order by t.id limit 500`.execute(ctx.db);
    if (rows.length === 0) return;
    for (const row of rows) await work(row);
    lastId = rows.at(-1)?.id ?? lastId;
    log(`  ${table}：已处理至第 ${lastId} 行`);
  }
}

/**
 * Where each blind index (`*_index` bytea) gets its plain value from: by default the sealed
 * `*_enc` column beside it; here the exceptions. `null`: not recomputable and short-lived
 * (SMS codes live minutes; one sent before the rotation and unused when it ends is asked for again).
 */
const INDEX_SOURCES: Record<string, RawBuilder<unknown> | null> = {
  // a bundle's members all carry the phone it was submitted with
  "bundle_applications.phone_index": sql`(select a.phone_enc from service_applications a
    where a.bundle_application_id = t.id order by a.id limit 1)`,
  "sms_codes.phone_index": null,
};

export interface BlindIndexColumn {
  table: string;
  column: string;
  source: RawBuilder<unknown> | null;
}

/** Every blind-index column and its source; throws for one with no known source. */
export async function blindIndexColumns(db: Kysely<Database>): Promise<BlindIndexColumn[]> {
  const { rows } = await sql<{ table: string; column: string; enc: string | null }>`
    select c.table_name as table, c.column_name as column, s.column_name as enc
    from information_schema.columns c
    left join information_schema.columns s on s.table_schema = c.table_schema and s.table_name = c.table_name
      and s.column_name = regexp_replace(c.column_name, '_index$', '_enc')
    where c.table_schema = current_schema() and c.data_type = 'bytea' and c.column_name like '%\\_index'
    order by c.table_name, c.column_name`.execute(db);
  return rows.map(({ table, column, enc }) => {
    const key = `${table}.${column}`;
    if (key in INDEX_SOURCES) return { table, column, source: INDEX_SOURCES[key] ?? null };
    if (!enc) throw new Error(`盲索引 ${key} 没有对应的 _enc 列，请在 INDEX_SOURCES 中说明如何重算`);
    return { table, column, source: sql.ref(`t.${enc}`) };
  });
}

/**
 * `zhengwu keys rotate --blind-index`: moves every blind index to a new key. The new key is
 * written to keys/index-next.key first; from then on every process stores new indexes under it
 * and looks values up under both keys, so lookups stay correct while every stored index is
 * recomputed (twice, the second pass catching rows written by servers slow to reload). Then the
 * new key becomes keys/index.key and the old one is gone: it opens nothing, and kept it would only
 * let a thief test guesses against old copies. Safe to run again after an interruption.
 */
export async function rotateBlindIndex(
  ctx: AppContext,
  log: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
  settleMs = 2 * ctx.config.schedulerIntervalMs,
): Promise<{ recomputed: number }> {
  const columns = await blindIndexColumns(ctx.db);
  const dir = path.join(ctx.config.dataDir, "keys");
  const nextFile = path.join(dir, "index-next.key");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const resumed = await readFile(nextFile).then(
    () => true,
    () => false,
  );
  if (!resumed)
    await writeFile(nextFile, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  ctx.cipher = await loadCipher(ctx.config.dataDir, ctx.config.fieldAlgorithm, env);
  log(
    resumed
      ? "继续上次未完成的盲索引轮换（keys/index-next.key）"
      : "已生成新的盲索引密钥 keys/index-next.key；轮换期间按新旧两个密钥查找",
  );
  await settle(settleMs, log);
  let recomputed = await recomputeIndexes(ctx, columns, log);
  if (settleMs > 0) {
    await settle(settleMs, log);
    recomputed += await recomputeIndexes(ctx, columns, log);
  }
  await rename(nextFile, path.join(dir, "index.key"));
  ctx.cipher = await loadCipher(ctx.config.dataDir, ctx.config.fieldAlgorithm, env);
  await audit(ctx, null, "keys.index_rotated", "index.key", { recomputed, via: "cli" });
  log(`完成：共重算 ${recomputed} 个盲索引，新密钥已启用（keys/index.key）`);
  return { recomputed };
}

async function recomputeIndexes(
  ctx: AppContext,
  columns: BlindIndexColumn[],
  log: (line: string) => void,
): Promise<number> {
  const cipher = ctx.cipher;
  let recomputed = 0;
  for (const { table, column, source } of columns) {
    if (!source) continue;
    await eachRow(ctx, table, [column, sql`${source} as source`], log, async (row) => {
      const stored = row[column] as Buffer | null;
      const sealed = row.source as Buffer | null;
      if (!stored || !sealed) return;
      const fresh = cipher.blindIndex(cipher.decrypt(sealed));
      if (fresh.equals(stored)) return;
      const result = await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${fresh}
        where id = ${row.id} and ${sql.ref(column)} = ${stored}`.execute(ctx.db);
      recomputed += Number(result.numAffectedRows ?? 0);
    });
  }
  return recomputed;
}

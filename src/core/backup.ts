import { createHash, type Hash } from "node:crypto";
import { createWriteStream } from "node:fs";
import {
  appendFile,
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { type Kysely, sql, type Transaction } from "kysely";
import { appendAudit, type ChainReport, verifyAuditChain } from "./audit.ts";
import {
  FrameReader,
  type FrameType,
  frame,
  loadBackupKey,
  openArchive,
  sealArchive,
} from "./backup-archive.ts";
import type { AppContext } from "./context.ts";
import type { Database } from "./db/tables.ts";
import { UserError } from "./errors.ts";
import { encryptedColumns } from "./key-rotation.ts";

/**
 * `zhengwu backup` / `zhengwu restore`: one encrypted archive (see backup-archive.ts) holding every
 * table of the application schema as JSON rows taken in one consistent snapshot, the sequences,
 * the uploaded files, and a manifest. The keys directory is deliberately NOT inside: the archive
 * would otherwise carry the field key next to the data it protects.
 */

type Db = Kysely<Database> | Transaction<Database>;

export interface Manifest {
  app: string;
  version: string;
  createdAt: string;
  /** Every applied migration; a restore needs exactly the same schema. */
  migrations: string[];
  /** Tables in load order (referenced tables first) and their row counts. */
  tables: { name: string; rows: number }[];
  /** One sealed value per encrypted column, so restore can check the field key before loading. */
  fieldKeyProbes: { table: string; column: string; sealed: string }[];
}

export interface FilesManifest {
  files: { path: string; size: number; sha256: string }[];
  sequences: number;
}

const ROWS_PER_BATCH = 500;
/** Tables whose rows prove an instance is in use; a restore never replaces them. */
const IN_USE_TABLES = ["users", "sites", "audit_log"] as const;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function appVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.resolve(import.meta.dirname, "../../package.json"), "utf8"));
  return String(pkg.version);
}

async function appliedMigrations(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from schema_migrations order by name`.execute(db);
  return rows.map((r) => r.name);
}

interface ForeignKey {
  name: string;
  table: string;
  references: string;
  deferrable: boolean;
}

async function foreignKeys(db: Db): Promise<ForeignKey[]> {
  const { rows } = await sql<ForeignKey>`
    select c.conname as name, t.relname as table, r.relname as references, c.condeferrable as deferrable
    from pg_constraint c
    join pg_class t on t.oid = c.conrelid
    join pg_class r on r.oid = c.confrelid
    join pg_namespace n on n.oid = t.relnamespace
    where c.contype = 'f' and n.nspname = current_schema()`.execute(db);
  return rows;
}

/** The application's tables, referenced ones before those referring to them (cycles broken anywhere). */
async function tablesInLoadOrder(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name <> 'schema_migrations'
    order by table_name`.execute(db);
  const needs = new Map<string, Set<string>>(rows.map((r) => [r.name, new Set()]));
  for (const fk of await foreignKeys(db))
    if (fk.table !== fk.references) needs.get(fk.table)?.add(fk.references);
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (table: string) => {
    if (seen.has(table)) return;
    seen.add(table);
    for (const other of needs.get(table) ?? []) visit(other);
    order.push(table);
  };
  for (const { name } of rows) visit(name);
  return order;
}

async function sequences(db: Db): Promise<{ name: string; value: string; called: boolean }[]> {
  const { rows } = await sql<{ name: string }>`
    select sequence_name as name from information_schema.sequences
    where sequence_schema = current_schema() order by sequence_name`.execute(db);
  const out = [];
  for (const { name } of rows) {
    const { rows: state } = await sql<{ last_value: string; is_called: boolean }>`
      select last_value::text, is_called from ${sql.table(name)}`.execute(db);
    out.push({ name, value: state[0]?.last_value ?? "1", called: state[0]?.is_called ?? false });
  }
  return out;
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

export interface BackupReport {
  file: string;
  bytes: number;
  rows: number;
  tables: number;
  files: number;
  fileBytes: number;
}

/** Writes the archive to `out` (via a temporary name, so a half-written archive never looks whole). */
export async function createBackup(
  ctx: AppContext,
  out: string,
  progress: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<BackupReport> {
  const key = await loadBackupKey(ctx.config.dataDir, env, true);
  const partial = `${out}.partial`;
  const { head, encrypt, tag } = sealArchive(key);
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await writeFile(partial, head, { mode: 0o600 });
  const report: BackupReport = { file: out, bytes: head.length, rows: 0, tables: 0, files: 0, fileBytes: 0 };
  encrypt.on("data", (chunk: Buffer) => {
    report.bytes += chunk.length;
  });

  // one snapshot for every table, so rows that refer to each other are taken at the same moment
  await ctx.db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (trx) => {
      await sql`set transaction read only`.execute(trx);
      const frames = async function* () {
        const order = await tablesInLoadOrder(trx);
        const tables: Manifest["tables"] = [];
        for (const name of order) {
          const { rows } = await sql<{
            n: number;
          }>`select count(*)::int as n from ${sql.table(name)}`.execute(trx);
          tables.push({ name, rows: rows[0]?.n ?? 0 });
        }
        const fieldKeyProbes: Manifest["fieldKeyProbes"] = [];
        for (const { table, column } of await encryptedColumns(trx)) {
          const { rows } = await sql<{ v: Buffer }>`
            select ${sql.ref(column)} as v from ${sql.table(table)} where ${sql.ref(column)} is not null limit 1`.execute(
            trx,
          );
          if (rows[0]) fieldKeyProbes.push({ table, column, sealed: rows[0].v.toString("base64") });
        }
        const manifest: Manifest = {
          app: "zhengwu",
          version: await appVersion(),
          createdAt: new Date().toISOString(),
          migrations: await appliedMigrations(trx),
          tables,
          fieldKeyProbes,
        };
        yield frame("M", JSON.stringify(manifest));

        for (const { name, rows: total } of tables) {
          yield frame("T", JSON.stringify({ table: name }));
          await sql`declare zw_backup no scroll cursor for select to_jsonb(t)::text as j from ${sql.table(name)} t`.execute(
            trx,
          );
          let done = 0;
          let shown = 0;
          for (;;) {
            const { rows } = await sql<{
              j: string;
            }>`fetch ${sql.lit(ROWS_PER_BATCH)} from zw_backup`.execute(trx);
            if (rows.length === 0) break;
            done += rows.length;
            yield frame("R", `[${rows.map((r) => r.j).join(",")}]`);
            if (done - shown >= 20_000) {
              shown = done;
              progress(`  ${name}：${done}/${total} 行，已写入 ${mb(report.bytes)}`);
            }
          }
          await sql`close zw_backup`.execute(trx);
          if (done !== total) throw new Error(`${name} 行数在快照内发生变化（${total} → ${done}）`);
          report.rows += done;
          report.tables += 1;
          if (total > 0) progress(`  表 ${name}：${done} 行`);
        }
        const seqs = await sequences(trx);
        yield frame("S", JSON.stringify(seqs));
        progress(`数据库：${report.tables} 张表，${report.rows} 行，${seqs.length} 个序列`);

        const root = ctx.files.root;
        const files: FilesManifest["files"] = [];
        for (const relative of await listFiles(root)) {
          // a file removed since the listing (an upload replaced meanwhile) is simply not backed up
          const handle = await open(path.join(root, relative)).catch(() => undefined);
          if (!handle) continue;
          const hash = createHash("sha256");
          let size = 0;
          yield frame("F", JSON.stringify({ path: relative }));
          for await (const chunk of handle.createReadStream({ highWaterMark: 256 * 1024 })) {
            hash.update(chunk as Buffer);
            size += (chunk as Buffer).length;
            yield frame("D", chunk as Buffer);
          }
          const sha256 = hash.digest("hex");
          yield frame("E", JSON.stringify({ sha256, size }));
          files.push({ path: relative, size, sha256 });
          report.files += 1;
          report.fileBytes += size;
          if (report.files % 100 === 0) progress(`  附件：${report.files} 个，${mb(report.fileBytes)}`);
        }
        progress(`附件：${report.files} 个，${mb(report.fileBytes)}`);
        const trailer: FilesManifest = { files, sequences: seqs.length };
        yield frame("Z", JSON.stringify(trailer));
      };
      await pipeline(
        Readable.from(frames()),
        createGzip(),
        encrypt,
        createWriteStream(partial, { flags: "a" }),
      );
    });
  const mac = tag();
  await appendFile(partial, mac);
  report.bytes += mac.length;
  await rename(partial, out);
  await appendAudit(ctx.db, null, "backup.created", path.basename(out), {
    rows: report.rows,
    files: report.files,
    bytes: report.bytes,
    via: "cli",
  });
  return report;
}

export interface RestoreReport {
  manifest: Manifest;
  rows: number;
  tables: number;
  sequences: number;
  files: number;
  chain: ChainReport;
}

async function assertEmpty(ctx: AppContext): Promise<void> {
  const found: string[] = [];
  for (const table of IN_USE_TABLES) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(
      ctx.db,
    );
    if ((rows[0]?.n ?? 0) > 0) found.push(`${table} 表 ${rows[0]?.n} 行`);
  }
  const files = await listFiles(ctx.files.root);
  if (files.length) found.push(`附件目录 ${files.length} 个文件`);
  if (found.length)
    throw new UserError(
      `目标实例不是空的（${found.join("，")}）。恢复只在空实例上进行，从不删除现有数据（尤其是不可删改的审计记录）：请新建空数据库并另设 DATA_DIR 后再恢复。未做任何改动`,
    );
}

async function readManifest(reader: FrameReader): Promise<Manifest> {
  const first = await reader.next();
  if (first?.type !== "M") throw new UserError("备份文件缺少清单，无法恢复。未做任何改动");
  return JSON.parse(first.payload.toString("utf8")) as Manifest;
}

/** What must hold before a restore touches anything: same schema, a field key that opens the data. */
async function checkTarget(ctx: AppContext, manifest: Manifest): Promise<void> {
  const here = await appliedMigrations(ctx.db);
  if (here.join() !== manifest.migrations.join())
    throw new UserError(
      `备份的数据库结构（迁移至 ${manifest.migrations.at(-1)}）与本实例（迁移至 ${here.at(-1)}）不同：请用备份时的版本（${manifest.version}）恢复后再升级。未做任何改动`,
    );
  for (const probe of manifest.fieldKeyProbes) {
    try {
      ctx.cipher.decrypt(Buffer.from(probe.sealed, "base64"));
    } catch {
      throw new UserError(
        `当前的字段加密密钥解不开备份中的个人信息（${probe.table}.${probe.column}）：请把原实例的 keys/field.key 和 keys/retired/ 复制到 ${path.join(ctx.config.dataDir, "keys")}/ 后重试。未做任何改动`,
      );
    }
  }
  await assertEmpty(ctx);
}

const INCOMPLETE = "备份文件内容不完整。未做任何改动";

/** Applies the archive's frames inside one transaction; files go to a staging directory. */
class Loader {
  private table = "";
  private columns: string[] = [];
  private loaded = 0;
  private upload: { path: string; handle: FileHandle; hash: Hash } | undefined;
  private trailer: FilesManifest | undefined;
  private readonly expected: Map<string, number>;
  private readonly trx: Transaction<Database>;
  private readonly manifest: Manifest;
  private readonly staging: string;
  private readonly report: RestoreReport;
  private readonly progress: (line: string) => void;

  constructor(
    trx: Transaction<Database>,
    manifest: Manifest,
    staging: string,
    report: RestoreReport,
    progress: (line: string) => void,
  ) {
    this.trx = trx;
    this.manifest = manifest;
    this.staging = staging;
    this.report = report;
    this.progress = progress;
    this.expected = new Map(manifest.tables.map((t) => [t.name, t.rows]));
  }

  async apply(type: FrameType, payload: Buffer): Promise<void> {
    const json = <T>() => JSON.parse(payload.toString("utf8")) as T;
    if (type === "T") return this.startTable(json<{ table: string }>().table);
    if (type === "R") return this.insertRows(payload.toString("utf8"));
    if (type === "S") return this.setSequences(json());
    if (type === "F") return this.startFile(json<{ path: string }>().path);
    if (type === "D" && this.upload) {
      this.upload.hash.update(payload);
      await this.upload.handle.write(payload);
      return;
    }
    if (type === "E" && this.upload) return this.endFile(json<{ sha256: string }>().sha256);
    if (type === "Z") {
      this.trailer = json();
      return;
    }
    throw new UserError(INCOMPLETE);
  }

  /** Everything announced arrived. */
  finish(): void {
    if (
      !this.trailer ||
      this.upload ||
      this.trailer.files.length !== this.report.files ||
      this.report.tables !== this.manifest.tables.length
    )
      throw new UserError(INCOMPLETE);
  }

  async close(): Promise<void> {
    await this.upload?.handle.close();
  }

  private endTable(): void {
    if (!this.table) return;
    if (this.loaded !== this.expected.get(this.table))
      throw new UserError(`备份中 ${this.table} 表的行数与清单不符。未做任何改动`);
    if (this.loaded) this.progress(`  表 ${this.table}：${this.loaded} 行`);
    this.report.rows += this.loaded;
    this.report.tables += 1;
    this.table = "";
  }

  private async startTable(table: string): Promise<void> {
    this.endTable();
    if (!this.expected.has(table)) throw new UserError(`备份中的表 ${table} 不在清单中。未做任何改动`);
    const { rows } = await sql<{ name: string }>`
      select column_name as name from information_schema.columns
      where table_schema = current_schema() and table_name = ${table} and is_generated = 'NEVER'
      order by ordinal_position`.execute(this.trx);
    this.table = table;
    this.columns = rows.map((r) => r.name);
    this.loaded = 0;
    // rows a migration put there (calendars, defaults) come back from the archive as they were
    if (table !== "audit_log") await sql`delete from ${sql.table(table)}`.execute(this.trx);
  }

  private async insertRows(jsonArray: string): Promise<void> {
    if (!this.table) throw new UserError(INCOMPLETE);
    const cols = sql.join(this.columns.map((c) => sql.ref(c)));
    const result = await sql`
      insert into ${sql.table(this.table)} (${cols}) overriding system value
      select ${cols} from jsonb_populate_recordset(null::${sql.table(this.table)}, ${jsonArray}::jsonb)`.execute(
      this.trx,
    );
    this.loaded += Number(result.numAffectedRows ?? 0);
  }

  private async setSequences(seqs: { name: string; value: string; called: boolean }[]): Promise<void> {
    this.endTable();
    for (const s of seqs)
      await sql`select setval(${s.name}::regclass, ${s.value}::bigint, ${s.called})`.execute(this.trx);
    this.report.sequences = seqs.length;
    this.progress(`数据库：${this.report.tables} 张表，${this.report.rows} 行，${seqs.length} 个序列`);
  }

  private async startFile(relative: string): Promise<void> {
    const target = path.resolve(this.staging, relative);
    if (this.upload || !target.startsWith(`${this.staging}${path.sep}`))
      throw new UserError(`备份中的附件路径不合法：${relative}`);
    await mkdir(path.dirname(target), { recursive: true });
    this.upload = { path: relative, handle: await open(target, "wx", 0o600), hash: createHash("sha256") };
  }

  private async endFile(sha256: string): Promise<void> {
    const upload = this.upload;
    if (!upload) throw new UserError(INCOMPLETE);
    this.upload = undefined;
    await upload.handle.close();
    if (upload.hash.digest("hex") !== sha256)
      throw new UserError(`附件 ${upload.path} 的校验值不符。未做任何改动`);
    this.report.files += 1;
  }
}

/**
 * Foreign keys pointing at a table loaded later (or at their own table) are made deferrable for
 * the load and checked at its end; returns the undo.
 */
async function deferLateForeignKeys(
  trx: Transaction<Database>,
  manifest: Manifest,
): Promise<() => Promise<void>> {
  const position = new Map(manifest.tables.map((t, i) => [t.name, i]));
  const late = (await foreignKeys(trx)).filter(
    (fk) => !fk.deferrable && (position.get(fk.references) ?? 0) >= (position.get(fk.table) ?? 0),
  );
  for (const fk of late)
    await sql`alter table ${sql.table(fk.table)} alter constraint ${sql.ref(fk.name)} deferrable`.execute(
      trx,
    );
  await sql`set constraints all deferred`.execute(trx);
  return async () => {
    await sql`set constraints all immediate`.execute(trx);
    for (const fk of late)
      await sql`alter table ${sql.table(fk.table)} alter constraint ${sql.ref(fk.name)} not deferrable`.execute(
        trx,
      );
  };
}

/**
 * `zhengwu restore FILE`: every check first (key, integrity tag, schema level, field key, empty
 * target), then one transaction for all rows and sequences; files are staged and moved in only
 * after it commits. The second read re-checks the tag, so a file changed in between rolls back.
 */
export async function restoreBackup(
  ctx: AppContext,
  file: string,
  progress: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<RestoreReport> {
  const archive = await openArchive(file, await loadBackupKey(ctx.config.dataDir, env, false));
  progress("备份文件完整性校验通过");
  const first = archive.plaintext();
  const manifest = await readManifest(new FrameReader(first.stream));
  first.stream.destroy();
  await checkTarget(ctx, manifest);

  const staging = path.join(ctx.config.dataDir, `files.restoring-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  const second = archive.plaintext();
  const reader = new FrameReader(second.stream);
  await readManifest(reader);
  const report: RestoreReport = {
    manifest,
    rows: 0,
    tables: 0,
    sequences: 0,
    files: 0,
    chain: { ok: false, checked: 0 },
  };
  try {
    await ctx.db.transaction().execute(async (trx) => {
      // the archive carries the change feed itself; loading rows must not add to it
      await sql`set local zhengwu.quiet_public_changes = 'on'`.execute(trx);
      const checkForeignKeys = await deferLateForeignKeys(trx, manifest);
      const loader = new Loader(trx, manifest, staging, report, progress);
      try {
        for (let f = await reader.next(); f; f = await reader.next()) await loader.apply(f.type, f.payload);
        loader.finish();
      } finally {
        await loader.close();
      }
      if (!second.verifyTag()) throw new UserError("备份文件在恢复过程中被改动。未做任何改动");
      progress(`附件：${report.files} 个`);
      await checkForeignKeys();
    });
  } catch (error) {
    second.stream.destroy();
    await rm(staging, { recursive: true, force: true });
    throw error;
  }

  await rm(ctx.files.root, { recursive: true, force: true });
  await mkdir(path.dirname(ctx.files.root), { recursive: true });
  await rename(staging, ctx.files.root).catch(async () => {
    await mkdir(ctx.files.root, { recursive: true });
  });
  report.chain = await verifyAuditChain(ctx);
  await appendAudit(ctx.db, null, "backup.restored", path.basename(file), {
    rows: report.rows,
    files: report.files,
    createdAt: manifest.createdAt,
    via: "cli",
  });
  return report;
}

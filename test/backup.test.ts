import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { audit, verifyAuditChain } from "../src/core/audit.ts";
import { createBackup, restoreBackup } from "../src/core/backup.ts";
import type { AppContext } from "../src/core/context.ts";
import { fieldCipher } from "../src/core/crypto.ts";
import type { Db } from "../src/core/db/database.ts";
import { buildServer } from "../src/core/http/server.tsx";
import { submitRequest } from "../src/modules/disclosure/requests.ts";
import { registerCitizen } from "../src/modules/identity/service.ts";
import { cloneDatabase, type TestDatabase, testContext } from "./support/cluster.ts";
import { siteId, startTestPlatform, type TestPlatform } from "./support/platform.ts";

/** Row count and an order-independent checksum of every table's content. */
async function tableChecksums(db: Db): Promise<Record<string, string>> {
  const { rows: tables } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    // the backup and the restore each append their own audit record afterwards
    const only =
      name === "audit_log" ? sql`where t.action not in ('backup.created', 'backup.restored')` : sql``;
    const { rows } = await sql<{ n: number; sum: string }>`
      select count(*)::int as n, md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as sum
      from ${sql.table(name)} t ${only}`.execute(db);
    out[name] = `${rows[0]?.n} ${rows[0]?.sum}`;
  }
  return out;
}

async function sequenceValues(db: Db): Promise<Record<string, string>> {
  const { rows } = await sql<{ name: string; v: string }>`
    select sequencename as name, coalesce(last_value::text, '-') as v from pg_sequences
    where schemaname = current_schema()`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.name, r.v]));
}

async function fileHashes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries.filter((x) => x.isFile())) {
    const full = path.join(e.parentPath, e.name);
    out[path.relative(root, full)] = createHash("sha256")
      .update(await readFile(full))
      .digest("hex");
  }
  return out;
}

async function page(app: FastifyInstance, url: string): Promise<{ status: number; body: string }> {
  const response = await app.inject({ url });
  return { status: response.statusCode, body: response.body };
}

const PHONE = "13912345678";
const ID_NUMBER = "11010519491231002X";

describe("backup and restore", () => {
  let source: TestPlatform;
  let target: TestDatabase;
  let targetDir: string;
  let targetCtx: AppContext;
  let work: string;
  let archive: string;
  let before_: Record<string, string>;
  let attachmentUrl: string;
  let documentUrl: string;
  let targetApp: FastifyInstance | undefined;

  before(async () => {
    source = await startTestPlatform("demo");
    const { ctx } = source;
    await registerCitizen(ctx, {
      phone: PHONE,
      displayName: "备份测试",
      password: "Citizen-Pass1",
      passwordConfirm: "Citizen-Pass1",
      agreed: true,
    });
    await submitRequest(ctx, {
      siteId: await siteId(ctx, "rsj"),
      citizenId: null,
      applicantType: "person",
      orgCategory: "",
      applicantName: "孙八",
      contactPerson: "",
      idType: "居民身份证",
      idNumber: ID_NUMBER,
      phone: "13800001111",
      email: "",
      address: "青禾市东城区幸福路8号",
      description: "请提供本局2025年度政府采购目录",
      documentHint: "",
      carrier: "电子文档",
      delivery: "网上查阅下载",
    });
    await audit(ctx, null, "audit.verified", "backup-test", {});
    // an uploaded file, attached to a published document so it is served publicly
    const doc = await sql<{ id: number; ref: string; live: number }>`
      select id, ref, live_version_id as live from documents
      where live_version_id is not null and ref is not null order by id limit 1`.execute(ctx.db);
    const d = doc.rows[0];
    assert.ok(d);
    const stored = await ctx.files.save(
      "备份测试.txt",
      Buffer.from("备份恢复测试附件\n".repeat(500)),
      1 << 20,
    );
    const row = await ctx.db
      .insertInto("attachments")
      .values({
        document_id: d.id,
        filename: stored.filename,
        mime: stored.mime,
        size: stored.size,
        sha256: stored.sha256,
        storage_key: stored.storageKey,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await sql`update document_versions set attachment_ids = attachment_ids || ${row.id}::int
      where id = ${d.live}`.execute(ctx.db);
    attachmentUrl = `/files/${row.id}/${encodeURIComponent(stored.filename)}`;
    const ref = await source.app.inject({ url: `/ref/${encodeURIComponent(d.ref)}` });
    assert.equal(ref.statusCode, 302);
    documentUrl = String(ref.headers.location);

    work = await mkdtemp(path.join(tmpdir(), "zhengwu-backup-"));
    archive = path.join(work, "city.zwbak");
    target = await cloneDatabase("empty");
    targetDir = await mkdtemp(path.join(tmpdir(), "zhengwu-restore-"));
    targetCtx = testContext(target.db, targetDir);
  });

  after(async () => {
    await targetApp?.close();
    await source.close();
    await target.drop();
    await rm(work, { recursive: true, force: true });
    await rm(targetDir, { recursive: true, force: true });
  });

  it("writes one encrypted archive with progress and a key kept outside it", async () => {
    before_ = await tableChecksums(source.ctx.db);
    const lines: string[] = [];
    const report = await createBackup(source.ctx, archive, (l) => lines.push(l), {});
    assert.ok(report.rows > 1000, `${report.rows} rows`);
    assert.equal(report.files, Object.keys(await fileHashes(source.ctx.files.root)).length);
    assert.ok(report.files >= 1);
    assert.ok(lines.some((l) => /^数据库：\d+ 张表，\d+ 行/.test(l)));
    assert.ok(lines.some((l) => /^附件：\d+ 个/.test(l)));
    const bytes = await readFile(archive);
    assert.equal(bytes.length, report.bytes);
    // nothing readable inside: neither a table name nor the attachment's text
    assert.equal(bytes.includes(Buffer.from("audit_log")), false);
    assert.equal(bytes.includes(Buffer.from("备份恢复测试附件")), false);
    const keyFile = path.join(source.ctx.config.dataDir, "keys", "backup.key");
    assert.equal(Buffer.from((await readFile(keyFile, "utf8")).trim(), "base64").length, 32);
  });

  it("refuses a tampered archive and leaves the empty instance untouched", async () => {
    await mkdir(path.join(targetDir, "keys"), { recursive: true });
    await copyFile(
      path.join(source.ctx.config.dataDir, "keys", "backup.key"),
      path.join(targetDir, "keys", "backup.key"),
    );
    const bytes = await readFile(archive);
    const tampered = Buffer.from(bytes);
    const at = Math.floor(bytes.length / 2);
    tampered[at] = (tampered[at] ?? 0) ^ 1;
    const bad = path.join(work, "tampered.zwbak");
    await writeFile(bad, tampered);
    await assert.rejects(
      restoreBackup(targetCtx, bad, () => {}, {}),
      /完整性校验失败.*未做任何改动/,
    );
    const cut = path.join(work, "cut.zwbak");
    await writeFile(cut, bytes.subarray(0, bytes.length - 100));
    await assert.rejects(
      restoreBackup(targetCtx, cut, () => {}, {}),
      /完整性校验失败/,
    );
    const users = await targetCtx.db
      .selectFrom("users")
      .select(sql<number>`count(*)::int`.as("n"))
      .executeTakeFirst();
    assert.equal(users?.n, 0);
  });

  it("refuses a wrong backup key and a field key that cannot open the personal data", async () => {
    const wrong = { ZHENGWU_BACKUP_KEY: randomBytes(32).toString("base64") };
    await assert.rejects(
      restoreBackup(targetCtx, archive, () => {}, wrong),
      /备份密钥与该备份不匹配/,
    );
    const otherField = { ...targetCtx, cipher: fieldCipher(randomBytes(32)) };
    await assert.rejects(
      restoreBackup(otherField, archive, () => {}, {}),
      /字段加密密钥解不开/,
    );
    const noKeyDir = await mkdtemp(path.join(tmpdir(), "zhengwu-nokey-"));
    await assert.rejects(
      restoreBackup(testContext(target.db, noKeyDir), archive, () => {}, {}),
      /找不到备份密钥/,
    );
    await rm(noKeyDir, { recursive: true, force: true });
    assert.deepEqual(await fileHashes(targetCtx.files.root), {});
  });

  it("restores into an empty instance exactly: rows, sequences, files, audit chain, personal data, pages", async () => {
    const lines: string[] = [];
    const report = await restoreBackup(targetCtx, archive, (l) => lines.push(l), {});
    assert.ok(report.chain.ok, JSON.stringify(report.chain));
    assert.ok(report.chain.checked >= 1);
    assert.ok(lines.some((l) => /^数据库：/.test(l)));

    assert.deepEqual(await tableChecksums(target.db), before_);
    const sourceSeqs = await sequenceValues(source.ctx.db);
    const targetSeqs = await sequenceValues(target.db);
    // the backup appended one audit record after its snapshot; audit_log uses no sequence
    assert.deepEqual(targetSeqs, sourceSeqs);
    assert.deepEqual(await fileHashes(targetCtx.files.root), await fileHashes(source.ctx.files.root));
    assert.ok((await verifyAuditChain(targetCtx)).ok, "chain still verifies after the restore's own record");

    const citizen = await target.db
      .selectFrom("users")
      .select("phone_enc")
      .where("phone_index", "=", targetCtx.cipher.blindIndex(PHONE))
      .executeTakeFirstOrThrow();
    assert.equal(targetCtx.cipher.decrypt(citizen.phone_enc as Buffer), PHONE);
    const request = await target.db
      .selectFrom("info_requests")
      .select("id_number_enc")
      .where("id_number_index", "=", targetCtx.cipher.blindIndex(ID_NUMBER))
      .executeTakeFirstOrThrow();
    assert.equal(targetCtx.cipher.decrypt(request.id_number_enc), ID_NUMBER);

    targetApp = await buildServer(targetCtx, { logLevel: "silent" });
    for (const url of ["/", documentUrl, attachmentUrl]) {
      const a = await page(source.app, url);
      const b = await page(targetApp, url);
      assert.equal(a.status, 200, url);
      assert.equal(b.status, a.status, url);
      assert.equal(b.body, a.body, url);
    }
  });

  it("refuses to restore over an instance in use", async () => {
    await assert.rejects(
      restoreBackup(targetCtx, archive, () => {}, {}),
      /目标实例不是空的.*未做任何改动/,
    );
  });
});

import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import type { Actor } from "../src/core/auth/permissions.ts";
import { fieldCipher, loadCipher, loadFieldKey, loadRetiredKeys } from "../src/core/crypto.ts";
import {
  blindIndexColumns,
  encryptedColumns,
  rotateBlindIndex,
  rotateFieldKey,
  SEALED_JSON_COLUMNS,
} from "../src/core/key-rotation.ts";
import { submitRequest } from "../src/modules/disclosure/requests.ts";
import { authenticate, loadActor, registerCitizen } from "../src/modules/identity/service.ts";
import { lookupByPhone, submitApplication } from "../src/modules/services/applications.ts";
import { siteId, startTestPlatform, type TestPlatform } from "./support/platform.ts";
import { itemByRef, PDF } from "./support/services.ts";

/** The key every test context uses (test/support/cluster.ts), written where the platform keeps it. */
const TEST_KEY = Buffer.alloc(32, 7);

/** `zhengwu keys rotate`: a new key, the old one retired, every value re-sealed, nothing lost. */
describe("field key rotation", () => {
  let p: TestPlatform;

  const sealedValues = async () => {
    const out: Record<string, Buffer> = {};
    for (const { table, column } of await encryptedColumns(p.ctx.db)) {
      const { rows } = await sql<Record<string, Buffer | null> & { id: number }>`
        select * from ${sql.table(table)} order by id`.execute(p.ctx.db);
      for (const row of rows) if (row[column]) out[`${table}.${row.id}.${column}`] = row[column] as Buffer;
    }
    for (const { table, column } of SEALED_JSON_COLUMNS) {
      const { rows } = await sql<{ id: number; v: { sealed?: Record<string, string> } }>`
        select id, ${sql.ref(column)} as v from ${sql.table(table)} order by id`.execute(p.ctx.db);
      for (const row of rows)
        for (const [name, value] of Object.entries(row.v.sealed ?? {}))
          out[`${table}.${row.id}.${column}.${name}`] = Buffer.from(value, "base64");
    }
    return out;
  };
  let applicationNumber = "";

  before(async () => {
    p = await startTestPlatform("demo");
    await mkdir(path.join(p.ctx.config.dataDir, "keys"), { recursive: true });
    await writeFile(path.join(p.ctx.config.dataDir, "keys", "field.key"), `${TEST_KEY.toString("base64")}\n`);
    await registerCitizen(p.ctx, {
      phone: "13811112222",
      displayName: "轮换测试",
      password: "Citizen-Pass1",
      passwordConfirm: "Citizen-Pass1",
      agreed: true,
    });
    await submitRequest(p.ctx, {
      siteId: await siteId(p.ctx, "rsj"),
      citizenId: null,
      applicantType: "person",
      orgCategory: "",
      applicantName: "钱七",
      contactPerson: "",
      idType: "居民身份证",
      idNumber: "11010519491231002X",
      phone: "13833334444",
      email: "",
      address: "青禾市西城区和平路1号",
      description: "请提供本局2025年度部门预算的说明",
      documentHint: "",
      carrier: "电子文档",
      delivery: "网上查阅下载",
    });
    const citizen = await p.ctx.db
      .selectFrom("users")
      .select("id")
      .where("phone_index", "=", p.ctx.cipher.blindIndex("13811112222"))
      .executeTakeFirstOrThrow();
    const application = await submitApplication(p.ctx, (await loadActor(p.ctx, citizen.id)) as Actor, {
      itemId: (await itemByRef(p, "svc-004")).id,
      values: {
        applicantName: "轮换测试",
        idNumber: "11010519491231002X",
        phone: "13811112222",
        delivery: "邮寄送达",
      },
      uploads: (key) => (key === "m0" || key === "m3" ? [{ filename: `${key}.pdf`, data: PDF }] : []),
      accountPhone: "13811112222",
    });
    applicationNumber = application.number;
  });
  after(() => p.close());

  it("knows every sealed value in the database: bytea *_enc columns and the listed jsonb members", async () => {
    const { rows: columns } = await sql<{ table: string; column: string; type: string }>`
      select table_name as table, column_name as column, data_type as type from information_schema.columns
      where table_schema = current_schema() and data_type in ('bytea', 'jsonb')`.execute(p.ctx.db);
    const known = new Set([
      ...(await encryptedColumns(p.ctx.db)).map((c) => `${c.table}.${c.column}`),
      ...SEALED_JSON_COLUMNS.map((c) => `${c.table}.${c.column}`),
    ]);
    const opens = (b: Buffer) => {
      try {
        p.ctx.cipher.decrypt(b);
        return true;
      } catch {
        return false;
      }
    };
    const strings = (v: unknown): string[] =>
      typeof v === "string" ? [v] : v && typeof v === "object" ? Object.values(v).flatMap(strings) : [];
    const sealedSeen = new Set<string>();
    for (const { table, column, type } of columns) {
      const { rows } = await sql<{ v: unknown }>`
        select ${sql.ref(column)} as v from ${sql.table(table)} where ${sql.ref(column)} is not null`.execute(
        p.ctx.db,
      );
      for (const { v } of rows) {
        const candidates = type === "bytea" ? [v as Buffer] : strings(v).map((x) => Buffer.from(x, "base64"));
        if (candidates.some(opens)) sealedSeen.add(`${table}.${column}`);
      }
    }
    for (const column of sealedSeen)
      assert.ok(known.has(column), `${column} holds sealed values but is not rotated`);
    for (const column of [
      "users.phone_enc",
      "info_requests.id_number_enc",
      "letters.contact_name_enc",
      "letters.phone_enc",
      "service_applications.phone_enc",
      "service_applications.form_data",
    ])
      assert.ok(sealedSeen.has(column) && known.has(column), column);
    // every blind index can be recomputed (or is declared short-lived)
    const indexes = await blindIndexColumns(p.ctx.db);
    assert.ok(indexes.some((c) => c.table === "bundle_applications" && c.source));
    assert.deepEqual(
      indexes.filter((c) => !c.source).map((c) => `${c.table}.${c.column}`),
      ["sms_codes.phone_index"],
    );
  });

  it("re-seals every value under a new key without losing any, and lookups keep working", async () => {
    const before = await sealedValues();
    const plain = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, p.ctx.cipher.decrypt(v)]));
    assert.ok(Object.keys(plain).length >= 4, `${Object.keys(plain).length} values`);
    const lines: string[] = [];
    const { resealed } = await rotateFieldKey(p.ctx, (l) => lines.push(l), {}, 0);
    assert.equal(resealed, Object.keys(plain).length);
    assert.match(lines.at(-1) ?? "", /完成：共重新加密/);

    const current = await loadFieldKey(p.ctx.config.dataDir, {});
    const retired = await loadRetiredKeys(p.ctx.config.dataDir);
    assert.ok(!current.equals(TEST_KEY));
    assert.deepEqual(retired, [TEST_KEY]);
    const ring = fieldCipher(current, "sm4", retired);
    const newOnly = fieldCipher(current);
    const after = await sealedValues();
    for (const [k, value] of Object.entries(after)) {
      assert.ok(!value.equals(before[k] as Buffer), `${k} re-sealed`);
      assert.equal(ring.decrypt(value), plain[k], k);
      assert.equal(newOnly.decrypt(value), plain[k], `${k} needs only the new key`);
      assert.throws(() => fieldCipher(TEST_KEY).decrypt(value), `${k} no longer opens with the old key`);
    }
    // the blind index is unchanged, so a citizen still signs in by phone
    assert.deepEqual(ring.blindIndex("13811112222"), p.ctx.cipher.blindIndex("13811112222"));
    const id = await authenticate({ ...p.ctx, cipher: ring }, "citizen", "13811112222", "Citizen-Pass1");
    assert.ok(id > 0);
    assert.ok(await lookupByPhone({ ...p.ctx, cipher: ring }, applicationNumber, "13811112222"));
    const recorded = await p.ctx.db
      .selectFrom("audit_log")
      .select("detail")
      .where("action", "=", "keys.rotated")
      .executeTakeFirstOrThrow();
    assert.equal(recorded.detail.resealed, resealed);
  });

  it("refuses to rotate a key that comes from the environment", async () => {
    await assert.rejects(
      rotateFieldKey(p.ctx, () => {}, { ZHENGWU_FIELD_KEY: TEST_KEY.toString("base64") }),
      /密钥管理系统/,
    );
  });
});

/** `zhengwu keys rotate --blind-index`: every lookup keeps working during and after the move. */
describe("blind index rotation", () => {
  let p: TestPlatform;
  const PHONE = "13955556666";
  const LATE_PHONE = "13977778888";
  let number = "";

  const indexSnapshot = async () => {
    const out: Record<string, string> = {};
    for (const { table, column } of await blindIndexColumns(p.ctx.db)) {
      const { rows } = await sql<{ id: number; v: Buffer | null }>`
        select id, ${sql.ref(column)} as v from ${sql.table(table)} order by id`.execute(p.ctx.db);
      for (const r of rows) out[`${table}.${r.id}.${column}`] = r.v?.toString("hex") ?? "";
    }
    return out;
  };
  const plainValues = async () => {
    const out: Record<string, string> = {};
    for (const { table, column } of await encryptedColumns(p.ctx.db)) {
      const { rows } = await sql<{ id: number; v: Buffer | null }>`
        select id, ${sql.ref(column)} as v from ${sql.table(table)} order by id`.execute(p.ctx.db);
      for (const r of rows) if (r.v) out[`${table}.${r.id}.${column}`] = p.ctx.cipher.decrypt(r.v);
    }
    return out;
  };
  const signIn = (phone: string) => authenticate(p.ctx, "citizen", phone, "Citizen-Pass1");

  before(async () => {
    p = await startTestPlatform("demo");
    await mkdir(path.join(p.ctx.config.dataDir, "keys"), { recursive: true });
    await writeFile(path.join(p.ctx.config.dataDir, "keys", "field.key"), `${TEST_KEY.toString("base64")}\n`);
    p.ctx.cipher = await loadCipher(p.ctx.config.dataDir, "sm4", {});
    const id = await registerCitizen(p.ctx, {
      phone: PHONE,
      displayName: "索引测试",
      password: "Citizen-Pass1",
      passwordConfirm: "Citizen-Pass1",
      agreed: true,
    });
    const application = await submitApplication(p.ctx, (await loadActor(p.ctx, id)) as Actor, {
      itemId: (await itemByRef(p, "svc-004")).id,
      values: {
        applicantName: "索引测试",
        idNumber: "11010519491231002X",
        phone: PHONE,
        delivery: "邮寄送达",
      },
      uploads: (key) => (key === "m0" || key === "m3" ? [{ filename: `${key}.pdf`, data: PDF }] : []),
      accountPhone: PHONE,
    });
    number = application.number;
  });
  after(() => p.close());

  it("moves every index to a new key; lookups work during the run and after, nothing is lost", async () => {
    const beforeIndexes = await indexSnapshot();
    const beforePlain = await plainValues();
    const first = await signIn(PHONE);

    // a run under way (or interrupted): the next key exists, lookups try both keys
    const nextFile = path.join(p.ctx.config.dataDir, "keys", "index-next.key");
    await writeFile(nextFile, `${Buffer.alloc(32, 9).toString("base64")}\n`);
    p.ctx.cipher = await loadCipher(p.ctx.config.dataDir, "sm4", {});
    assert.equal(p.ctx.cipher.blindIndexes(PHONE).length, 2);
    assert.equal(await signIn(PHONE), first, "a record indexed under the old key is still found");
    const late = await registerCitizen(p.ctx, {
      phone: LATE_PHONE,
      displayName: "轮换期间注册",
      password: "Citizen-Pass1",
      passwordConfirm: "Citizen-Pass1",
      agreed: true,
    });
    assert.equal(await signIn(LATE_PHONE), late, "a record written during the run is found");
    await assert.rejects(
      registerCitizen(p.ctx, {
        phone: PHONE,
        displayName: "重复",
        password: "Citizen-Pass1",
        passwordConfirm: "Citizen-Pass1",
        agreed: true,
      }),
      /提交的内容有误/,
      "a phone registered under the old key is still taken",
    );
    assert.ok(await lookupByPhone(p.ctx, number, PHONE));

    const lines: string[] = [];
    const { recomputed } = await rotateBlindIndex(p.ctx, (l) => lines.push(l), {}, 0);
    assert.match(lines[0] ?? "", /继续上次未完成/);
    assert.match(lines.at(-1) ?? "", /完成：共重算/);
    await assert.rejects(readFile(nextFile));
    const indexKey = Buffer.from(
      (await readFile(path.join(p.ctx.config.dataDir, "keys", "index.key"), "utf8")).trim(),
      "base64",
    );
    assert.deepEqual(indexKey, Buffer.alloc(32, 9));

    // only the new key now, and every stored index is under it
    assert.equal(p.ctx.cipher.blindIndexes(PHONE).length, 1);
    const newOnly = fieldCipher(TEST_KEY, "sm4", [], { current: indexKey });
    const afterIndexes = await indexSnapshot();
    for (const k of Object.keys(beforeIndexes)) assert.ok(k in afterIndexes, `${k} kept`);
    let changed = 0;
    for (const { table, column, source } of await blindIndexColumns(p.ctx.db)) {
      if (!source) continue;
      const { rows } = await sql<{ id: number; v: Buffer | null; s: Buffer | null }>`
        select t.id, t.${sql.ref(column)} as v, ${source} as s from ${sql.table(table)} t`.execute(p.ctx.db);
      for (const r of rows) {
        if (!r.v || !r.s) continue;
        assert.ok(r.v.equals(newOnly.blindIndex(newOnly.decrypt(r.s))), `${table}.${r.id}.${column}`);
        if (beforeIndexes[`${table}.${r.id}.${column}`] !== r.v.toString("hex")) changed += 1;
      }
    }
    assert.ok(changed >= 3, `${changed} indexes changed`);
    assert.ok(recomputed >= changed - 1, `${recomputed} recomputed`);
    const afterPlain = await plainValues();
    for (const [k, v] of Object.entries(beforePlain)) assert.equal(afterPlain[k], v, k);
    // plus the citizen registered during the run
    assert.equal(Object.keys(afterPlain).length, Object.keys(beforePlain).length + 1);
    assert.equal(await signIn(PHONE), first);
    assert.equal(await signIn(LATE_PHONE), late);
    assert.ok(await lookupByPhone(p.ctx, number, PHONE));
    await assert.rejects(lookupByPhone(p.ctx, number, "13900000000"), /不正确/);
    const recorded = await p.ctx.db
      .selectFrom("audit_log")
      .select("detail")
      .where("action", "=", "keys.index_rotated")
      .executeTakeFirstOrThrow();
    assert.equal(recorded.detail.recomputed, recomputed);
  });
});

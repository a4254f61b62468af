import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { fieldCipher, loadFieldKey, loadRetiredKeys } from "../src/core/crypto.ts";
import { encryptedColumns, rotateFieldKey } from "../src/core/key-rotation.ts";
import { submitRequest } from "../src/modules/disclosure/requests.ts";
import { authenticate, registerCitizen } from "../src/modules/identity/service.ts";
import { siteId, startTestPlatform, type TestPlatform } from "./support/platform.ts";

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
    return out;
  };

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
  });
  after(() => p.close());

  it("re-seals every value under a new key without losing any, and lookups keep working", async () => {
    const before = await sealedValues();
    const plain = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, p.ctx.cipher.decrypt(v)]));
    assert.ok(Object.keys(plain).length >= 4, `${Object.keys(plain).length} values`);
    const lines: string[] = [];
    const { resealed } = await rotateFieldKey(p.ctx, (l) => lines.push(l), {});
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

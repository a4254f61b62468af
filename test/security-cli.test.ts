import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { sql } from "kysely";
import { cloneDatabase, type TestDatabase } from "./support/cluster.ts";

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, "../src/cli/main.ts");

/** `zhengwu admin create --role` and `zhengwu audit verify`, run as an operator would. */
describe("security commands", () => {
  let database: TestDatabase;
  let dataDir: string;

  const zhengwu = async (...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, ["--import", "tsx", CLI, ...args], {
        env: { ...process.env, DATABASE_URL: database.url, DATA_DIR: dataDir },
      });
      return { code: 0, out: stdout };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: `${e.stdout}${e.stderr}` };
    }
  };

  before(async () => {
    database = await cloneDatabase("empty");
    dataDir = await mkdtemp(path.join(tmpdir(), "zhengwu-cli-"));
  });
  after(async () => {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("creates each of the three administrators with exactly one role", async () => {
    const sys = await zhengwu("admin", "create", "--username", "wang", "--name", "王主任");
    assert.equal(sys.code, 0, sys.out);
    assert.match(sys.out, /初始密码：\S+/);
    const sec = await zhengwu(
      "admin",
      "create",
      "--username",
      "ligong",
      "--name",
      "李工",
      "--role",
      "security_admin",
    );
    assert.equal(sec.code, 0, sec.out);
    const bad = await zhengwu("admin", "create", "--username", "zhao", "--role", "root");
    assert.equal(bad.code, 1);
    assert.match(bad.out, /--role 只能是 sysadmin、security_admin 或 auditor/);
    const grants = await database.db
      .selectFrom("grants")
      .innerJoin("users", "users.id", "grants.user_id")
      .select(["users.username", "grants.role", "grants.site_id"])
      .orderBy("users.username")
      .execute();
    assert.deepEqual(grants, [
      { username: "ligong", role: "security_admin", site_id: null },
      { username: "wang", role: "sysadmin", site_id: null },
    ]);
  });

  it("audit verify passes an intact chain and fails, with a non-zero status, on a tampered one", async () => {
    const ok = await zhengwu("audit", "verify");
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /审计链完整：已校验 2 条记录/);
    await sql`alter table audit_log disable trigger user`.execute(database.db);
    await sql`update audit_log set target = 'user:1 someone-else' where seq = 1`.execute(database.db);
    await sql`alter table audit_log enable trigger user`.execute(database.db);
    const broken = await zhengwu("audit", "verify");
    assert.equal(broken.code, 2, broken.out);
    assert.match(broken.out, /审计链已被破坏：第 1 条/);
  });
});

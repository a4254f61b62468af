import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/core/config.ts";
import type { AppContext } from "../../src/core/context.ts";
import { fieldCipher } from "../../src/core/crypto.ts";
import { connect, type Db, dropDatabase, ensureDatabase, withDatabase } from "../../src/core/db/database.ts";
import { FileStore } from "../../src/core/storage.ts";

export const EMPTY_TEMPLATE = "zw_template_empty";
export const DEMO_TEMPLATE = "zw_template_demo";

/** Where the global setup tells test processes (its children) how to reach the server. */
export function clusterFile(runnerPid: number): string {
  return path.join(tmpdir(), `zhengwu-test-cluster-${runnerPid}.json`);
}

export function adminUrl(): string {
  try {
    return (JSON.parse(readFileSync(clusterFile(process.ppid), "utf8")) as { adminUrl: string }).adminUrl;
  } catch {
    throw new Error("测试数据库未就绪：请用 npm test 运行（它会先启动测试用 PostgreSQL）");
  }
}

const TEST_KEY = Buffer.alloc(32, 7);

/**
 * The render cache is off unless a test asks for it: many tests write rows directly and read the
 * page at once, before the change notification could have arrived (test/render-cache.test.ts covers it).
 */
export function testContext(db: Db, dataDir: string, env: Record<string, string> = {}): AppContext {
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: "0",
    SESSION_IDLE_MINUTES: "30",
    RENDER_CACHE_MB: "0",
    ...env,
  });
  return { db, config, files: new FileStore(path.join(dataDir, "files")), cipher: fieldCipher(TEST_KEY) };
}

export interface TestDatabase {
  db: Db;
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file, cloned from a template in well under a second. */
export async function cloneDatabase(template: "empty" | "demo"): Promise<TestDatabase> {
  const admin = adminUrl();
  const name = `zw_test_${randomBytes(6).toString("hex")}`;
  await ensureDatabase(admin, name, template === "demo" ? DEMO_TEMPLATE : EMPTY_TEMPLATE);
  const url = withDatabase(admin, name);
  const db = connect(url, 5);
  return {
    db,
    name,
    url,
    async drop() {
      await db.destroy();
      await dropDatabase(admin, name);
    },
  };
}

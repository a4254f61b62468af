import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { register } from "tsx/esm/api";
import { connect, dropDatabase, ensureDatabase, withDatabase } from "../../src/core/db/database.ts";
import {
  type EmbeddedServer,
  manageProcessExitOurselves,
  startEmbeddedPostgres,
} from "../../src/core/db/embedded.ts";
import { migrate } from "../../src/core/db/migrate.ts";
import { clusterFile, DEMO_TEMPLATE, EMPTY_TEMPLATE, testContext } from "./cluster.ts";

/**
 * Runs once before all test files: one PostgreSQL (embedded, or DATABASE_URL's server) with two
 * template databases — migrated, and migrated plus the demo city. Each test file clones one.
 */
let embedded: EmbeddedServer | undefined;
let dir: string | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    dir = await mkdtemp(path.join(tmpdir(), "zhengwu-test-"));
    embedded = await startEmbeddedPostgres(path.join(dir, "pg"), await freePort());
    // globalTeardown stops it; the library's own exit hook would turn a failed run's exit code into 0
    manageProcessExitOurselves();
    adminUrl = embedded.url;
  }
  for (const name of [DEMO_TEMPLATE, EMPTY_TEMPLATE]) await dropDatabase(adminUrl, name);
  await ensureDatabase(adminUrl, EMPTY_TEMPLATE);
  const empty = connect(withDatabase(adminUrl, EMPTY_TEMPLATE), 2);
  await migrate(empty);
  await empty.destroy();
  await ensureDatabase(adminUrl, DEMO_TEMPLATE, EMPTY_TEMPLATE);
  const demo = connect(withDatabase(adminUrl, DEMO_TEMPLATE), 2);
  // Node loads this file by stripping types, which knows no .tsx; the demo reaches views (JSX)
  register();
  const { importDemo } = await import("../../src/demo/import.ts");
  await importDemo(testContext(demo, dir ?? tmpdir()));
  await demo.destroy();
  await writeFile(clusterFile(process.pid), JSON.stringify({ adminUrl }));
}

export async function globalTeardown(): Promise<void> {
  await rm(clusterFile(process.pid), { force: true });
  await embedded?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}

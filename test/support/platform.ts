import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../src/core/context.ts";
import { connect } from "../../src/core/db/database.ts";
import { buildServer } from "../../src/core/http/server.tsx";
import { addGrant, createStaff, type NewGrant } from "../../src/modules/identity/service.ts";
import { cloneDatabase, type TestDatabase, testContext } from "./cluster.ts";
import { HttpClient } from "./http.ts";

export interface TestPlatform {
  ctx: AppContext;
  database: TestDatabase;
  app: FastifyInstance;
  baseUrl: string;
  client(): HttpClient;
  close(): Promise<void>;
}

/** A running platform over a fresh database (optionally holding the demo city) on a free port. */
export async function startTestPlatform(
  template: "empty" | "demo" = "demo",
  options: { env?: Record<string, string>; database?: TestDatabase } = {},
): Promise<TestPlatform> {
  // a second instance on another platform's database has its own pool and leaves the database be
  const shared = options.database;
  const database = shared
    ? { db: connect(shared.url, 5), drop: async () => {} }
    : await cloneDatabase(template);
  const dataDir = await mkdtemp(path.join(tmpdir(), "zhengwu-data-"));
  const ctx = testContext(database.db, dataDir, options.env);
  const app = await buildServer(ctx, { logLevel: "silent" });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    ctx,
    database: shared ?? (database as TestDatabase),
    app,
    baseUrl,
    client: () => new HttpClient(baseUrl),
    async close() {
      await app.close();
      if (shared) await database.db.destroy();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const TEST_PASSWORD = "Test-Passw0rd!";

let counter = 0;

/** A staff account holding the given grants; returns its id and username. */
export type GrantSpec = Partial<NewGrant> & { role: string };

export async function staffWith(ctx: AppContext, grants: GrantSpec[], name?: string) {
  counter += 1;
  const username = `${name ?? "staff"}${counter}${Date.now() % 100000}`;
  const id = await createStaff(ctx, { username, displayName: name ?? username, password: TEST_PASSWORD });
  for (const g of grants) {
    await addGrant(ctx, id, {
      role: g.role,
      siteId: g.siteId ?? null,
      columnId: g.columnId ?? null,
      reviewLevel: g.reviewLevel ?? null,
    });
  }
  return { id, username };
}

/** A signed-in staff client. */
export async function staffClient(platform: TestPlatform, username: string): Promise<HttpClient> {
  const client = platform.client();
  const response = await client.submit("/admin/login", "/admin/login", { username, password: TEST_PASSWORD });
  if (response.status !== 303) throw new Error(`登录失败：${response.status}`);
  return client;
}

/** Ids by corpus ref or code, for readable tests. */
export async function siteId(ctx: AppContext, code: string): Promise<number> {
  return (await ctx.db.selectFrom("sites").select("id").where("code", "=", code).executeTakeFirstOrThrow())
    .id;
}

export async function columnId(ctx: AppContext, siteCode: string, slug: string): Promise<number> {
  return (
    await ctx.db
      .selectFrom("columns")
      .innerJoin("sites", "sites.id", "columns.site_id")
      .select("columns.id")
      .where("sites.code", "=", siteCode)
      .where("columns.slug", "=", slug)
      .executeTakeFirstOrThrow()
  ).id;
}

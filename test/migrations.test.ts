import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { connect, dropDatabase, ensureDatabase, withDatabase } from "../src/core/db/database.ts";
import { MIGRATIONS_DIR, migrate } from "../src/core/db/migrate.ts";
import { adminUrl } from "./support/cluster.ts";

describe("migrations", () => {
  const name = `zw_migrate_${process.pid}`;
  before(() => ensureDatabase(adminUrl(), name));
  after(() => dropDatabase(adminUrl(), name));

  it("run from an empty database, once each, even when two processes start together", async () => {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith(".sql")).sort();
    const a = connect(withDatabase(adminUrl(), name), 2);
    const b = connect(withDatabase(adminUrl(), name), 2);
    try {
      const [first, second] = await Promise.all([migrate(a), migrate(b)]);
      assert.deepEqual([...first, ...second].sort(), files, "every migration applied exactly once");
      assert.deepEqual(await migrate(a), [], "nothing left to apply");
      const tables = await a.introspection.getTables();
      for (const table of [
        "sites",
        "columns",
        "documents",
        "document_versions",
        "placements",
        "users",
        "grants",
        "sessions",
        "workflow_events",
      ]) {
        assert.ok(
          tables.some((t) => t.name === table),
          table,
        );
      }
    } finally {
      await a.destroy();
      await b.destroy();
    }
  });
});

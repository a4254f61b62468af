import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { type IndexedRecord, indexRecords } from "../src/modules/search/registry.ts";
import { CANDIDATES, COUNT_CAP, FACET_CAP, search } from "../src/modules/search/service.ts";
import { startTestPlatform, type TestPlatform } from "./support/platform.ts";

/**
 * Ranking in an index large enough that a common word is not ranked whole: the newest matches and
 * the named primary sources are, rare words still are, and counts of a common word are capped
 * without being taken.
 */
describe("站内搜索 in a large index", () => {
  let p: TestPlatform;
  const record = (key: string, type: IndexedRecord["type"], title: string, body = ""): IndexedRecord => ({
    key,
    ref: null,
    type,
    title,
    body: body || title,
    url: `/art/${key}.html`,
    siteIds: [],
    department: "青禾市交通运输局",
    publishedAt: new Date("2025-06-01T00:00:00+08:00"),
    validity: null,
  });

  before(async () => {
    p = await startTestPlatform("empty");
    const db = p.ctx.db;
    // indexed first, so oldest: a 办事指南, a notice whose title says the word twice, a rare subject
    await indexRecords(db, "scale", [
      record("guide", "service", "城区停车泊位申请"),
      record("old-notice", "news", "停车泊位停车泊位专项整治"),
      record("rare", "news", "古树名木认养办法", "古树名木认养的条件和程序"),
    ]);
    const notices = Array.from({ length: 6000 }, (_, n) =>
      record(`notice-${n}`, "news", `停车泊位调整通知（第${n}号）`, "本月停车泊位调整如下"),
    );
    for (let i = 0; i < notices.length; i += 1000)
      await indexRecords(db, "scale", notices.slice(i, i + 1000));
    await sql`analyze search_records`.execute(db);
  });
  after(() => p.close());

  it("ranks the newest matches of a common word and the 办事指南 however old, not every match", async () => {
    const result = await search(p.ctx.db, { q: "停车泊位", limit: 10 });
    assert.equal(result.hits[0]?.key, "guide", "the 办事指南 comes first, though indexed first");
    // ranked whole, the old notice would come next: its title says the word twice
    assert.ok(!result.hits.some((h) => h.key === "old-notice"), "older than the window, not ranked");
    assert.deepEqual(
      result.hits.slice(1).map((h) => h.key),
      Array.from({ length: 9 }, (_, i) => `notice-${5999 - i}`),
    );
    assert.ok(CANDIDATES < 6000);
    // a page beyond the candidates still continues the same tier
    const deep = await search(p.ctx.db, { q: "停车泊位", limit: 10, offset: 150 });
    assert.deepEqual(
      deep.hits.map((h) => h.key),
      Array.from({ length: 10 }, (_, i) => `notice-${5850 - i}`),
    );
    assert.equal(result.total, COUNT_CAP, "6,000 matches are 500 条以上");
  });

  it("still ranks every match of a word too rare for the window, however old", async () => {
    const result = await search(p.ctx.db, { q: "古树名木", limit: 10 });
    assert.deepEqual(
      result.hits.map((h) => h.key),
      ["rare"],
    );
    assert.equal(result.total, 1);
    const both = await search(p.ctx.db, { q: "停车泊位专项整治", limit: 10 });
    assert.equal(both.hits[0]?.key, "old-notice", "every concept in an old title is still found first");
  });

  it("caps the type counts of a common word and counts a rare type exactly", async () => {
    const result = await search(p.ctx.db, { q: "停车泊位", limit: 10, facets: true });
    assert.deepEqual(result.byType, { news: FACET_CAP, service: 1 });
  });
});

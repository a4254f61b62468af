/**
 * Search latency with 100,000 generated records, reported as ratios against a baseline measured in
 * the same run on the same database (a primary-key lookup on the index table), so the figures
 * compare across machines. Never a test assertion.
 *
 *   npm run bench            (embedded PostgreSQL in a temporary directory, or DATABASE_URL)
 *   BENCH_DOCS=20000 npm run bench
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import { loadConfig } from "../src/core/config.ts";
import { openPlatform } from "../src/core/platform.ts";
import { type IndexedRecord, indexRecords } from "../src/modules/search/registry.ts";
import { RECORD_TYPES } from "../src/modules/search/schema.ts";
import { search } from "../src/modules/search/service.ts";

const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
const DEMO = path.resolve(import.meta.dirname, "../demo");

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

/** A small deterministic generator, so every run indexes the same documents. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function corpusSentences() {
  const faqs = JSON.parse(await readFile(path.join(DEMO, "faqs.json"), "utf8")).faqs as {
    question: string;
    answer: string;
  }[];
  const policies = JSON.parse(await readFile(path.join(DEMO, "policies.json"), "utf8")).policies as {
    title: string;
    body: string;
  }[];
  const titles = [...faqs.map((f) => f.question), ...policies.map((p) => p.title)];
  const sentences = [...faqs.map((f) => f.answer), ...policies.map((p) => p.body)]
    .flatMap((t) => t.split(/(?<=[。；])/))
    .map((s) => s.trim())
    .filter((s) => s.length > 8);
  return { titles, sentences };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main() {
  const dataDir = await mkdtemp(path.join(tmpdir(), "zhengwu-bench-"));
  const config = loadConfig({
    ...process.env,
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
  });
  const platform = await openPlatform(config, (line) => console.log(line));
  const db = platform.ctx.db;
  try {
    if (process.env.DATABASE_URL)
      await db.deleteFrom("search_records").where("source", "=", "bench").execute();
    const { titles, sentences } = await corpusSentences();
    const next = random(20261123);
    const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)] as T;
    console.log(`生成并索引 ${DOCS} 条记录…`);
    const started = performance.now();
    for (let i = 0; i < DOCS; i += 2000) {
      const batch: IndexedRecord[] = [];
      for (let j = i; j < Math.min(DOCS, i + 2000); j++) {
        const body = Array.from({ length: 3 + Math.floor(next() * 5) }, () => pick(sentences)).join("");
        batch.push({
          key: String(j),
          ref: null,
          type: pick([...RECORD_TYPES]),
          title: `${pick(titles)}（${j}）`,
          body,
          url: `/bench/${j}`,
          siteIds: [1 + Math.floor(next() * 18)],
          department: "",
          publishedAt: new Date(Date.UTC(2023, 0, 1) + Math.floor(next() * 1400) * 86_400_000),
          validity: next() < 0.2 ? "失效" : "有效",
        });
      }
      await indexRecords(db, "bench", batch);
      if ((i / 2000) % 10 === 0) console.log(`  ${i + batch.length}`);
    }
    await sql`analyze search_records`.execute(db);
    await sql`analyze search_terms`.execute(db);
    console.log(`索引用时 ${((performance.now() - started) / 1000).toFixed(1)} 秒`);

    const dev = JSON.parse(await readFile("/work/shared/corpus/eval-dev.json", "utf8").catch(() => "{}")) as {
      search?: { query: string }[];
    };
    const queries = [
      ...(dev.search?.map((s) => s.query) ?? []),
      "社保缴费基数",
      "公积金提取",
      "新生儿落户",
      "异地就医备案",
      "营业执照",
      "低保标准",
      "公积金贷款额度",
      "退休了公基金怎么取出来",
    ];
    const ids = (await db.selectFrom("search_records").select("id").limit(5000).execute()).map((r) => r.id);
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    // warm up caches and connections
    for (const q of queries.slice(0, 10)) await search(db, { q, limit: 10 });
    for (const id of ids.slice(0, 50))
      await db.selectFrom("search_records").selectAll().where("id", "=", id).execute();

    const rounds = 5;
    const baseline: number[] = [];
    const plain: number[] = [];
    const filtered: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const q of queries) {
        baseline.push(
          await time(() => db.selectFrom("search_records").selectAll().where("id", "=", pick(ids)).execute()),
        );
        plain.push(await time(() => search(db, { q, limit: 10 })));
        filtered.push(await time(() => search(db, { q, limit: 10, siteId: 3, types: ["policy", "faq"] })));
      }
    }
    const base95 = percentile(baseline, 95);
    const row = (label: string, values: number[]) =>
      console.log(
        `${label.padEnd(26)} p50 ${percentile(values, 50).toFixed(2).padStart(7)} ms  p95 ${percentile(
          values,
          95,
        )
          .toFixed(2)
          .padStart(7)} ms  p95 = ${(percentile(values, 95) / base95).toFixed(1)} × 基线`,
      );
    const total = await db
      .selectFrom("search_records")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    console.log(`\n索引记录 ${total.n} 条，查询 ${queries.length} 个 × ${rounds} 轮`);
    row("基线：主键查询", baseline);
    row("搜索（全站）", plain);
    row("搜索（站点 + 类别筛选）", filtered);
  } finally {
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();

/**
 * Search latency with 100,000 generated records: p50/p95/p99 per family of typical queries, each
 * also as a ratio to a baseline measured in the same run on the same database (a primary-key
 * lookup on the index table), so the figures compare across machines. A report, never a test
 * assertion; run `uptime` alongside, a loaded machine shows in the baseline.
 *
 *   npm run bench            (embedded PostgreSQL in a temporary directory, or DATABASE_URL)
 *   BENCH_DOCS=20000 npm run bench
 *   BENCH_DATA_DIR=/tmp/zhengwu-bench npm run bench   (keeps the database; later runs skip indexing)
 *   BENCH_EXPLAIN=1 npm run bench                    (also prints the plan of each tier's query)
 */
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { CompiledQuery, createQueryId, PostgresQueryCompiler, type RootOperationNode, sql } from "kysely";
import { loadConfig } from "../src/core/config.ts";
import { openPlatform, type Platform } from "../src/core/platform.ts";
import { type IndexedRecord, indexRecords } from "../src/modules/search/registry.ts";
import { RECORD_TYPES } from "../src/modules/search/schema.ts";
import { search } from "../src/modules/search/service.ts";
import { corpusText, random } from "./support/corpus.ts";
import { freePort, percentile } from "./support/instance.ts";

const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);

/** Typical queries by kind, written for the benchmark (the dev set's queries are one family of their own). */
const FAMILIES: Record<string, string[]> = {
  热词与事项名: [
    "社保缴费基数",
    "公积金提取",
    "新生儿落户",
    "异地就医备案",
    "营业执照",
    "低保标准",
    "居住证",
    "义务教育招生",
    "不动产登记",
    "失业保险金",
  ],
  同义词与复合词: [
    "社会保险",
    "上户口",
    "公积金贷款额度",
    "个税汇算",
    "企业登记",
    "医疗保险报销",
    "老旧小区改造补贴",
    "残疾人证办理",
  ],
  口语问句与纠错: [
    "退休了公基金怎么取出来",
    "孩子上小学要准备什么材料",
    "开个小饭店要办哪些证",
    "社宝卡丢了怎么补办",
    "在外地看病能报销吗",
    "低报每个月能领多少钱",
    "shebaoka",
    "老人坐公交免费吗",
  ],
};

async function generate(db: Platform["ctx"]["db"]): Promise<void> {
  const { titles, sentences } = await corpusText();
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
  await sql`vacuum analyze search_records`.execute(db);
  await sql`analyze search_terms`.execute(db);
  console.log(`索引用时 ${((performance.now() - started) / 1000).toFixed(1)} 秒`);
}

async function main() {
  const keep = process.env.BENCH_DATA_DIR;
  const dataDir = keep ?? (await mkdtemp(path.join(tmpdir(), "zhengwu-bench-")));
  if (keep) await mkdir(keep, { recursive: true });
  const config = loadConfig({
    ...process.env,
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: process.env.EMBEDDED_PG_PORT ?? String(await freePort()),
  });
  const platform = await openPlatform(config, (line) => console.log(line));
  const db = platform.ctx.db;
  try {
    const indexed = await db
      .selectFrom("search_records")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("source", "=", "bench")
      .executeTakeFirstOrThrow();
    if (Number(indexed.n) !== DOCS) {
      await db.deleteFrom("search_records").where("source", "=", "bench").execute();
      await generate(db);
    }
    const dev = JSON.parse(await readFile("/work/shared/corpus/eval-dev.json", "utf8").catch(() => "{}")) as {
      search?: { query: string }[];
    };
    const families: [string, string[]][] = [
      ...Object.entries(FAMILIES),
      ...(dev.search?.length ? [["评测集查询", dev.search.map((s) => s.query)] as [string, string[]]] : []),
    ];
    const next = random(7);
    const ids = (await db.selectFrom("search_records").select("id").limit(5000).execute()).map((r) => r.id);
    const pickId = () => ids[Math.floor(next() * ids.length)] ?? 1;
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    if (process.env.BENCH_EXPLAIN) await explainAll(db, families);
    // warm up caches and connections
    for (const [, queries] of families) for (const q of queries) await search(db, { q, limit: 10 });
    for (let i = 0; i < 50; i++)
      await db.selectFrom("search_records").selectAll().where("id", "=", pickId()).execute();

    const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
    const baseline: number[] = [];
    const variants: [string, (q: string) => Promise<unknown>][] = [
      ["全站", (q) => search(db, { q, limit: 10 })],
      ["站点 + 类别筛选", (q) => search(db, { q, limit: 10, siteId: 3, types: ["policy", "faq"] })],
      ["搜索页（含分类计数）", (q) => search(db, { q, limit: 10, facets: true })],
    ];
    const timings = new Map<string, number[]>();
    for (let r = 0; r < rounds; r++) {
      for (const [family, queries] of families) {
        for (const q of queries) {
          baseline.push(
            await time(() =>
              db.selectFrom("search_records").selectAll().where("id", "=", pickId()).execute(),
            ),
          );
          for (const [variant, run] of variants) {
            const key = `${family}｜${variant}`;
            const list = timings.get(key) ?? [];
            list.push(await time(() => run(q)));
            timings.set(key, list);
            const all = timings.get(`合计｜${variant}`) ?? [];
            all.push(list.at(-1) ?? 0);
            timings.set(`合计｜${variant}`, all);
          }
        }
      }
    }
    const total = await db
      .selectFrom("search_records")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const queries = families.reduce((n, [, q]) => n + q.length, 0);
    console.log(
      `\n索引记录 ${total.n} 条，查询 ${queries} 个 × ${rounds} 轮；负载 ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    const [b50, b95, b99] = [50, 95, 99].map((p) => percentile(baseline, p));
    const ms = (v: number) => v.toFixed(1).padStart(6);
    console.log(`${"".padEnd(30)}    p50     p95     p99 (ms)   p50/基线 p95/基线`);
    const row = (label: string, values: number[]) => {
      const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(values, p)) as [number, number, number];
      console.log(
        `${label.padEnd(30 - [...label].filter((c) => c.charCodeAt(0) > 255).length)} ${ms(p50)}  ${ms(p95)}  ${ms(p99)}      ${(p50 / (b50 ?? 1)).toFixed(1).padStart(6)}× ${(p95 / (b95 ?? 1)).toFixed(1).padStart(6)}×`,
      );
    };
    row("基线：主键查询", baseline);
    void b99;
    for (const [key, values] of [...timings].sort(
      ([a], [b]) => (a.startsWith("合计") ? 1 : 0) - (b.startsWith("合计") ? 1 : 0),
    ))
      row(key, values);
  } finally {
    await platform.close();
    if (!keep) await rm(dataDir, { recursive: true, force: true });
  }
}

/** The plan (EXPLAIN ANALYZE) of every statement a search runs, for a few queries of each family. */
async function explainAll(db: Platform["ctx"]["db"], families: [string, string[]][]): Promise<void> {
  const statements: RootOperationNode[] = [];
  const capture = db.withPlugin({
    transformQuery: ({ node }) => {
      statements.push(node);
      return node;
    },
    transformResult: async ({ result }) => result,
  });
  const compiler = new PostgresQueryCompiler();
  for (const [family, queries] of families) {
    for (const q of queries.slice(0, 2)) {
      statements.length = 0;
      await search(capture, { q, limit: 10, facets: true });
      console.log(`\n=== ${family}：${q}（${statements.length} 条语句）`);
      for (const node of [...statements]) {
        const compiled = compiler.compileQuery(node, createQueryId());
        if (!/search_records/.test(compiled.sql)) continue;
        const plan = await CompiledQuery.raw(`explain (analyze, buffers off) ${compiled.sql}`, [
          ...compiled.parameters,
        ]);
        const rows = await db.executeQuery<{ "QUERY PLAN": string }>(plan);
        console.log(
          `--- ${compiled.sql.slice(0, 160)}…\n    ${compiled.parameters.join(" ｜ ").slice(0, 300)}`,
        );
        console.log(rows.rows.map((r) => `    ${r["QUERY PLAN"]}`).join("\n"));
      }
    }
  }
}

await main();

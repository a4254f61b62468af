/**
 * The scale run: grows the demo city to 1,000,000 published documents across 50 sites and measures
 * page, list and search latency over real HTTP at each step (10 k, 100 k, 1 M by default), so the
 * report shows whether latency stays flat as the corpus grows.
 *
 *   npm run bench:scale                          steps 10000,100000,1000000
 *   BENCH_SCALE_STEPS=10000,100000 npm run bench:scale
 *   BENCH_SCALE_KEEP=/tmp/scale npm run bench:scale   keep the data directory for another look
 *
 * Documents are written in bulk (a statement per 5,000 documents, already approved and live, with
 * their placements and search records), not through the editorial workflow: a million reviews would
 * measure the generator, not the site. What is measured are the real public routes.
 */
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import type { Db } from "../src/core/db/database.ts";
import { type IndexedRecord, indexRecords } from "../src/modules/search/registry.ts";
import { COLUMN_PAGE_SIZE } from "../src/modules/sites/routes.tsx";
import { corpusText, random } from "./support/corpus.ts";
import { inProcessApp, percentile } from "./support/instance.ts";

const STEPS = (process.env.BENCH_SCALE_STEPS ?? "10000,100000,1000000").split(",").map(Number);
const SITES = 50;
const CHUNK = 5000;
const SAMPLES = Number(process.env.BENCH_SCALE_SAMPLES ?? 200);

interface Placement {
  siteId: number;
  siteCode: string;
  siteKind: string;
  columnId: number;
}

/** Up to 50 sites (the demo's, then generated department sites), each with its list columns. */
async function prepareSites(db: Db): Promise<Placement[]> {
  const existing = await db.selectFrom("sites").select(["id", "kind", "settings"]).execute();
  const settings = existing.find((s) => s.kind === "department")?.settings ?? {};
  for (let n = existing.length + 1; n <= SITES; n++) {
    const code = `bench${String(n).padStart(2, "0")}`;
    const site = await db
      .insertInto("sites")
      .values({
        code,
        ref: null,
        name: `青禾市第${n}直属单位`,
        kind: "department",
        department_id: null,
        host: null,
        settings,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("columns")
      .values(
        [
          ["gzdt", "工作动态", "工作动态"],
          ["tzgg", "通知公告", "通知公告"],
          ["zcwj", "政策文件", "政策文件"],
        ].map(([slug, name, columnType], position) => ({
          site_id: site.id,
          slug: slug as string,
          name: name as string,
          type: "list" as const,
          column_type: columnType as string,
          position,
        })),
      )
      .execute();
  }
  const rows = await db
    .selectFrom("columns as c")
    .innerJoin("sites as s", "s.id", "c.site_id")
    .select(["c.id as columnId", "s.id as siteId", "s.code as siteCode", "s.kind as siteKind"])
    .where("c.type", "=", "list")
    .orderBy("s.id")
    .orderBy("c.position")
    .execute();
  return rows;
}

interface Generated {
  title: string;
  body: string;
  type: "news" | "policy";
  publishedAt: Date;
  placement: Placement;
}

/** Writes documents [from, to): documents, approved live versions, primary placements, search records. */
async function writeChunk(db: Db, from: number, to: number, make: (n: number) => Generated): Promise<void> {
  const docs = Array.from({ length: to - from }, (_, i) => make(from + i));
  await db.transaction().execute(async (trx) => {
    // a bulk load, not a thousand editors: one change for the whole run is recorded by the caller
    await sql`set local zhengwu.quiet_public_changes = 'on'`.execute(trx);
    const { rows } = await sql<{ id: number; version_id: number }>`
      with input as (
        select * from unnest(${docs.map((d) => d.type)}::text[], ${docs.map((d) => d.placement.siteId)}::int[],
          ${docs.map((d) => d.publishedAt.toISOString())}::timestamptz[], ${docs.map((d) => d.title)}::text[],
          ${docs.map((d) => d.body)}::text[], ${docs.map((d) => d.placement.columnId)}::int[])
          with ordinality as t(type, site_id, published_at, title, body, column_id, n)
      ),
      ids as (
        select input.*, nextval('documents_id_seq') as id, nextval('document_versions_id_seq') as version_id
        from input order by n
      ),
      d as (
        insert into documents (id, type, site_id, first_published_at, live_changed_at, created_at)
        select id, type, site_id, published_at, published_at, published_at from ids
      ),
      v as (
        insert into document_versions (id, document_id, number, title, body_html, status, publish_at, approved_at, went_live_at, created_at)
        select version_id, id, 1, title, body, 'approved', published_at, published_at, published_at, published_at from ids
      )
      select id::int, version_id::int from ids order by n`.execute(trx);
    await sql`update documents set live_version_id = v.version_id
      from unnest(${rows.map((r) => r.id)}::int[], ${rows.map((r) => r.version_id)}::int[]) as v(id, version_id)
      where documents.id = v.id`.execute(trx);
    await sql`insert into placements (document_id, column_id, is_primary)
      select t.document_id, t.column_id, true
      from unnest(${rows.map((r) => r.id)}::int[], ${docs.map((d) => d.placement.columnId)}::int[]) as t(document_id, column_id)`.execute(
      trx,
    );
    const records: IndexedRecord[] = docs.map((d, i) => {
      const id = rows[i]?.id ?? 0;
      const base = d.placement.siteKind === "portal" ? "" : `/sites/${d.placement.siteCode}`;
      return {
        key: String(id),
        ref: null,
        type: d.type,
        title: d.title,
        body: d.body.replace(/<[^>]+>/g, ""),
        url: `${base}/art/${id}.html`,
        siteIds: [d.placement.siteId],
        department: "",
        publishedAt: d.publishedAt,
        validity: d.type === "policy" ? "有效" : null,
      };
    });
    await indexRecords(trx, "content", records);
  });
}

interface Sample {
  label: string;
  paths: string[];
}

async function measure(base: string, sample: Sample): Promise<{ p50: number; p95: number; errors: number }> {
  const times: number[] = [];
  let errors = 0;
  for (const p of sample.paths.slice(0, 20)) await fetch(`${base}${p}`).then((r) => r.arrayBuffer());
  for (const p of sample.paths) {
    const started = performance.now();
    const response = await fetch(`${base}${p}`);
    await response.arrayBuffer();
    times.push(performance.now() - started);
    if (response.status !== 200) errors++;
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), errors };
}

async function samples(db: Db, placements: Placement[], next: () => number): Promise<Sample[]> {
  const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)] as T;
  const { rows: docs } = await sql<{ id: number; code: string; kind: string }>`
    select d.id, s.code, s.kind from documents d join sites s on s.id = d.site_id
    where d.live_version_id is not null and d.id >= (select max(id) from documents) * random()
    order by d.id limit ${SAMPLES}`.execute(db);
  const baseOf = (p: { siteKind: string; siteCode: string }) =>
    p.siteKind === "portal" ? "" : `/sites/${p.siteCode}`;
  const columns = await db
    .selectFrom("columns")
    .select(["id", "slug", "site_id"])
    .where(
      "id",
      "in",
      placements.map((p) => p.columnId),
    )
    .execute();
  const { rows: counts } = await sql<{ column_id: number; n: number }>`
    select column_id, count(*)::int as n from placements p join documents d on d.id = p.document_id
    where d.live_version_id is not null group by column_id`.execute(db);
  const sizes = new Map(counts.map((c) => [c.column_id, c.n]));
  const columnPath = (c: { slug: string; site_id: number }) => {
    const p = placements.find((x) => x.siteId === c.site_id) as Placement;
    return `${baseOf(p)}/col/${c.slug}/`;
  };
  const sites = [...new Map(placements.map((p) => [p.siteId, p])).values()];
  const queries = [
    "社保缴费基数",
    "公积金提取",
    "新生儿落户",
    "营业执照",
    "低保标准",
    "公积金贷款额度",
    "养老保险",
  ];
  return [
    {
      label: "文章页",
      paths: docs.map((d) => `${d.kind === "portal" ? "" : `/sites/${d.code}`}/art/${d.id}.html`),
    },
    { label: "列表页（第 1 页）", paths: Array.from({ length: SAMPLES }, () => columnPath(pick(columns))) },
    {
      label: "列表页（中间一页）",
      paths: Array.from({ length: SAMPLES }, () => {
        const column = pick(columns);
        const pages = Math.ceil((sizes.get(column.id) ?? 0) / COLUMN_PAGE_SIZE);
        return `${columnPath(column)}?page=${Math.max(1, Math.floor(pages / 2))}`;
      }),
    },
    { label: "站点首页", paths: Array.from({ length: SAMPLES }, () => `${baseOf(pick(sites))}/`) },
    {
      label: "搜索接口",
      paths: Array.from(
        { length: SAMPLES },
        () => `/api/search?limit=10&q=${encodeURIComponent(pick(queries))}`,
      ),
    },
  ];
}

async function main(): Promise<void> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const instance = await inProcessApp({
    name: "scale",
    keepData: process.env.BENCH_SCALE_KEEP || undefined,
    // every request reaches the database: the run measures how queries grow, not cache hits
    env: { RENDER_CACHE_MB: "0" },
    say,
  });
  const db = instance.ctx.db;
  const url = instance.url;
  const report: string[] = [];
  try {
    const placements = await prepareSites(db);
    const { titles, sentences } = await corpusText();
    const next = random(20261123);
    const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)] as T;
    const make = (n: number): Generated => ({
      title: `${pick(titles)}（第${n}号）`,
      body: `<p>${Array.from({ length: 3 + Math.floor(next() * 5) }, () => pick(sentences)).join("")}</p>`,
      type: next() < 0.2 ? "policy" : "news",
      publishedAt: new Date(Date.UTC(2016, 0, 1) + Math.floor(next() * 3900 * 86_400_000)),
      placement: pick(placements),
    });
    const firstGenerated = Number(
      (
        await db
          .selectFrom("documents")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
    let written = 0;
    for (const step of STEPS) {
      const started = performance.now();
      while (written < step) {
        const to = Math.min(step, written + CHUNK);
        await writeChunk(db, written, to, make);
        written = to;
        const seconds = (performance.now() - started) / 1000;
        process.stderr.write(
          `\r生成文档 ${written.toLocaleString("en")} / ${step.toLocaleString("en")}（${seconds.toFixed(0)} 秒）   `,
        );
      }
      await sql`select zw_record_public_change(null, 'bulk', null)`.execute(db);
      process.stderr.write("\n更新统计信息…\n");
      await sql`vacuum analyze`.execute(db);
      const total = written + firstGenerated;
      report.push(
        `\n文档 ${total.toLocaleString("en")} 篇，${SITES} 个站点，每项 ${SAMPLES} 次请求（顺序，保持连接）`,
      );
      for (const sample of await samples(db, placements, next)) {
        const r = await measure(url, sample);
        const line = `  ${sample.label.padEnd(12)} p50 ${r.p50.toFixed(2).padStart(7)} ms  p95 ${r.p95
          .toFixed(2)
          .padStart(7)} ms${r.errors ? `  非 200：${r.errors}` : ""}`;
        report.push(line);
        say(line);
      }
    }
    process.stdout.write(`${report.join("\n")}\n`);
  } finally {
    await instance.stop();
  }
}

await main();

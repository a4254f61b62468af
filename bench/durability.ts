/**
 * Durability under load: 1,000 letters through the public form, 20 at a time; part-way through the
 * app process is killed with SIGKILL and started again, and the run goes on. Afterwards every letter
 * whose receipt (信件编号) reached the citizen must be in PostgreSQL.
 *
 *   npm run bench:durability            BENCH_LETTERS=1000 BENCH_CONCURRENCY=20 by default
 *
 * PostgreSQL runs on its own here, as in production, so killing the app does not take the database
 * with it. Each submission comes from its own address behind the proxy (X-Forwarded-For with
 * TRUST_PROXY=1), so the per-citizen rate limit counts citizens, not the benchmark.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { startEmbeddedPostgres } from "../src/core/db/embedded.ts";
import { freePort, startApp } from "./support/instance.ts";

const LETTERS = Number(process.env.BENCH_LETTERS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);

interface FormToken {
  token: string;
  cookie: string;
  mailbox: string;
}

async function formToken(base: string): Promise<FormToken> {
  const response = await fetch(`${base}/xj/write/`);
  const html = await response.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error("写信页面没有表单令牌");
  return {
    token,
    cookie: response.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
    mailbox: /name="mailbox"[^>]*>[\s\S]*?<option value="(\d+)"/.exec(html)?.[1] ?? "1",
  };
}

/** One letter; resolves to its 信件编号 when the receipt came back, undefined otherwise. */
async function submit(base: string, form: FormToken, n: number): Promise<string | undefined> {
  const body = new FormData();
  body.set("_csrf", form.token);
  body.set("mailbox", form.mailbox);
  body.set("type", "建议");
  body.set("title", `压测来信第${n}号`);
  body.set("body", `第${n}号：建议在青禾公园北门增设公交站点，方便周边居民和老人出行。`);
  body.set("name", "压测市民");
  body.set("phone", "13800138000");
  try {
    const response = await fetch(`${base}/xj/write/`, {
      method: "POST",
      body,
      headers: {
        cookie: form.cookie,
        "x-forwarded-for": `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      },
      signal: AbortSignal.timeout(15_000),
    });
    const html = await response.text();
    if (response.status !== 200) return undefined;
    return /信件编号：<strong class="code">([^<]+)<\/strong>/.exec(html)?.[1];
  } catch {
    return undefined; // the connection died with the process: no receipt, so no promise was made
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "zhengwu-durability-"));
  const database = await startEmbeddedPostgres(path.join(dir, "pg"), await freePort());
  const url = database.url;
  process.stderr.write("启动应用（演示城市）…\n");
  const app = await startApp({ env: { DATABASE_URL: url, TRUST_PROXY: "1" } });
  const acknowledged = new Set<string>();
  let failed = 0;
  let next = 0;
  let killedAt = -1;
  try {
    let form = await formToken(app.url);
    const killAfter = Math.floor(LETTERS * 0.4);
    let restarting: Promise<void> | undefined;
    const crashAndRestart = async () => {
      killedAt = acknowledged.size;
      process.stderr.write(`\n已确认 ${killedAt} 封时 kill -9 应用进程 ${app.process.pid}，随即重启…\n`);
      app.process.kill("SIGKILL");
      await new Promise((resolve) => app.process.once("exit", resolve));
      await app.restart();
      form = await formToken(app.url);
    };
    const worker = async () => {
      while (next < LETTERS) {
        if (restarting) {
          await restarting;
          continue;
        }
        const n = next++;
        const trackingNo = await submit(app.url, form, n);
        if (trackingNo) acknowledged.add(trackingNo);
        else failed++;
        if (killedAt < 0 && !restarting && acknowledged.size >= killAfter) {
          restarting = crashAndRestart().finally(() => {
            restarting = undefined;
          });
        }
        if ((acknowledged.size + failed) % 50 === 0)
          process.stderr.write(
            `\r已提交 ${acknowledged.size + failed} / ${LETTERS}，已确认 ${acknowledged.size}   `,
          );
        if (!trackingNo) await sleep(50);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await restarting;

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ tracking_no: string }>(
      "select tracking_no from letters where tracking_no = any($1)",
      [[...acknowledged]],
    );
    const { rows: all } = await client.query<{ n: number }>(
      "select count(*)::int as n from letters where title like '压测来信第%'",
    );
    await client.end();
    const lost = acknowledged.size - rows.length;
    process.stdout.write(
      `\n提交 ${LETTERS} 封（并发 ${CONCURRENCY}），第 ${killedAt} 封确认后 kill -9 并重启\n` +
        `已确认（市民拿到信件编号） ${acknowledged.size}，其中已存入数据库 ${rows.length}，丢失 ${lost}\n` +
        `未确认（连接中断或出错） ${failed}；数据库中压测来信共 ${all[0]?.n ?? 0} 封\n`,
    );
    if (lost > 0) process.exitCode = 1;
  } finally {
    await app.stop();
    await database.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

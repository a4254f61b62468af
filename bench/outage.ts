/**
 * Database outage under page load, with nginx and the static mirror in front (deploy/nginx).
 *
 *   npx tsx bench/outage.ts            (needs /usr/sbin/nginx)
 *   OUTAGE_SECONDS=30 LOAD_SECONDS=60 CONNECTIONS=20 npx tsx bench/outage.ts
 *
 * Starts an embedded PostgreSQL, the app on it (demo city imported on first start) as a separate
 * process, publishes the mirror, runs nginx with the shipped fallback configuration, then loads
 * real page URLs for LOAD_SECONDS while PostgreSQL is stopped (fast shutdown) for OUTAGE_SECONDS
 * in the middle. Reports the share of page requests answered 200 and how many came from the
 * mirror and from the app. Never a test assertion.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ensureDatabase, withDatabase } from "../src/core/db/database.ts";
import { type EmbeddedServer, startEmbeddedPostgres } from "../src/core/db/embedded.ts";
import { MANIFEST_FILE, type Manifest, MIRROR_ONLY_KEYS } from "../src/modules/mirror/publish.tsx";
import { startNginx } from "../test/support/nginx.ts";
import { freePort } from "./support/instance.ts";

const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const OUTAGE_SECONDS = Number(process.env.OUTAGE_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const ROOT = path.resolve(import.meta.dirname, "..");
const CLI = path.join(ROOT, "src/cli/main.ts");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

const say = (line: string) => process.stdout.write(`${line}\n`);

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [CLI, ...args], { env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(" ")} 退出码 ${code}`)),
    );
  });
}

async function startApp(env: NodeJS.ProcessEnv, url: string): Promise<ChildProcess> {
  const child = spawn(TSX, [CLI, "start"], { env, stdio: ["ignore", "ignore", "inherit"] });
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error("应用启动失败");
    try {
      if ((await fetch(`${url}/healthz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("应用未在 150 秒内启动");
}

interface Tally {
  requests: number;
  ok: number;
  fromMirror: number;
  fromApp: number;
  failed: Map<string, number>;
  /** A few URLs per failure, to tell what failed. */
  samples: Map<string, string[]>;
  latencies: number[];
}

const newTally = (): Tally => ({
  requests: 0,
  ok: 0,
  fromMirror: 0,
  fromApp: 0,
  failed: new Map(),
  samples: new Map(),
  latencies: [],
});

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main() {
  const work = await mkdtemp(path.join(tmpdir(), "zhengwu-outage-"));
  await chmod(work, 0o755);
  const pgDir = path.join(work, "pg");
  const pgPort = await freePort();
  const appPort = await freePort();
  const nginxPort = await freePort();
  const mirrorDir = path.join(work, "mirror");
  let pg: EmbeddedServer | undefined = await startEmbeddedPostgres(pgDir, pgPort);
  await ensureDatabase(pg.url, "zhengwu");
  const env = {
    ...process.env,
    DATABASE_URL: withDatabase(pg.url, "zhengwu"),
    DATA_DIR: path.join(work, "data"),
    PORT: String(appPort),
    LOG_LEVEL: "error",
    ZHENGWU_MIRROR_DIR: "",
  };
  let app: ChildProcess | undefined;
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
  try {
    say(`启动应用（演示城市，PostgreSQL 端口 ${pgPort}，应用端口 ${appPort}）…`);
    app = await startApp(env, `http://127.0.0.1:${appPort}`);
    say("发布静态镜像…");
    await run(["publish", "--out", mirrorDir], env);
    nginx = await startNginx(path.join(work, "nginx"), `127.0.0.1:${appPort}`, nginxPort, mirrorDir);

    const manifest = JSON.parse(await readFile(path.join(mirrorDir, MANIFEST_FILE), "utf8")) as Manifest;
    const urls = Object.entries(manifest.entries)
      .filter(([key, e]) => e.kind === "page" && !MIRROR_ONLY_KEYS.includes(key))
      .map(([key]) => key)
      .filter((_, i) => i % 5 === 0);
    say(
      `压测 ${LOAD_SECONDS} 秒，${CONNECTIONS} 个并发连接，${urls.length} 个真实页面地址；第 ${Math.round((LOAD_SECONDS - OUTAGE_SECONDS) / 2)} 秒起停止 PostgreSQL ${OUTAGE_SECONDS} 秒`,
    );

    const all = newTally();
    const outage = newTally();
    let inOutage = false;
    const started = performance.now();
    const deadline = started + LOAD_SECONDS * 1000;
    let next = 0;
    const loader = async () => {
      while (performance.now() < deadline) {
        const url = urls[next++ % urls.length] as string;
        const t0 = performance.now();
        const tallies = inOutage ? [all, outage] : [all];
        let outcome: string;
        let mirror = false;
        try {
          const r = await fetch(`${nginx?.url}${url}`);
          await r.arrayBuffer();
          outcome = String(r.status);
          mirror = r.headers.get("x-zhengwu-mirror") === "1";
        } catch (error) {
          outcome = (error as Error).message;
        }
        const ms = performance.now() - t0;
        for (const t of tallies) {
          t.requests += 1;
          t.latencies.push(ms);
          if (outcome === "200") {
            t.ok += 1;
            if (mirror) t.fromMirror += 1;
            else t.fromApp += 1;
          } else {
            t.failed.set(outcome, (t.failed.get(outcome) ?? 0) + 1);
            const seen = t.samples.get(outcome) ?? [];
            if (seen.length < 3 && !seen.includes(url)) t.samples.set(outcome, [...seen, url]);
          }
        }
      }
    };
    const outageTimeline = (async () => {
      await new Promise((r) => setTimeout(r, ((LOAD_SECONDS - OUTAGE_SECONDS) / 2) * 1000));
      say(`  ${((performance.now() - started) / 1000).toFixed(0)} 秒：停止 PostgreSQL（快速关闭）`);
      inOutage = true;
      await pg?.stop();
      pg = undefined;
      await new Promise((r) => setTimeout(r, OUTAGE_SECONDS * 1000));
      say(`  ${((performance.now() - started) / 1000).toFixed(0)} 秒：重新启动 PostgreSQL`);
      pg = await startEmbeddedPostgres(pgDir, pgPort);
      inOutage = false;
    })();
    await Promise.all([...Array.from({ length: CONNECTIONS }, loader), outageTimeline]);

    const line = (name: string, t: Tally) =>
      `${name}：请求 ${t.requests}，200 占 ${((100 * t.ok) / Math.max(1, t.requests)).toFixed(2)}%` +
      `（应用 ${t.fromApp}，镜像 ${t.fromMirror}），其他 ${[...t.failed].map(([k, v]) => `${k}×${v}`).join(" ") || "无"}；` +
      `p50 ${percentile(t.latencies, 50).toFixed(1)} ms，p99 ${percentile(t.latencies, 99).toFixed(1)} ms`;
    say("");
    say(line("全程", all));
    say(line("数据库停止期间", outage));
    for (const [outcome, seen] of all.samples) say(`  ${outcome} 例如：${seen.join(" ")}`);
    const share = (100 * all.ok) / Math.max(1, all.requests);
    say(`结论：页面请求成功率 ${share.toFixed(2)}%（目标 ≥ 99%）${share >= 99 ? "，达标" : "，未达标"}`);
  } finally {
    await nginx?.stop();
    if (app && app.exitCode === null) {
      const exited = new Promise((r) => app?.once("exit", r));
      app.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (app.exitCode === null) app.kill("SIGKILL");
    }
    await pg?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

/**
 * Throwaway Zhengwu instances for the benchmarks and scripts: the real `zhengwu start` in a child
 * process on a temporary data directory (embedded PostgreSQL, demo city imported on first start), so
 * what is measured is what a city runs, request logging included; or the app in this process, for
 * scripts that also work on its database.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import { loadConfig } from "../../src/core/config.ts";
import type { AppContext } from "../../src/core/context.ts";
import { buildServer } from "../../src/core/http/server.tsx";
import { openPlatform } from "../../src/core/platform.ts";
import { importDemo } from "../../src/demo/import.ts";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

export interface AppInstance {
  url: string;
  port: number;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  process: ChildProcess;
  /** Starts the app again on the same data and port (after a crash or a kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface AppOptions {
  /** Extra environment, e.g. a benchmark's higher submission limits. */
  env?: NodeJS.ProcessEnv;
  /** Arguments after `start`, e.g. ["--workers", "2"]. */
  args?: string[];
  /** Keep the data directory on stop (the caller removes it). */
  keepData?: string;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`应用进程已退出（退出码 ${child.exitCode}）`);
    const ok = await fetch(`${url}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`应用在 ${timeoutMs / 1000} 秒内没有就绪`);
}

/** `zhengwu start` in a child process; resolves once /healthz answers. Output goes to DATA_DIR/app.log. */
export async function startApp(options: AppOptions = {}): Promise<AppInstance> {
  const dataDir = options.keepData ?? (await mkdtemp(path.join(tmpdir(), "zhengwu-bench-")));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: "",
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    EMBEDDED_PG_PORT: String(await freePort()),
    NODE_ENV: "production",
    ...options.env,
  };
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(path.join(dataDir, "app.log"), { flags: "a" });
  const launch = async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "start", ...(options.args ?? [])],
      { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    await waitForHealth(url, child, 180_000);
    return child;
  };
  const instance: AppInstance = {
    url,
    port,
    dataDir,
    env,
    process: await launch(),
    async restart() {
      instance.process = await launch();
    },
    async stop() {
      const child = instance.process;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([exited, sleep(15_000)]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      log.end();
      if (!options.keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return instance;
}

/** Where a /ref/ address or any redirect leads, so a benchmark requests the page itself. */
export async function resolvePath(base: string, page: string): Promise<string> {
  const response = await fetch(`${base}${page}`, { redirect: "manual" });
  if (response.status >= 300 && response.status < 400)
    return new URL(response.headers.get("location") ?? "/", base).pathname;
  if (response.status !== 200) throw new Error(`${page} 返回 ${response.status}`);
  return page;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export interface InProcessApp {
  ctx: AppContext;
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * The app in this process on a throwaway data directory with the demo city, for scripts that also
 * reach into its database (fixtures, bulk generation). `prepare` adds hooks before it listens.
 */
export async function inProcessApp(options: {
  name: string;
  env?: NodeJS.ProcessEnv;
  logLevel?: string;
  keepData?: string | undefined;
  say?: (line: string) => void;
  prepare?: (app: FastifyInstance) => void;
}): Promise<InProcessApp> {
  const dataDir = options.keepData ?? (await mkdtemp(path.join(tmpdir(), `zhengwu-${options.name}-`)));
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: "",
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    ...options.env,
  });
  const say = options.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  say("启动临时实例并导入演示城市…");
  const platform = await openPlatform(config, options.say);
  await importDemo(platform.ctx);
  const app = await buildServer(platform.ctx, { logLevel: options.logLevel ?? "warn" });
  options.prepare?.(app);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  return {
    ctx: platform.ctx,
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    dataDir,
    async stop() {
      await app.close();
      await platform.close();
      if (!options.keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

import cluster, { type Worker } from "node:cluster";
import { loadConfig } from "../core/config.ts";
import type { AppContext } from "../core/context.ts";
import { databaseUrlOf } from "../core/db/database.ts";
import { manageProcessExitOurselves } from "../core/db/embedded.ts";
import { buildServer } from "../core/http/server.tsx";
import { openPlatform } from "../core/platform.ts";

/**
 * `zhengwu start --workers N` on node:cluster. The primary has already migrated, imported and
 * created accounts, and runs the scheduler alone; the workers only serve HTTP on the shared port.
 * Sessions, CSRF secrets (a cookie) and the change feed live outside the process, so a visitor
 * needs no sticky worker. A worker that dies is replaced; SIGTERM lets each finish its requests.
 */

const DRAIN_LIMIT_MS = 30_000;

/** In a worker: open the database the primary handed over and serve until told to stop. */
export async function serveAsWorker(): Promise<void> {
  const config = loadConfig();
  const platform = await openPlatform(config);
  const app = await buildServer(platform.ctx);
  await app.listen({ port: config.port, host: config.host });
  const stop = async () => {
    await app.close();
    await platform.close();
    process.exit(0);
  };
  manageProcessExitOurselves();
  process.once("SIGTERM", stop);
  process.once("SIGINT", () => {}); // the primary passes Ctrl-C on as SIGTERM
}

export interface PrimaryHandle {
  /** Resolves when every worker is listening. */
  listening: Promise<void>;
  /** Stops the workers, letting in-flight requests finish. */
  stop(): Promise<void>;
}

/** In the primary: fork `count` workers on the primary's database and keep that many running. */
export function runWorkers(ctx: AppContext, count: number, log: (line: string) => void): PrimaryHandle {
  let stopping = false;
  const env = { DATABASE_URL: databaseUrlOf(ctx.db) };
  const workers = new Set<Worker>();
  let waiting = count;
  let allListening: () => void = () => {};
  const listening = new Promise<void>((resolve) => {
    allListening = resolve;
  });

  const fork = () => {
    const worker = cluster.fork(env);
    workers.add(worker);
    worker.once("listening", () => {
      waiting -= 1;
      if (waiting === 0) allListening();
    });
    worker.once("exit", (code, signal) => {
      workers.delete(worker);
      if (stopping) return;
      log(`工作进程 ${worker.process.pid} 意外退出（${signal ?? code}），正在重启…`);
      // a worker failing at once (a bad configuration) is not restarted in a tight loop
      setTimeout(fork, 1000).unref();
    });
  };
  for (let i = 0; i < count; i++) fork();

  return {
    listening,
    async stop() {
      stopping = true;
      const exits = [...workers].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once("exit", () => resolve());
            worker.process.kill("SIGTERM");
            setTimeout(() => worker.process.kill("SIGKILL"), DRAIN_LIMIT_MS).unref();
          }),
      );
      await Promise.all(exits);
    },
  };
}

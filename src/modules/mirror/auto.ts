import type { FastifyInstance } from "fastify";
import pg from "pg";
import { listenForPublicChanges } from "../../core/changes.ts";
import type { AppContext } from "../../core/context.ts";
import { databaseUrlOf } from "../../core/db/database.ts";
import { updateMirror } from "./publish.tsx";

/** Changes arrive in bursts (a release publishes several documents): wait for the burst to end. */
const DEBOUNCE_MS = 2000;
/** One advisory lock for the whole cluster: whichever process holds it keeps the mirror. */
const MIRROR_LOCK = 0x7a776d31; // "zwm1"

export interface MirrorUpdates {
  close(): Promise<void>;
}

/**
 * ZHENGWU_MIRROR_DIR: the running app keeps the static mirror current. Every process listens for
 * public changes, but only the one holding a PostgreSQL advisory lock publishes (several workers
 * or instances never write the same directory at once; if it dies another takes over).
 */
export function startMirrorUpdates(
  ctx: AppContext,
  app: FastifyInstance,
  outDir: string,
  debounceMs = DEBOUNCE_MS,
): MirrorUpdates {
  let lockClient: pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;

  const holdLock = async (): Promise<boolean> => {
    if (lockClient) return true;
    const client = new pg.Client({ connectionString: databaseUrlOf(ctx.db) });
    client.on("error", () => {
      if (lockClient === client) lockClient = null;
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ held: boolean }>("select pg_try_advisory_lock($1) as held", [
        MIRROR_LOCK,
      ]);
      if (rows[0]?.held) {
        lockClient = client;
        return true;
      }
    } catch {
      // the database is unreachable: try again on the next change or reconnect
    }
    await client.end().catch(() => {});
    return false;
  };

  const run = async () => {
    if (!(await holdLock())) return;
    try {
      const report = await updateMirror(ctx, app, outDir);
      if (report.mode !== "unchanged")
        app.log.info(
          { mode: report.mode, pages: report.pages, written: report.written, removed: report.removed },
          "static mirror updated",
        );
    } catch (error) {
      app.log.warn({ err: error }, "static mirror update failed; retried on the next change");
    }
  };

  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (running) {
        again = true;
        return;
      }
      running = run().finally(() => {
        running = null;
        if (again) {
          again = false;
          schedule();
        }
      });
    }, debounceMs);
    timer.unref();
  };

  const listener = listenForPublicChanges(ctx, schedule, { onReconnect: schedule });
  // bring the mirror up to date at start (the first time: a full publish)
  schedule();

  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running;
      await listener.close();
      await lockClient?.end().catch(() => {});
    },
  };
}

import type { Generated } from "kysely";
import pg from "pg";
import type { AppContext } from "./context.ts";
import { databaseUrlOf } from "./db/database.ts";

/**
 * The public change feed. Database triggers (migrations/0024_public_changes.sql) add a row to
 * public_changes and NOTIFY `zhengwu_public_change` in the same transaction whenever something a
 * public page shows is published, changed or withdrawn, so no code path can forget. Readers: the
 * render cache of every app process, and the static mirror (incremental publishing).
 */
export const PUBLIC_CHANGE_CHANNEL = "zhengwu_public_change";

export interface PublicChangesTable {
  id: Generated<number>;
  /** null: cluster-wide (shows on every site) */
  site_id: number | null;
  kind: string;
  ref_id: number | null;
  at: Generated<Date>;
}

export interface ChangeTables {
  public_changes: PublicChangesTable;
}

export interface PublicChange {
  id: number;
  /** null: the change shows on every site */
  siteId: number | null;
  /** document, column, site, department, service, bundle, rating, licence, policy, letter, consultation, survey, interview, budget, project, annual_report, faq, calendar, moderation, search ... */
  kind: string;
  /** the id of the thing whose page changed (document id, letter id ...), when there is one */
  refId: number | null;
  at: Date;
}

/** Changes after `lastId`, oldest first (at most `limit`); pass 0 for everything still recorded. */
export async function publicChangesSince(
  ctx: AppContext,
  lastId: number,
  limit = 10_000,
): Promise<PublicChange[]> {
  const rows = await ctx.db
    .selectFrom("public_changes")
    .selectAll()
    .where("id", ">", lastId)
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, siteId: r.site_id, kind: r.kind, refId: r.ref_id, at: r.at }));
}

/** The id of the newest change (0 when none): a starting point for publicChangesSince. */
export async function latestPublicChangeId(ctx: AppContext): Promise<number> {
  const row = await ctx.db
    .selectFrom("public_changes")
    .select((eb) => eb.fn.max("id").as("id"))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** When a page of this site last changed: its own changes and cluster-wide ones (null: never). */
export async function lastPublicChangeAt(ctx: AppContext, siteId: number | null): Promise<Date | null> {
  const newest = (site: number | null) =>
    ctx.db
      .selectFrom("public_changes")
      .select("at")
      .where("site_id", site === null ? "is" : "=", site)
      .orderBy("at", "desc")
      .limit(1)
      .executeTakeFirst();
  const [own, shared] = await Promise.all([siteId === null ? undefined : newest(siteId), newest(null)]);
  const times = [own?.at, shared?.at].filter((t): t is Date => t instanceof Date);
  return times.length ? new Date(Math.max(...times.map((t) => t.getTime()))) : null;
}

export interface ChangeListener {
  /** Resolves once the first LISTEN is in place: changes committed after it are seen. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export interface ListenOptions {
  /**
   * Called after the connection came back from an outage, before the missed changes (found in
   * the table) are delivered to onChange: notifications sent while away are lost, so a cache
   * should drop everything here.
   */
  onReconnect?: () => void;
  /** Called when the connection fails (the listener keeps retrying). */
  onError?: (error: Error) => void;
}

function parseChange(payload: string | undefined): PublicChange | null {
  try {
    const raw = JSON.parse(payload ?? "") as {
      id: number;
      siteId: number | null;
      kind: string;
      refId: number | null;
      at: string;
    };
    return { id: Number(raw.id), siteId: raw.siteId, kind: raw.kind, refId: raw.refId, at: new Date(raw.at) };
  } catch {
    return null;
  }
}

/**
 * Calls `onChange` for every public change committed by any process on this database, over one
 * dedicated connection holding LISTEN. After a database outage it reconnects (with backoff) and
 * delivers the changes recorded meanwhile from the table.
 */
export function listenForPublicChanges(
  ctx: AppContext,
  onChange: (change: PublicChange) => void,
  options: ListenOptions = {},
): ChangeListener {
  const url = databaseUrlOf(ctx.db);
  let client: pg.Client | null = null;
  let closed = false;
  let lastSeen = 0;
  let connectedOnce = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let delay = 100;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const deliver = (change: PublicChange) => {
    if (change.id > lastSeen) lastSeen = change.id;
    try {
      onChange(change);
    } catch (error) {
      options.onError?.(error as Error);
    }
  };

  const scheduleReconnect = (current: pg.Client, error?: Error) => {
    if (client !== current) return;
    client = null;
    current.removeAllListeners("notification");
    current.end().catch(() => {});
    if (error) options.onError?.(error);
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void open();
    }, delay);
    retryTimer.unref();
    delay = Math.min(delay * 2, 5000);
  };

  const open = async () => {
    if (closed) return;
    const current = new pg.Client({ connectionString: url, keepAlive: true });
    client = current;
    current.on("error", (error) => scheduleReconnect(current, error));
    current.on("end", () => scheduleReconnect(current));
    current.on("notification", (message) => {
      if (message.channel !== PUBLIC_CHANGE_CHANNEL) return;
      const change = parseChange(message.payload);
      if (change) deliver(change);
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${PUBLIC_CHANGE_CHANNEL}`);
      if (closed) {
        await current.end();
        return;
      }
      delay = 100;
      if (!connectedOnce) {
        connectedOnce = true;
        lastSeen = Math.max(lastSeen, await latestPublicChangeId(ctx));
        markReady();
      } else {
        options.onReconnect?.();
        for (const change of await publicChangesSince(ctx, lastSeen)) deliver(change);
      }
    } catch (error) {
      scheduleReconnect(current, error as Error);
    }
  };
  void open();

  return {
    ready,
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = null;
      markReady();
      await current?.end().catch(() => {});
    },
  };
}

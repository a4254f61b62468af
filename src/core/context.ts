import type { Config } from "./config.ts";
import type { FieldCipher } from "./crypto.ts";
import type { Db } from "./db/database.ts";
import type { FileStore } from "./storage.ts";

/** What services need from the running platform, handed to them explicitly. */
export interface AppContext {
  db: Db;
  config: Config;
  files: FileStore;
  cipher: FieldCipher;
}

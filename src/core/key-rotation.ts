import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { sql } from "kysely";
import { audit } from "./audit.ts";
import type { AppContext } from "./context.ts";
import { type FieldCipher, fieldCipher, loadRetiredKeys } from "./crypto.ts";
import { UserError } from "./errors.ts";

/**
 * The encrypted columns re-sealed on rotation. A column missing here is not lost: retired keys
 * stay in the key ring and still decrypt it; it is simply not moved to the new key yet.
 */
export const ENCRYPTED_COLUMNS: { table: string; columns: string[] }[] = [
  { table: "users", columns: ["phone_enc", "totp_secret_enc"] },
  { table: "info_requests", columns: ["id_number_enc", "phone_enc", "address_enc"] },
];

/**
 * `zhengwu keys rotate`: a new field key becomes current, the old one is retired (kept, so older
 * values and the blind index keep working), then every known encrypted value is re-sealed under the
 * new key in batches, with progress. Safe to run again after an interruption.
 */
export async function rotateFieldKey(
  ctx: AppContext,
  log: (line: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ resealed: number; cipher: FieldCipher }> {
  if (env.ZHENGWU_FIELD_KEY)
    throw new UserError(
      "密钥由环境变量 ZHENGWU_FIELD_KEY 提供时，请在密钥管理系统中轮换，本命令只轮换密钥文件",
    );
  const dir = path.join(ctx.config.dataDir, "keys");
  const currentFile = path.join(dir, "field.key");
  const old = (await readFile(currentFile, "utf8")).trim();
  await mkdir(path.join(dir, "retired"), { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  await writeFile(path.join(dir, "retired", `field-${stamp}.key`), `${old}\n`, { mode: 0o600, flag: "wx" });
  const next = randomBytes(32);
  await writeFile(`${currentFile}.new`, `${next.toString("base64")}\n`, { mode: 0o600 });
  await rename(`${currentFile}.new`, currentFile);
  const cipher = fieldCipher(next, ctx.config.fieldAlgorithm, await loadRetiredKeys(ctx.config.dataDir));
  log("已生成新的字段加密密钥，旧密钥已归档到 keys/retired/");

  let resealed = 0;
  for (const { table, columns } of ENCRYPTED_COLUMNS) {
    let lastId = 0;
    for (;;) {
      const { rows } = await sql<Record<string, Buffer | null> & { id: number }>`
        select id, ${sql.join(columns.map((c) => sql.ref(c)))} from ${sql.table(table)}
        where id > ${lastId} order by id limit 500`.execute(ctx.db);
      if (rows.length === 0) break;
      for (const row of rows) {
        const sets = columns
          .filter((c) => row[c])
          .map((c) => sql`${sql.ref(c)} = ${cipher.encrypt(cipher.decrypt(row[c] as Buffer))}`);
        if (sets.length === 0) continue;
        await sql`update ${sql.table(table)} set ${sql.join(sets)} where id = ${row.id}`.execute(ctx.db);
        resealed += sets.length;
      }
      lastId = rows.at(-1)?.id ?? lastId;
      log(`  ${table}：已处理至第 ${lastId} 行，累计重新加密 ${resealed} 个字段`);
    }
  }
  await audit(ctx, null, "keys.rotated", "field.key", { resealed, via: "cli" });
  log(`完成：共重新加密 ${resealed} 个字段`);
  return { resealed, cipher };
}

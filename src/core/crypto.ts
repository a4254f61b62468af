import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Field encryption for personal data (phones now; ID numbers and addresses later), with the key
 * outside the database: ZHENGWU_FIELD_KEY (base64, 32 bytes) or DATA_DIR/keys/field.key, created
 * on first start. AES-256-GCM; a keyed blind index (HMAC-SHA256 under a derived key) allows
 * exact lookup without decrypting. The identity issue adds SM4 and key rotation behind this API.
 */
export interface FieldCipher {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
  blindIndex(plain: string): Buffer;
}

const VERSION = 1;

export function fieldCipher(key: Buffer): FieldCipher {
  if (key.length !== 32) throw new Error("字段加密密钥长度应为 32 字节");
  const encKey = createHmac("sha256", key).update("zhengwu/field-encryption").digest();
  const indexKey = createHmac("sha256", key).update("zhengwu/blind-index").digest();
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", encKey, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
    },
    decrypt(sealed) {
      if (sealed[0] !== VERSION) throw new Error("未知的加密格式版本");
      const decipher = createDecipheriv("aes-256-gcm", encKey, sealed.subarray(1, 13));
      decipher.setAuthTag(sealed.subarray(13, 29));
      return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString("utf8");
    },
    blindIndex(plain) {
      return createHmac("sha256", indexKey).update(plain).digest();
    },
  };
}

export async function loadFieldKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  if (env.ZHENGWU_FIELD_KEY) {
    const key = Buffer.from(env.ZHENGWU_FIELD_KEY, "base64");
    if (key.length !== 32) throw new Error("环境变量 ZHENGWU_FIELD_KEY 应为 32 字节密钥的 base64 编码");
    return key;
  }
  const file = path.join(dataDir, "keys", "field.key");
  try {
    return Buffer.from((await readFile(file, "utf8")).trim(), "base64");
  } catch {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    await writeFile(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    await chmod(file, 0o600);
    return key;
  }
}

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : "****";
}

import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Field encryption for personal data (phones, ID numbers, addresses), with the key outside the
 * database: ZHENGWU_FIELD_KEY (base64, 32 bytes) or DATA_DIR/keys/field.key, created on first
 * start. Two sealed formats, told apart by their first byte so both always decrypt:
 *   1 = AES-256-GCM (iv 12, tag 16);
 *   2 = SM4-CBC with an HMAC-SM3 tag over version, iv and ciphertext (encrypt-then-MAC; 国密,
 *       GB/T 39786-2021), the default for new values.
 * A keyed blind index (HMAC-SHA256 under a derived key) allows exact lookup without decrypting.
 */
export interface FieldCipher {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
  /** The index to store with a new value. */
  blindIndex(plain: string): Buffer;
  /**
   * Every index a stored value may carry, for lookups (`where x_index in (...)`): two while
   * `zhengwu keys rotate --blind-index` moves the index to a new key, otherwise one.
   */
  blindIndexes(plain: string): Buffer[];
}

/**
 * The blind-index key: DATA_DIR/keys/index.key once the index has been rotated, before that the
 * first field key ever used (so installations from before index rotation keep their index);
 * `next` is DATA_DIR/keys/index-next.key while a rotation runs.
 */
export interface IndexKeys {
  current: Buffer;
  next?: Buffer;
}

export const FIELD_ALGORITHMS = ["sm4", "aes-256-gcm"] as const;
export type FieldAlgorithm = (typeof FIELD_ALGORITHMS)[number];

const AES_GCM = 1;
const SM4_CBC_HMAC_SM3 = 2;

/**
 * `retired` keys (newest first) still decrypt values sealed before a rotation; without `index`
 * the blind index stays under the first key ever used (the oldest), so field-key rotations leave
 * it unchanged.
 */
export function fieldCipher(
  key: Buffer,
  algorithm: FieldAlgorithm = "sm4",
  retired: Buffer[] = [],
  index: IndexKeys = { current: retired.at(-1) ?? key },
): FieldCipher {
  const current = sealer(key, algorithm);
  const older = retired.map((k) => sealer(k, algorithm));
  const indexKey = derive(index.current, "zhengwu/blind-index");
  const nextIndexKey = index.next ? derive(index.next, "zhengwu/blind-index") : undefined;
  const hmac = (k: Buffer, plain: string) => createHmac("sha256", k).update(plain).digest();
  return {
    encrypt: current.encrypt,
    decrypt(sealed) {
      try {
        return current.decrypt(sealed);
      } catch (error) {
        for (const old of older) {
          try {
            return old.decrypt(sealed);
          } catch {}
        }
        throw error;
      }
    },
    blindIndex(plain) {
      return hmac(nextIndexKey ?? indexKey, plain);
    },
    blindIndexes(plain) {
      return nextIndexKey ? [hmac(indexKey, plain), hmac(nextIndexKey, plain)] : [hmac(indexKey, plain)];
    },
  };
}

function derive(key: Buffer, label: string): Buffer {
  return createHmac("sha256", key).update(label).digest();
}

function sealer(key: Buffer, algorithm: FieldAlgorithm): Pick<FieldCipher, "encrypt" | "decrypt"> {
  if (key.length !== 32) throw new Error("字段加密密钥长度应为 32 字节");
  const encKey = derive(key, "zhengwu/field-encryption");
  const sm4Key = derive(key, "zhengwu/sm4").subarray(0, 16);
  const sm3MacKey = derive(key, "zhengwu/sm4-hmac-sm3");
  const sm3Tag = (data: Buffer) => createHmac("sm3", sm3MacKey).update(data).digest();
  return {
    encrypt(plain) {
      if (algorithm === "aes-256-gcm") {
        const iv = randomBytes(12);
        const cipher = createCipheriv("aes-256-gcm", encKey, iv);
        const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
        return Buffer.concat([Buffer.from([AES_GCM]), iv, cipher.getAuthTag(), body]);
      }
      const iv = randomBytes(16);
      const cipher = createCipheriv("sm4-cbc", sm4Key, iv);
      const head = Buffer.concat([
        Buffer.from([SM4_CBC_HMAC_SM3]),
        iv,
        cipher.update(plain, "utf8"),
        cipher.final(),
      ]);
      return Buffer.concat([head, sm3Tag(head)]);
    },
    decrypt(sealed) {
      if (sealed[0] === AES_GCM) {
        const decipher = createDecipheriv("aes-256-gcm", encKey, sealed.subarray(1, 13));
        decipher.setAuthTag(sealed.subarray(13, 29));
        return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString("utf8");
      }
      if (sealed[0] === SM4_CBC_HMAC_SM3 && sealed.length >= 1 + 16 + 16 + 32) {
        const head = sealed.subarray(0, sealed.length - 32);
        if (!timingSafeEqual(sm3Tag(head), sealed.subarray(sealed.length - 32)))
          throw new Error("加密字段的完整性校验失败");
        const decipher = createDecipheriv("sm4-cbc", sm4Key, head.subarray(1, 17));
        return Buffer.concat([decipher.update(head.subarray(17)), decipher.final()]).toString("utf8");
      }
      throw new Error("未知的加密格式版本");
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

/** Retired field keys (DATA_DIR/keys/retired/field-*.key), newest first. */
export async function loadRetiredKeys(dataDir: string): Promise<Buffer[]> {
  const dir = path.join(dataDir, "keys", "retired");
  const names = await readdir(dir).catch(() => [] as string[]);
  const files = names
    .filter((n) => /^field-[\w.-]+\.key$/.test(n))
    .sort()
    .reverse();
  return Promise.all(
    files.map(async (f) => Buffer.from((await readFile(path.join(dir, f), "utf8")).trim(), "base64")),
  );
}

async function optionalKey(file: string): Promise<Buffer | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) throw new Error(`密钥文件 ${file} 应为 32 字节密钥的 base64 编码`);
  return key;
}

/** The whole key ring as the key files (or ZHENGWU_FIELD_KEY) stand now; read at start and on every tick. */
export async function loadCipher(
  dataDir: string,
  algorithm: FieldAlgorithm,
  env: NodeJS.ProcessEnv = process.env,
): Promise<FieldCipher> {
  const key = await loadFieldKey(dataDir, env);
  const retired = await loadRetiredKeys(dataDir);
  const keys = path.join(dataDir, "keys");
  const current = (await optionalKey(path.join(keys, "index.key"))) ?? retired.at(-1) ?? key;
  const next = await optionalKey(path.join(keys, "index-next.key"));
  return fieldCipher(key, algorithm, retired, next ? { current, next } : { current });
}

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : "****";
}

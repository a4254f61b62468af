import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  type Hmac,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, mkdir, open, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { UserError } from "./errors.ts";

/**
 * The backup archive's outer layer: MAGIC, a 4-byte header length, a plaintext JSON header (format,
 * salt, iv, key fingerprint), then the gzip stream of frames encrypted with SM4-CTR, then an
 * HMAC-SM3 tag over everything before it (encrypt-then-MAC). The backup key lives outside the
 * database: ZHENGWU_BACKUP_KEY (base64, 32 bytes) or DATA_DIR/keys/backup.key.
 */
export const MAGIC = Buffer.from("ZWBACKUP");
export const TAG_BYTES = 32;

export interface ArchiveHeader {
  format: 1;
  cipher: "sm4-ctr+hmac-sm3";
  salt: string;
  iv: string;
  keyId: string;
  createdAt: string;
}

export async function loadBackupKey(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  createIfMissing: boolean,
): Promise<Buffer> {
  if (env.ZHENGWU_BACKUP_KEY) {
    const key = Buffer.from(env.ZHENGWU_BACKUP_KEY, "base64");
    if (key.length !== 32) throw new UserError("环境变量 ZHENGWU_BACKUP_KEY 应为 32 字节密钥的 base64 编码");
    return key;
  }
  const file = path.join(dataDir, "keys", "backup.key");
  try {
    const key = Buffer.from((await readFile(file, "utf8")).trim(), "base64");
    if (key.length !== 32) throw new UserError(`备份密钥文件 ${file} 内容不是 32 字节密钥的 base64 编码`);
    return key;
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (!createIfMissing)
      throw new UserError(
        `找不到备份密钥：请把原实例的 keys/backup.key 复制到 ${path.dirname(file)}/，或设置环境变量 ZHENGWU_BACKUP_KEY。未做任何改动`,
      );
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    await writeFile(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    await chmod(file, 0o600);
    return key;
  }
}

/** A short public fingerprint of the key, so a wrong key is told apart from a damaged file. */
export function backupKeyId(key: Buffer): string {
  return createHmac("sm3", key).update("zhengwu/backup-key-id").digest("hex").slice(0, 16);
}

function archiveKeys(key: Buffer, salt: Buffer): { sm4: Buffer; mac: Buffer } {
  const derive = (label: string) => createHmac("sm3", key).update(label).update(salt).digest();
  return { sm4: derive("zhengwu/backup-sm4").subarray(0, 16), mac: derive("zhengwu/backup-hmac-sm3") };
}

function headerBytes(header: ArchiveHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, length, json]);
}

/** Starts an archive: the header to write first, the encrypting transform, and the final tag. */
export function sealArchive(key: Buffer): { head: Buffer; encrypt: Transform; tag: () => Buffer } {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const keys = archiveKeys(key, salt);
  const head = headerBytes({
    format: 1,
    cipher: "sm4-ctr+hmac-sm3",
    salt: salt.toString("base64"),
    iv: iv.toString("base64"),
    keyId: backupKeyId(key),
    createdAt: new Date().toISOString(),
  });
  const mac = createHmac("sm3", keys.mac).update(head);
  const cipher = createCipheriv("sm4-ctr", keys.sm4, iv);
  const encrypt = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const out = cipher.update(chunk);
      mac.update(out);
      done(null, out);
    },
    flush(done) {
      const out = cipher.final();
      mac.update(out);
      done(null, out);
    },
  });
  return { head, encrypt, tag: () => mac.digest() };
}

export interface OpenedArchive {
  header: ArchiveHeader;
  /** The decrypted, decompressed frame stream; `verifyTag` afterwards confirms nothing changed. */
  plaintext(): { stream: Readable; verifyTag: () => boolean };
}

const TAMPERED = "备份文件的完整性校验失败：文件已损坏或被篡改。未做任何改动";

/**
 * Checks an archive before anything is touched: the format, that `key` is the one it was made
 * with, and the HMAC tag over the whole file (one streaming pass).
 */
export async function openArchive(file: string, key: Buffer): Promise<OpenedArchive> {
  const size = (await stat(file).catch(() => null))?.size;
  if (size === undefined) throw new UserError(`找不到备份文件：${file}`);
  const handle = await open(file, "r");
  let prefix: Buffer;
  let header: ArchiveHeader;
  let tag: Buffer;
  try {
    const start = Buffer.alloc(12);
    await handle.read(start, 0, 12, 0);
    if (size < 12 + TAG_BYTES || !start.subarray(0, 8).equals(MAGIC))
      throw new UserError(`${file} 不是政务平台的备份文件`);
    const length = start.readUInt32BE(8);
    if (length > 64 * 1024 || 12 + length + TAG_BYTES >= size) throw new UserError(TAMPERED);
    const json = Buffer.alloc(length);
    await handle.read(json, 0, length, 12);
    try {
      header = JSON.parse(json.toString("utf8")) as ArchiveHeader;
    } catch {
      throw new UserError(TAMPERED);
    }
    prefix = Buffer.concat([start, json]);
    tag = Buffer.alloc(TAG_BYTES);
    await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await handle.close();
  }
  if (header.format !== 1 || header.cipher !== "sm4-ctr+hmac-sm3")
    throw new UserError("备份文件的格式版本不受支持，请用生成它的版本恢复");
  if (header.keyId !== backupKeyId(key))
    throw new UserError(
      `备份密钥与该备份不匹配（备份所用密钥指纹 ${header.keyId}，当前密钥指纹 ${backupKeyId(key)}）：请使用生成该备份时的 keys/backup.key 或 ZHENGWU_BACKUP_KEY。未做任何改动`,
    );
  const keys = archiveKeys(key, Buffer.from(header.salt, "base64"));
  const body = { start: prefix.length, end: size - TAG_BYTES - 1 };
  const newMac = () => createHmac("sm3", keys.mac).update(prefix);

  const mac = newMac();
  for await (const chunk of createReadStream(file, body)) mac.update(chunk as Buffer);
  if (!timingSafeEqual(mac.digest(), tag)) throw new UserError(TAMPERED);

  return {
    header,
    plaintext() {
      const again: Hmac = newMac();
      const decipher = createDecipheriv("sm4-ctr", keys.sm4, Buffer.from(header.iv, "base64"));
      const decrypt = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          again.update(chunk);
          done(null, decipher.update(chunk));
        },
        flush(done) {
          done(null, decipher.final());
        },
      });
      const gunzip = createGunzip();
      // the consumer sees any error through the last stream, which pipeline destroys with it
      pipeline(createReadStream(file, body), decrypt, gunzip).catch(() => {});
      return { stream: gunzip, verifyTag: () => timingSafeEqual(again.digest(), tag) };
    },
  };
}

/** Frames inside the archive: a type letter, a 4-byte length, the payload. */
export type FrameType = "M" | "T" | "R" | "S" | "F" | "D" | "E" | "Z";

export function frame(type: FrameType, payload: Buffer | string): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly source: AsyncIterator<Buffer>;

  constructor(stream: Readable) {
    this.source = stream[Symbol.asyncIterator]();
  }

  private async take(n: number): Promise<Buffer | null> {
    while (this.buffered < n) {
      const next = await this.source.next();
      if (next.done) return null;
      this.chunks.push(next.value);
      this.buffered += next.value.length;
    }
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.buffered = all.length - n;
    return all.subarray(0, n);
  }

  async next(): Promise<{ type: FrameType; payload: Buffer } | null> {
    const head = await this.take(5);
    if (!head) return null;
    const payload = await this.take(head.readUInt32BE(1));
    if (!payload) throw new UserError(TAMPERED);
    return { type: head.toString("latin1", 0, 1) as FrameType, payload };
  }
}

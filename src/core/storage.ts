import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileTypeFromBuffer } from "file-type";
import { UserError } from "./errors.ts";

/** What may be uploaded: the type is decided by the bytes, and the name must agree with it. */
const ALLOWED: Record<string, { mime: string; inline: boolean }> = {
  pdf: { mime: "application/pdf", inline: false },
  png: { mime: "image/png", inline: true },
  jpg: { mime: "image/jpeg", inline: true },
  jpeg: { mime: "image/jpeg", inline: true },
  gif: { mime: "image/gif", inline: true },
  webp: { mime: "image/webp", inline: true },
  docx: { mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", inline: false },
  xlsx: { mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", inline: false },
  pptx: { mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation", inline: false },
  doc: { mime: "application/msword", inline: false },
  xls: { mime: "application/vnd.ms-excel", inline: false },
  ofd: { mime: "application/ofd", inline: false },
  txt: { mime: "text/plain; charset=utf-8", inline: false },
  csv: { mime: "text/csv; charset=utf-8", inline: false },
};

/** Magic-byte types that may stand behind each extension. */
const SNIFFED: Record<string, string[]> = {
  pdf: ["pdf"],
  png: ["png"],
  jpg: ["jpg"],
  jpeg: ["jpg"],
  gif: ["gif"],
  webp: ["webp"],
  docx: ["docx", "zip"],
  xlsx: ["xlsx", "zip"],
  pptx: ["pptx", "zip"],
  doc: ["cfb"],
  xls: ["cfb"],
  ofd: ["zip"],
  txt: [],
  csv: [],
};

export interface StoredFile {
  filename: string;
  mime: string;
  size: number;
  sha256: string;
  storageKey: string;
}

export const ALLOWED_EXTENSIONS = Object.keys(ALLOWED);

/** Keeps a name readable but harmless: no paths, control characters or quotes. */
export function safeFilename(name: string): string {
  const base = path.basename(name.replaceAll("\\", "/"));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we strip
  const cleaned = base.replace(/[\u0000-\u001f\u007f"<>|:*?/]/g, "_").trim();
  return cleaned.slice(-120) || "附件";
}

export class FileStore {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  /** Checks an upload without writing anything; throws a UserError explaining what is wrong. */
  async check(originalName: string, data: Buffer, maxBytes: number): Promise<StoredFile> {
    const filename = safeFilename(originalName);
    const ext = path.extname(filename).slice(1).toLowerCase();
    const allowed = ALLOWED[ext];
    if (!allowed)
      throw new UserError(`不支持上传“.${ext || "无扩展名"}”文件，可上传：${ALLOWED_EXTENSIONS.join("、")}`);
    if (data.length === 0) throw new UserError(`文件“${filename}”是空文件`);
    if (data.length > maxBytes) {
      throw new UserError(`文件“${filename}”超过大小上限 ${Math.round(maxBytes / 1024 / 1024)} MB`);
    }
    const sniffed = await fileTypeFromBuffer(data);
    const expected = SNIFFED[ext] ?? [];
    const ok =
      expected.length === 0 ? !sniffed && isUtf8Text(data) : !!sniffed && expected.includes(sniffed.ext);
    if (!ok) throw new UserError(`文件“${filename}”的内容与扩展名不符，请检查后重新上传`);
    const sha256 = createHash("sha256").update(data).digest("hex");
    const storageKey = `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
    return { filename, mime: allowed.mime, size: data.length, sha256, storageKey };
  }

  /** Writes checked files, named by content hash (the same bytes are stored once). */
  async write(file: StoredFile, data: Buffer): Promise<void> {
    const target = path.join(this.root, file.storageKey);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, data);
    await rename(temp, target);
  }

  async save(originalName: string, data: Buffer, maxBytes: number): Promise<StoredFile> {
    const file = await this.check(originalName, data, maxBytes);
    await this.write(file, data);
    return file;
  }

  open(storageKey: string) {
    if (!/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(storageKey)) throw new Error("invalid storage key");
    return createReadStream(path.join(this.root, storageKey));
  }

  async exists(storageKey: string): Promise<boolean> {
    return stat(path.join(this.root, storageKey)).then(
      () => true,
      () => false,
    );
  }
}

export function isInlineType(mime: string): boolean {
  return Object.values(ALLOWED).some((a) => a.mime === mime && a.inline);
}

function isUtf8Text(data: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    return false;
  }
  return !data.includes(0) && !/<\s*(script|html|svg|iframe)/i.test(data.subarray(0, 4096).toString("utf8"));
}

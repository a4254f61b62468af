import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { UserError } from "./errors.ts";
import { FileStore, safeFilename } from "./storage.ts";

const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

describe("file store", () => {
  let dir: string;
  let store: FileStore;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "zw-files-"));
    store = new FileStore(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("keeps names readable but strips paths and control characters", () => {
    assert.equal(safeFilename("../../etc/passwd"), "passwd");
    assert.equal(safeFilename("C:\\temp\\通知.pdf"), "通知.pdf");
    assert.equal(safeFilename('a"b<c>.pdf'), "a_b_c_.pdf");
    assert.equal(safeFilename(""), "附件");
  });

  it("stores by content hash when the bytes match the extension", async () => {
    const saved = await store.save("通知.pdf", PDF, 1024 * 1024);
    assert.equal(saved.mime, "application/pdf");
    assert.match(saved.storageKey, /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
    assert.deepEqual(await readFile(path.join(dir, saved.storageKey)), PDF);
  });

  it("rejects disguised, unknown, empty and oversized files with Chinese messages", async () => {
    const cases: [string, Buffer, RegExp][] = [
      ["fake.pdf", Buffer.from("<html><script>alert(1)</script></html>"), /内容与扩展名不符/],
      ["page.html", Buffer.from("<p>hi</p>"), /不支持上传/],
      ["notes.txt", Buffer.from("<script>alert(1)</script>"), /内容与扩展名不符/],
      ["empty.pdf", Buffer.alloc(0), /空文件/],
      ["big.pdf", Buffer.concat([PDF, Buffer.alloc(2048)]), /超过大小上限/],
    ];
    for (const [name, data, message] of cases) {
      await assert.rejects(
        store.save(name, data, 1024),
        (e: unknown) => e instanceof UserError && message.test(e.message),
        name,
      );
    }
  });
});

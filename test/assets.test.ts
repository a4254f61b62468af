import assert from "node:assert/strict";
import { get } from "node:http";
import { after, before, describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { startTestPlatform, type TestPlatform } from "./support/platform.ts";

/** The raw bytes and headers of a GET (fetch would decompress them). */
function raw(
  url: string,
  encoding: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { "accept-encoding": encoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    }).on("error", reject);
  });
}

describe("precompressed fingerprinted assets", () => {
  let p: TestPlatform;
  let assets: string[];
  before(async () => {
    p = await startTestPlatform("demo");
    const home = await (await fetch(`${p.baseUrl}/`)).text();
    assets = [...home.matchAll(/(?:href|src)="(\/assets\/[^"]+\.[0-9a-f]{12}\.(?:css|js))"/g)].map(
      (m) => m[1] ?? "",
    );
  });
  after(() => p.close());

  it("serves brotli or gzip by Accept-Encoding, decompressing to the same bytes, cached immutably", async () => {
    assert.ok(assets.some((a) => a.endsWith(".css")) && assets.some((a) => a.endsWith(".js")), assets.join());
    for (const asset of assets) {
      const plain = await raw(`${p.baseUrl}${asset}`, "identity");
      assert.equal(plain.status, 200);
      assert.equal(plain.headers["content-encoding"], undefined);
      assert.ok(plain.body.length > 100);
      const br = await raw(`${p.baseUrl}${asset}`, "gzip, deflate, br");
      assert.equal(br.headers["content-encoding"], "br", asset);
      assert.ok(br.body.length < plain.body.length);
      assert.deepEqual(brotliDecompressSync(br.body), plain.body);
      const gz = await raw(`${p.baseUrl}${asset}`, "gzip");
      assert.equal(gz.headers["content-encoding"], "gzip", asset);
      assert.deepEqual(gunzipSync(gz.body), plain.body);
      for (const r of [plain, br, gz]) {
        assert.equal(r.headers["cache-control"], "public, max-age=31536000, immutable", asset);
        assert.match(String(r.headers.vary), /accept-encoding/i);
        assert.match(String(r.headers["content-type"]), asset.endsWith(".css") ? /text\/css/ : /javascript/);
      }
    }
  });

  it("keeps a short lifetime for assets whose names do not change", async () => {
    const icon = await raw(`${p.baseUrl}/assets/favicon.svg`, "br");
    assert.equal(icon.status, 200);
    assert.doesNotMatch(String(icon.headers["cache-control"]), /immutable/);
  });
});

import assert from "node:assert/strict";
import { get } from "node:http";
import { after, before, describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { Actor } from "../src/core/auth/permissions.ts";
import { createDocument, submitForReview } from "../src/modules/content/service.ts";
import { loadActor } from "../src/modules/identity/service.ts";
import {
  columnId,
  staffClient,
  staffWith,
  startTestPlatform,
  type TestPlatform,
} from "./support/platform.ts";

const CACHE_ON = { RENDER_CACHE_MB: "16", RENDER_CACHE_SECONDS: "600" };

/** Fetches `url` until `ok` holds for the response (polling with a deadline, never a blind sleep). */
async function until(
  url: string,
  ok: (r: Response, body: string) => boolean,
  what: string,
  init?: RequestInit,
) {
  const deadline = Date.now() + 8000;
  let last = "";
  while (Date.now() < deadline) {
    const response = await fetch(url, init);
    const body = await response.text();
    if (ok(response, body)) return { response, body };
    last = `${response.status} ${response.headers.get("x-render-cache")}`;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`${what}: never happened (last: ${last})`);
}

const hit = (r: Response) => r.headers.get("x-render-cache") === "hit";

describe("the render cache, across two app instances on one database", () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let documentId: number;
  let articlePath: string;
  let oldTitle: string;
  let siteCode: string;

  before(async () => {
    a = await startTestPlatform("demo", { env: CACHE_ON });
    b = await startTestPlatform("demo", { env: CACHE_ON, database: a.database });
    // a notice of 市人社局 in a column without review chain, so saving and submitting publishes it
    const column = await columnId(a.ctx, "rsj", "tzgg");
    await a.ctx.db.updateTable("columns").set({ review_steps: [] }).where("id", "=", column).execute();
    const author = await staffWith(a.ctx, [{ role: "site_admin" }], "cacheauthor");
    const actor = (await loadActor(a.ctx, author.id)) as Actor;
    oldTitle = "关于缓存测试的通知（旧版）";
    documentId = await createDocument(a.ctx, actor, {
      columnId: column,
      type: "notice",
      title: oldTitle,
      summary: "",
      bodyHtml: "<p>旧版本正文。</p>",
      metadata: { source: "市人社局" },
      attachmentIds: [],
    });
    await submitForReview(a.ctx, actor, documentId, null);
    siteCode = "rsj";
    articlePath = `/sites/rsj/art/${documentId}.html`;
  });
  after(async () => {
    await b.close();
    await a.close();
  });

  it("keeps an anonymous page in each instance and answers revisits from it", async () => {
    for (const p of [a, b]) {
      const { body } = await until(`${p.baseUrl}${articlePath}`, hit, "a cache hit");
      assert.ok(body.includes(oldTitle));
    }
    const cached = await fetch(`${b.baseUrl}${articlePath}`);
    assert.ok(hit(cached));
    // answered before Fastify's hooks run, so the stored security headers must come along
    assert.match(cached.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    assert.equal(cached.headers.get("x-content-type-options"), "nosniff");
    assert.equal(cached.headers.get("content-type"), "text/html; charset=utf-8");
    const lastModified = cached.headers.get("last-modified") ?? "";
    assert.ok(Date.parse(lastModified) > 0, "Last-Modified is an HTTP date");
    assert.equal(
      cached.headers.get("cache-control"),
      "public, max-age=0, s-maxage=60, stale-while-revalidate=300",
    );
    const etag = cached.headers.get("etag") ?? "";
    const byEtag = await fetch(`${b.baseUrl}${articlePath}`, { headers: { "if-none-match": etag } });
    assert.equal(byEtag.status, 304);
    const byDate = await fetch(`${b.baseUrl}${articlePath}`, {
      headers: { "if-modified-since": lastModified },
    });
    assert.equal(byDate.status, 304);
    const older = new Date(Date.parse(lastModified) - 1000).toUTCString();
    const stale = await fetch(`${b.baseUrl}${articlePath}`, { headers: { "if-modified-since": older } });
    assert.equal(stale.status, 200);
  });

  it("compresses a cached page once and sends those bytes on later hits", async () => {
    const raw = (encoding: string) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        get(`${a.baseUrl}${articlePath}`, { headers: { "accept-encoding": encoding } }, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (c: Buffer) => chunks.push(c));
          response.on("end", () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
        }).on("error", reject);
      });
    const plain = await until(`${a.baseUrl}${articlePath}`, hit, "a cache hit", {
      headers: { "accept-encoding": "identity" },
    });
    for (const [encoding, decompress] of [
      ["br", brotliDecompressSync],
      ["gzip", gunzipSync],
    ] as const) {
      const deadline = Date.now() + 8000;
      let sent = await raw(encoding);
      while (!(sent.headers["content-encoding"] === encoding && sent.headers["x-render-cache"] === "hit")) {
        assert.ok(Date.now() < deadline, `never sent precompressed ${encoding}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
        sent = await raw(encoding);
      }
      assert.equal(decompress(sent.body).toString(), plain.body);
      assert.equal(sent.headers.etag, plain.response.headers.get("etag"));
      assert.ok((await raw(encoding)).body.equals(sent.body), `${encoding}: the same bytes on the next hit`);
    }
  });

  it("never serves or keeps a personal page", async () => {
    const prefs = await fetch(`${a.baseUrl}${articlePath}`, { headers: { cookie: "zw_a11y=t2" } });
    assert.equal(prefs.headers.get("x-render-cache"), null);
    assert.equal(prefs.headers.get("cache-control"), "private, no-cache");
    const editor = await staffWith(a.ctx, [{ role: "site_admin" }], "cacheviewer");
    const client = await staffClient(a, editor.username);
    const signedIn = await client.request(articlePath);
    assert.equal(signedIn.headers.get("x-render-cache"), null);
    // a form page sets its CSRF cookie: rendered for each visitor, never kept
    for (let i = 0; i < 2; i++) {
      const form = await fetch(`${a.baseUrl}/sites/${siteCode}/ysqgk/`);
      assert.equal(form.headers.get("x-render-cache"), null);
    }
    const missing = await fetch(`${a.baseUrl}/sites/${siteCode}/art/999999.html`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-render-cache"), null);
  });

  it("after publishing through instance A, instance B serves the new version", async () => {
    // a page of another site, cached in B: a change to 市人社局 leaves it be
    const other = siteCode === "gjj" ? "/sites/rsj/" : "/sites/gjj/";
    await until(`${b.baseUrl}${other}`, hit, "the other site's home cached");
    await until(`${b.baseUrl}/`, hit, "the portal home cached");

    const admin = await staffWith(a.ctx, [{ role: "site_admin" }], "cachepublisher");
    const client = await staffClient(a, admin.username);
    const editor = `/admin/documents/${documentId}`;
    const newTitle = "人社局缓存失效测试新标题";
    const saved = await client.submit(editor, editor, {
      title: newTitle,
      summary: "",
      bodyHtml: "<p>新版本正文。</p>",
    });
    assert.equal(saved.status, 303, saved.text.slice(0, 500));
    assert.equal((await client.submit(editor, `${editor}/submit`, { publishAt: "" })).status, 303);
    const live = await a.ctx.db
      .selectFrom("documents as d")
      .innerJoin("document_versions as v", "v.id", "d.live_version_id")
      .select("v.title")
      .where("d.id", "=", documentId)
      .executeTakeFirstOrThrow();
    assert.equal(live.title, newTitle, "published at once (no review chain)");

    for (const p of [b, a]) {
      await until(`${p.baseUrl}${articlePath}`, (_r, body) => body.includes(newTitle), "the new version");
      const { body } = await until(`${p.baseUrl}${articlePath}`, hit, "the new version cached again");
      assert.match(body, new RegExp(newTitle));
    }
    assert.ok(hit(await fetch(`${b.baseUrl}${other}`)), "another site's page stays cached");
    const portal = await fetch(`${b.baseUrl}/`);
    await portal.text();
    assert.equal(
      portal.headers.get("x-render-cache"),
      "miss",
      "the portal, which gathers from every site, is not",
    );
  });
});

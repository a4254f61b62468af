import assert from "node:assert/strict";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { liveInSiteForSitemap } from "../src/modules/content/public.ts";
import { startMirrorUpdates } from "../src/modules/mirror/auto.ts";
import { linksIn, mirrorFile, mirrorKey } from "../src/modules/mirror/layout.ts";
import {
  type Manifest,
  type PublishReport,
  readManifest,
  updateMirror,
} from "../src/modules/mirror/publish.tsx";
import { listSites } from "../src/modules/sites/service.ts";
import { nginxInstalled, startNginx } from "./support/nginx.ts";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function htmlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".html"))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The app's bytes for an anonymous GET, as a browser without compression receives them. */
async function fromApp(p: TestPlatform, url: string): Promise<Buffer> {
  const response = await fetch(`${p.baseUrl}${url}`, { headers: { "accept-encoding": "identity" } });
  assert.equal(response.status, 200, url);
  return Buffer.from(await response.arrayBuffer());
}

const changedKeys = (before: Manifest, after: Manifest) =>
  Object.keys(after.entries).filter((k) => before.entries[k]?.sha256 !== after.entries[k]?.sha256);

describe("static mirror (静态发布)", () => {
  let p: TestPlatform;
  let dir: string;
  let first: PublishReport;
  before(async () => {
    p = await startTestPlatform("demo");
    dir = await mkdtemp(path.join(tmpdir(), "zhengwu-mirror-"));
    // nginx's workers (nobody, when started as root) must be able to read it
    await chmod(dir, 0o755);
    first = await updateMirror(p.ctx, p.app, dir);
  });
  after(async () => {
    await p.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("holds every site's home, every document and every page of every column list", async () => {
    const manifest = (await readManifest(dir)) as Manifest;
    const keys = new Set(Object.keys(manifest.entries));
    let documents = 0;
    for (const site of await listSites(p.ctx)) {
      const base = site.kind === "portal" ? "" : `/sites/${site.code}`;
      assert.ok(keys.has(`${base}/`), `${base}/`);
      assert.ok(keys.has(`${base}/sitemap.xml`));
      for (const doc of await liveInSiteForSitemap(p.ctx, site.id)) {
        documents += 1;
        assert.ok(keys.has(`${base}/art/${doc.id}.html`), `${base}/art/${doc.id}.html`);
      }
    }
    const articles = [...keys].filter((k) => /\/art\/\d+\.html$/.test(k)).length;
    assert.equal(articles, documents, "exactly the live documents, each in every site that shows it");
    assert.ok(keys.has("/col/zcwj/index_2.html"), "further pages of a long list");
    assert.ok(first.pages > 1000, `pages: ${first.pages}`);
    assert.equal(first.written, Object.keys(manifest.entries).length);
    assert.deepEqual(first.broken, []);
  });

  it("leaves no same-site link pointing at a page the mirror lacks", async () => {
    const missing: string[] = [];
    const files = await htmlFiles(dir);
    const stored = new Set(
      (await readdir(dir, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name))),
    );
    for (const file of files) {
      const html = await readFile(file, "utf8");
      const from = `/${path.relative(dir, file)}`;
      for (const href of linksIn(html, "text/html")) {
        const key = mirrorKey(href, from);
        const target = key && mirrorFile(key);
        if (target && !stored.has(target)) missing.push(`${from} → ${href}`);
      }
    }
    assert.deepEqual(missing.slice(0, 10), []);
    assert.ok(files.length > 1000);
  });

  it("stores exactly the bytes the app serves", async () => {
    const rsjDoc = (await liveInSiteForSitemap(p.ctx, await siteId(p.ctx, "rsj")))[0]?.id;
    for (const url of [
      "/",
      "/col/zcwj/",
      "/col/zcwj/index_2.html",
      `/sites/rsj/art/${rsjDoc}.html`,
      "/zcwjk/",
    ]) {
      const file = mirrorFile(url) as string;
      const stored = await readFile(path.join(dir, file));
      if (url === "/zcwjk/") continue; // its query form is replaced; checked below
      assert.ok(stored.equals(await fromApp(p, url)), url);
    }
    const css = (await readFile(path.join(dir, "index.html"), "utf8")).match(/\/assets\/site\.\w+\.css/)?.[0];
    assert.ok(css);
    assert.ok((await readFile(path.join(dir, css))).equals(await fromApp(p, css)));
  });

  it("replaces forms with a notice that the service is unavailable, keeping the site search box", async () => {
    const write = await readFile(path.join(dir, "xj/write/index.html"), "utf8");
    assert.doesNotMatch(write, /<form method="post"/);
    assert.match(write, /此项在线服务暂时无法使用/);
    assert.match(write, /12345/);
    assert.match(write, /class="masthead-search"/);
    const search = await readFile(path.join(dir, "search/index.html"), "utf8");
    assert.match(search, /站内搜索暂时无法使用/);
    const login = await readFile(path.join(dir, "account/login/index.html"), "utf8");
    assert.match(login, /暂时无法使用/);
    assert.doesNotMatch(login, /name="password"/);
    assert.match(await readFile(path.join(dir, "unavailable.html"), "utf8"), /提交的内容没有送达/);
    assert.match(await readFile(path.join(dir, "404.html"), "utf8"), /页面不存在/);
  });

  it("on the next run rewrites only the pages that show a changed document, and drops a withdrawn one", async () => {
    const before = (await readManifest(dir)) as Manifest;
    const doc = await p.ctx.db
      .selectFrom("documents")
      .select(["id", "live_version_id"])
      .where("site_id", "=", await siteId(p.ctx, "rsj"))
      .where("live_version_id", "is not", null)
      .orderBy("first_published_at", "desc")
      .executeTakeFirstOrThrow();
    const title = "人社局发布镜像测试用的新标题";
    // what approving a new version does to the data: a new approved version becomes the live one
    const live = await p.ctx.db
      .selectFrom("document_versions")
      .selectAll()
      .where("id", "=", doc.live_version_id as number)
      .executeTakeFirstOrThrow();
    const { id: _old, ...copy } = live;
    const next = await p.ctx.db
      .insertInto("document_versions")
      .values({
        ...copy,
        number: live.number + 1,
        title,
        metadata: JSON.stringify(live.metadata) as unknown as Record<string, string>,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await p.ctx.db
      .updateTable("documents")
      .set({ live_version_id: next.id, live_changed_at: new Date() })
      .where("id", "=", doc.id)
      .execute();
    const second = await updateMirror(p.ctx, p.app, dir);
    assert.equal(second.mode, "incremental");
    const after = (await readManifest(dir)) as Manifest;
    const changed = changedKeys(before, after);
    assert.ok(changed.includes(`/sites/rsj/art/${doc.id}.html`), changed.join(" "));
    for (const key of changed) {
      const text = await readFile(path.join(dir, after.entries[key]?.file as string), "utf8");
      // a sitemap.xml changes by the document's <lastmod>
      const shows = key.endsWith("/sitemap.xml")
        ? text.includes(`/art/${doc.id}.html`)
        : text.includes(title);
      assert.ok(shows, `${key} changed without showing the new title`);
    }
    assert.equal(second.written, changed.length);
    assert.ok(second.written < 20, `written ${second.written}`);
    assert.equal(second.removed, 0);

    const admin = await staffWith(p.ctx, [{ role: "site_admin" }], "mirrorAdmin");
    const client = await staffClient(p, admin.username);
    const withdrawn = await client.submit(
      `/admin/documents/${doc.id}`,
      `/admin/documents/${doc.id}/withdraw`,
      {
        reason: "镜像测试撤稿",
      },
    );
    assert.equal(withdrawn.status, 303);
    const third = await updateMirror(p.ctx, p.app, dir);
    assert.equal(third.mode, "incremental");
    assert.equal((await updateMirror(p.ctx, p.app, dir)).mode, "unchanged");
    const final = (await readManifest(dir)) as Manifest;
    assert.equal(final.entries[`/sites/rsj/art/${doc.id}.html`], undefined);
    await assert.rejects(readFile(path.join(dir, `sites/rsj/art/${doc.id}.html`)));
    assert.ok(third.removed >= 1);
    for (const key of changedKeys(after, final)) {
      const text = await readFile(path.join(dir, final.entries[key]?.file as string), "utf8");
      assert.ok(!text.includes(title), `${key} still shows the withdrawn document`);
    }
  });

  it("when the app runs with ZHENGWU_MIRROR_DIR, a published change reaches the mirror by itself", async () => {
    const updates = startMirrorUpdates(p.ctx, p.app, dir, 50);
    try {
      const doc = await p.ctx.db
        .selectFrom("documents")
        .select(["id", "live_version_id"])
        .where("site_id", "=", await siteId(p.ctx, "rsj"))
        .where("live_version_id", "is not", null)
        .orderBy("id")
        .executeTakeFirstOrThrow();
      const title = "镜像自动更新的标题";
      await p.ctx.db
        .updateTable("document_versions")
        .set({ title })
        .where("id", "=", doc.live_version_id as number)
        .execute();
      // the version row is not watched; what publishing sets on the document is
      await p.ctx.db
        .updateTable("documents")
        .set({ live_changed_at: new Date() })
        .where("id", "=", doc.id)
        .execute();
      const file = path.join(dir, `sites/rsj/art/${doc.id}.html`);
      let shown = false;
      for (let i = 0; i < 200 && !shown; i++) {
        await new Promise((r) => setTimeout(r, 100));
        shown = (await readFile(file, "utf8")).includes(title);
      }
      assert.ok(shown, "the document page in the mirror shows the new title");
    } finally {
      await updates.close();
    }
  });

  it("behind nginx, keeps serving pages from the mirror when the app is down", {
    skip: !nginxInstalled(),
  }, async () => {
    const work = await mkdtemp(path.join(tmpdir(), "zhengwu-nginx-"));
    const appPort = Number(new URL(p.baseUrl).port);
    const nginx = await startNginx(work, `127.0.0.1:${appPort}`, await freePort(), dir);
    try {
      const live = await fetch(`${nginx.url}/col/zcwj/`);
      assert.equal(live.status, 200);
      assert.equal(live.headers.get("x-zhengwu-mirror"), null, "the app answers while it is up");
      await live.text();

      await p.app.close();
      for (const url of [
        "/",
        "/col/zcwj/",
        "/col/zcwj/index_2.html",
        "/sites/rsj/",
        "/xj/",
        "/sitemap.xml",
      ]) {
        const r = await fetch(`${nginx.url}${url}`);
        assert.equal(r.status, 200, url);
        assert.equal(r.headers.get("x-zhengwu-mirror"), "1", url);
        const body = Buffer.from(await r.arrayBuffer());
        assert.ok(body.equals(await readFile(path.join(dir, mirrorFile(url) as string))), url);
      }
      const paged = await (await fetch(`${nginx.url}/xj/?page=2`)).text();
      assert.ok(paged.includes('aria-current="page">第 2 页'), "a paged list with a query string");
      const form = await fetch(`${nginx.url}/xj/write/`);
      assert.equal(form.status, 200);
      assert.match(await form.text(), /此项在线服务暂时无法使用/);
      const search = await fetch(`${nginx.url}/search?q=${encodeURIComponent("社保")}`);
      assert.match(await search.text(), /站内搜索暂时无法使用/);
      const post = await fetch(`${nginx.url}/xj/write/`, {
        method: "POST",
        body: new URLSearchParams({ a: "1" }),
      });
      assert.equal(post.status, 503);
      assert.match(await post.text(), /提交的内容没有送达/);
      const missing = await fetch(`${nginx.url}/art/999999.html`);
      assert.equal(missing.status, 404);
      assert.match(await missing.text(), /页面不存在/);
      const traversal = await fetch(`${nginx.url}/col/zcwj/?page=../../index`);
      assert.equal(traversal.status, 200, "an unknown query falls back to the page itself");
    } finally {
      await nginx.stop();
      await rm(work, { recursive: true, force: true });
    }
  });
});

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";

describe("HTTP caching of pages", () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform("demo");
  });
  after(() => p.close());

  it("gives each page a validator and answers a revisit with 304 and no body", async () => {
    const first = await fetch(`${p.baseUrl}/col/zcwj/`);
    const etag = first.headers.get("etag") ?? "";
    assert.match(etag, /^W\/"[\w-]+"$/);
    await first.text();
    const again = await fetch(`${p.baseUrl}/col/zcwj/`, { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), "");
    const other = await fetch(`${p.baseUrl}/col/zcwj/`, { headers: { "if-none-match": 'W/"old"' } });
    assert.equal(other.status, 200);
  });

  it("lets shared caches hold anonymous pages, but never a signed-in, personalised or form page", async () => {
    const anonymous = await fetch(`${p.baseUrl}/`);
    assert.equal(
      anonymous.headers.get("cache-control"),
      "public, max-age=0, s-maxage=60, stale-while-revalidate=300",
    );
    assert.match(anonymous.headers.get("vary") ?? "", /Cookie/);

    const withPrefs = await fetch(`${p.baseUrl}/`, { headers: { cookie: "zw_a11y=t2" } });
    assert.equal(withPrefs.headers.get("cache-control"), "private, no-cache");

    const form = await fetch(`${p.baseUrl}/ysqgk/`);
    assert.ok(form.headers.getSetCookie().length > 0, "the form sets its CSRF cookie");
    assert.equal(form.headers.get("cache-control"), "private, no-cache");

    const editor = await staffWith(p.ctx, [{ role: "site_admin" }], "cacheEditor");
    const client = await staffClient(p, editor.username);
    const r = await client.request("/");
    assert.equal(r.headers.get("cache-control"), "private, no-cache");
    const admin = await client.request("/admin");
    assert.doesNotMatch(admin.headers.get("cache-control") ?? "", /public/);
  });

  it("changes the validator when the page changes", async () => {
    const before = (await fetch(`${p.baseUrl}/`)).headers.get("etag");
    await p.ctx.db
      .updateTable("sites")
      .set({ name: "青禾市人民政府门户网站（测试）" })
      .where("kind", "=", "portal")
      .execute();
    const after = (await fetch(`${p.baseUrl}/`)).headers.get("etag");
    assert.notEqual(after, before);
  });

  it("lets caches hold open-data downloads, but never a signed-in user's export", async () => {
    const open = await fetch(`${p.baseUrl}/czyjs/2025.csv`);
    assert.equal(open.status, 200);
    assert.match(open.headers.get("cache-control") ?? "", /^public/);
    const editor = await staffWith(p.ctx, [{ role: "site_admin" }], "exportEditor");
    const client = await staffClient(p, editor.username);
    const r = await client.request("/admin/disclosure/lag/interpretations.csv");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("cache-control"), "private, no-store");
  });
});

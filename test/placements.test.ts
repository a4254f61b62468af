import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createDocument, submitForReview } from "../src/modules/content/service.ts";
import { loadActor } from "../src/modules/identity/service.ts";
import type { HttpClient } from "./support/http.ts";
import {
  columnId,
  siteId,
  staffClient,
  staffWith,
  startTestPlatform,
  type TestPlatform,
} from "./support/platform.ts";

describe("信息资源库: one document shown in several sites by reference", () => {
  let p: TestPlatform;
  let portalEditor: HttpClient;
  let deptEditor: HttpClient;
  let notice: number;
  let portalNotices: number;

  before(async () => {
    p = await startTestPlatform("demo");
    const www = await siteId(p.ctx, "www");
    const rsj = await siteId(p.ctx, "rsj");
    // the portal's site administrator adds a 通知公告 column without review steps
    const admin = await staffWith(p.ctx, [{ role: "site_admin", siteId: www }], "portaladmin");
    const adminClient = await staffClient(p, admin.username);
    const created = await adminClient.submit(`/admin/sites/${www}/columns`, `/admin/sites/${www}/columns`, {
      name: "通知公告",
      slug: "tzgg",
      type: "list",
      columnType: "工作动态",
      parentId: "",
      linkUrl: "",
      updateDays: "180",
      description: "",
      keywords: "",
      step1: "",
      step2: "",
      step3: "",
      position: "50",
      inNav: "1",
    });
    assert.equal(created.status, 303, created.text.slice(0, 400));
    portalNotices = await columnId(p.ctx, "www", "tzgg");
    // 市人社局 publishes a notice in its own site (its column has no review chain in this test)
    const tzgg = await columnId(p.ctx, "rsj", "tzgg");
    await p.ctx.db.updateTable("columns").set({ review_steps: [] }).where("id", "=", tzgg).execute();
    const author = await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "deptEditor");
    const actor = await loadActor(p.ctx, author.id);
    assert.ok(actor);
    notice = await createDocument(p.ctx, actor, {
      columnId: tzgg,
      type: "notice",
      title: "关于2027年度社会保险费缴纳的通知",
      summary: "",
      bodyHtml: "<p>请各参保单位按时缴纳。</p>",
      metadata: { source: "市人社局" },
      attachmentIds: [],
    });
    await submitForReview(p.ctx, actor, notice, null);
    deptEditor = await staffClient(p, author.username);
    const portalAuthor = await staffWith(p.ctx, [{ role: "editor", siteId: www }], "portalEditor");
    portalEditor = await staffClient(p, portalAuthor.username);
  });
  after(() => p.close());

  it("lets a portal editor find a department's published notice and place it in a portal column", async () => {
    const search = await portalEditor.get(
      `/admin/placements?column=${portalNotices}&q=${encodeURIComponent("社会保险费")}`,
    );
    assert.equal(search.status, 200);
    assert.match(search.text, /关于2027年度社会保险费缴纳的通知/);
    const placed = await portalEditor.submit("/admin/placements", "/admin/placements", {
      documentId: String(notice),
      columnId: String(portalNotices),
    });
    assert.equal(placed.status, 303);
    const list = await p.client().get("/col/tzgg/");
    assert.match(list.text, new RegExp(`/art/${notice}\\.html`));
    const inPortal = await p.client().get(`/art/${notice}.html`);
    assert.equal(inPortal.status, 200);
    assert.match(inPortal.text, /<meta name="SiteName" content="青禾市人民政府门户网站"/);
    assert.match(inPortal.text, new RegExp(`rel="canonical" href="[^"]*/sites/rsj/art/${notice}\\.html"`));
    const inDept = await p.client().get(`/sites/rsj/art/${notice}.html`);
    assert.equal(inDept.status, 200);
    const copies = await p.ctx.db.selectFrom("documents").select("id").where("id", "=", notice).execute();
    assert.equal(copies.length, 1, "stored once");
  });

  it("does not show a document in a site where it is not placed", async () => {
    assert.equal((await p.client().get(`/sites/ybj/art/${notice}.html`)).status, 404);
  });

  it("refuses a department editor placing into the portal", async () => {
    const refused = await deptEditor.submit("/admin/documents", "/admin/placements", {
      documentId: String(notice),
      columnId: String(portalNotices),
    });
    assert.equal(refused.status, 403);
  });

  it("removes a reference without touching the document, and never removes the primary column", async () => {
    const primary = await columnId(p.ctx, "rsj", "tzgg");
    const keep = await deptEditor.submit(
      `/admin/documents/${notice}`,
      `/admin/documents/${notice}/placements/${primary}/delete`,
      {},
    );
    assert.equal(keep.status, 400);
    const removed = await portalEditor.submit(
      "/admin/placements",
      `/admin/documents/${notice}/placements/${portalNotices}/delete`,
      {},
    );
    assert.equal(removed.status, 303);
    assert.equal((await p.client().get(`/art/${notice}.html`)).status, 404);
    assert.equal((await p.client().get(`/sites/rsj/art/${notice}.html`)).status, 200);
  });
});

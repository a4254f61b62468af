import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { publishDueVersions } from "../src/modules/content/service.ts";
import type { HttpClient } from "./support/http.ts";
import {
  columnId,
  siteId,
  staffClient,
  staffWith,
  startTestPlatform,
  type TestPlatform,
} from "./support/platform.ts";
import { latestVersion } from "./support/snapshot.ts";

/** China-time "YYYY-MM-DDTHH:MM" for a datetime-local field. */
function chinaLocal(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
}

describe("editorial review over HTTP (市人社局 工作动态: 科室初审 → 办公室终审)", () => {
  let p: TestPlatform;
  let editor: HttpClient;
  let first: HttpClient;
  let second: HttpClient;
  let gzdt: number;
  const visitor = () => p.client();

  before(async () => {
    p = await startTestPlatform("demo");
    const rsj = await siteId(p.ctx, "rsj");
    gzdt = await columnId(p.ctx, "rsj", "gzdt");
    const e = await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "editor");
    const r1 = await staffWith(p.ctx, [{ role: "reviewer", siteId: rsj, reviewLevel: 1 }], "first");
    const r2 = await staffWith(p.ctx, [{ role: "reviewer", siteId: rsj, reviewLevel: 2 }], "second");
    editor = await staffClient(p, e.username);
    first = await staffClient(p, r1.username);
    second = await staffClient(p, r2.username);
  });
  after(() => p.close());

  async function create(title: string, body = "<p>正文内容</p>"): Promise<number> {
    const r = await editor.submit("/admin/documents/new", "/admin/documents/new", {
      type: "news",
      columnId: String(gzdt),
      title,
      summary: "",
      bodyHtml: body,
      "meta.source": "市人社局",
    });
    assert.equal(r.status, 303, r.text.slice(0, 500));
    const id = Number(/\/admin\/documents\/(\d+)/.exec(r.location)?.[1]);
    assert.ok(id > 0);
    return id;
  }
  const submit = (client: HttpClient, id: number, publishAt = "") =>
    client.submit(`/admin/documents/${id}`, `/admin/documents/${id}/submit`, { publishAt });
  const latest = (id: number) => latestVersion(p.ctx.db, id);
  async function decide(client: HttpClient, id: number, decision: "approve" | "reject", comment = "") {
    const version = await latest(id);
    return client.submit(`/admin/documents/${id}`, `/admin/versions/${version.id}/decide`, {
      decision,
      comment,
    });
  }
  async function publicState(id: number) {
    const page = await visitor().get(`/sites/rsj/art/${id}.html`);
    const list = await visitor().get("/sites/rsj/col/gzdt/");
    const sitemap = await visitor().get("/sites/rsj/sitemap.xml");
    const home = await visitor().get("/sites/rsj/");
    const inSitemap = sitemap.text.includes(`/art/${id}.html`);
    const inList = list.text.includes(`/art/${id}.html`);
    const onHome = home.text.includes(`/art/${id}.html`);
    return { status: page.status, text: page.text, inList, inSitemap, onHome };
  }
  async function assertNotPublic(id: number, title: string) {
    const s = await publicState(id);
    assert.ok(s.status === 404 || s.status === 410, `status ${s.status}`);
    assert.ok(!s.inList && !s.inSitemap && !s.onHome, "must not appear on any public page");
    assert.ok(!s.text.includes(title));
  }

  it("approves through every level before anything is public", async () => {
    const id = await create("青禾市举办2026年秋季招聘会");
    await assertNotPublic(id, "青禾市举办2026年秋季招聘会");
    assert.equal((await submit(editor, id)).status, 303);
    await assertNotPublic(id, "青禾市举办2026年秋季招聘会");
    const queued = async (client: HttpClient) =>
      (await client.get("/admin/reviews")).text.includes(`/admin/documents/${id}"`);
    assert.equal(await queued(first), true, "waiting for step 1");
    assert.equal(await queued(second), false, "not yet at step 2");
    // the second level cannot decide before the first
    assert.equal((await decide(second, id, "approve")).status, 403);
    assert.equal((await decide(first, id, "approve")).status, 303);
    assert.equal((await latest(id)).review_level, 2);
    assert.equal(await queued(first), false, "step 1 done");
    assert.equal(await queued(second), true, "waiting for step 2");
    await assertNotPublic(id, "青禾市举办2026年秋季招聘会");
    const done = await decide(second, id, "approve");
    assert.equal(done.status, 303);
    assert.match(done.location, /msg=published/);
    const s = await publicState(id);
    assert.equal(s.status, 200);
    assert.match(s.text, /青禾市举办2026年秋季招聘会/);
    assert.ok(s.inList && s.inSitemap && s.onHome);
    const events = await p.ctx.db
      .selectFrom("workflow_events")
      .select("action")
      .where("subject_id", "=", (await latest(id)).id)
      .execute();
    assert.deepEqual(
      events.map((e) => e.action),
      ["submit", "approve", "approve"],
    );
  });

  it("rejects with a required comment, then accepts the corrected version", async () => {
    const id = await create("关于开展职业技能培训的通知（初稿）");
    await submit(editor, id);
    const noComment = await decide(first, id, "reject", "");
    assert.equal(noComment.status, 400);
    assert.match(noComment.text, /请填写退回意见/);
    assert.equal((await decide(first, id, "reject", "请补充培训时间")).status, 303);
    assert.equal((await latest(id)).status, "rejected");
    await assertNotPublic(id, "职业技能培训");
    const page = await editor.get(`/admin/documents/${id}`);
    assert.match(page.text, /请补充培训时间/);
    const saved = await editor.submit(`/admin/documents/${id}`, `/admin/documents/${id}`, {
      title: "关于开展职业技能培训的通知",
      summary: "",
      bodyHtml: "<p>培训时间为12月1日至12月5日。</p>",
      "meta.source": "",
    });
    assert.equal(saved.status, 303);
    await submit(editor, id);
    await decide(first, id, "approve");
    await decide(second, id, "approve");
    const s = await publicState(id);
    assert.equal(s.status, 200);
    assert.match(s.text, /培训时间为12月1日至12月5日/);
  });

  it("keeps the published version live while an edit is under review, and shows the diff", async () => {
    const id = await create("社保卡补办指引", "<p>携带身份证到窗口办理。</p>");
    await submit(editor, id);
    await decide(first, id, "approve");
    await decide(second, id, "approve");
    await editor.submit(`/admin/documents/${id}`, `/admin/documents/${id}`, {
      title: "社保卡补办指引（修订）",
      summary: "",
      bodyHtml: "<p>可在“禾易办”App在线补办，也可携带身份证到窗口办理。</p>",
      "meta.source": "",
    });
    let s = await publicState(id);
    assert.match(s.text, /<h1>社保卡补办指引<\/h1>/, "draft must not replace the live version");
    await submit(editor, id);
    await decide(first, id, "approve");
    s = await publicState(id);
    assert.match(s.text, /<h1>社保卡补办指引<\/h1>/, "half-approved edit must not replace the live version");
    assert.doesNotMatch(s.text, /禾易办/);
    await decide(second, id, "approve");
    s = await publicState(id);
    assert.match(s.text, /社保卡补办指引（修订）/);
    assert.match(s.text, /禾易办/);
    const versions = await p.ctx.db
      .selectFrom("document_versions")
      .select(["id", "status"])
      .where("document_id", "=", id)
      .orderBy("number")
      .execute();
    assert.deepEqual(
      versions.map((v) => v.status),
      ["superseded", "approved"],
    );
    const diff = await editor.get(
      `/admin/documents/${id}/diff?from=${versions[0]?.id}&to=${versions[1]?.id}`,
    );
    assert.equal(diff.status, 200);
    assert.match(diff.text, /<ins>[^<]*禾易办/);
  });

  it("publishes a scheduled version only when its time comes", async () => {
    const id = await create("元旦假期办事服务安排");
    const later = new Date(Date.now() + 3600_000);
    await submit(editor, id, chinaLocal(later));
    await decide(first, id, "approve");
    const last = await decide(second, id, "approve");
    assert.match(last.location, /msg=scheduled/);
    await assertNotPublic(id, "元旦假期办事服务安排");
    assert.equal(await publishDueVersions(p.ctx), 0);
    // time passes: the scheduled moment is now behind us
    const version = await latest(id);
    await p.ctx.db
      .updateTable("document_versions")
      .set({ publish_at: new Date(Date.now() - 1000) })
      .where("id", "=", version.id)
      .execute();
    assert.equal(await publishDueVersions(p.ctx), 1);
    const s = await publicState(id);
    assert.equal(s.status, 200);
    assert.ok(s.inList);
    // once withdrawn, the scheduler must not bring it back on its next round
    const withdrawn = await first.submit(`/admin/documents/${id}`, `/admin/documents/${id}/withdraw`, {
      reason: "安排有变",
    });
    assert.equal(withdrawn.status, 303);
    assert.equal(await publishDueVersions(p.ctx), 0);
    assert.notEqual((await publicState(id)).status, 200);
  });

  it("withdraws (撤稿) a published document from every public page, with a reason", async () => {
    const id = await create("拟撤回的信息");
    await submit(editor, id);
    await decide(first, id, "approve");
    await decide(second, id, "approve");
    assert.equal((await publicState(id)).status, 200);
    const noReason = await first.submit(`/admin/documents/${id}`, `/admin/documents/${id}/withdraw`, {
      reason: "",
    });
    assert.equal(noReason.status, 400);
    assert.match(noReason.text, /请填写撤稿原因/);
    assert.equal(
      (
        await editor.submit(`/admin/documents/${id}`, `/admin/documents/${id}/withdraw`, {
          reason: "发布有误",
        })
      ).status,
      403,
    );
    assert.equal(
      (
        await first.submit(`/admin/documents/${id}`, `/admin/documents/${id}/withdraw`, {
          reason: "发布有误",
        })
      ).status,
      303,
    );
    const s = await publicState(id);
    assert.equal(s.status, 410);
    assert.match(s.text, /已撤销/);
    assert.ok(!s.inList && !s.inSitemap);
  });

  it("restores an old version as a new draft that goes through review again", async () => {
    const id = await create("版本恢复测试", "<p>第一版正文</p>");
    await editor.submit(`/admin/documents/${id}`, `/admin/documents/${id}`, {
      title: "版本恢复测试",
      summary: "",
      bodyHtml: "<p>第二版正文</p>",
      "meta.source": "",
    });
    const v1 = await p.ctx.db
      .selectFrom("document_versions")
      .select("id")
      .where("document_id", "=", id)
      .where("number", "=", 1)
      .executeTakeFirstOrThrow();
    const r = await editor.submit(`/admin/documents/${id}`, `/admin/documents/${id}/restore/${v1.id}`, {});
    assert.equal(r.status, 303);
    const restored = await latest(id);
    assert.equal(restored.number, 3);
    assert.equal(restored.status, "draft");
    assert.match(restored.body_html, /第一版正文/);
    await assertNotPublic(id, "版本恢复测试");
  });

  it("strips script from rich text when it is saved", async () => {
    const id = await create(
      "安全测试",
      '<p onclick="alert(1)">文字<script>alert(2)</script><a href="javascript:alert(3)">链接</a></p>',
    );
    const v = await latest(id);
    assert.doesNotMatch(v.body_html, /script|onclick|javascript:/i);
    assert.match(v.body_html, /文字/);
  });
});

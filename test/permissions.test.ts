import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
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

/**
 * Who may do what, over real HTTP: grants are scoped to a site or a column, reviewers to a level,
 * and nobody approves their own writing. Refusals are 403 pages in Chinese and write nothing.
 */
describe("permissions: per-site, per-column and per-level grants", () => {
  let p: TestPlatform;
  let rsj: number;
  let ybj: number;
  let rsjGzdt: number;
  let rsjTzgg: number;
  let ybjGzdt: number;
  let ybjTzgg: number;
  /** editor over the whole of 市人社局 */
  let editor: HttpClient;
  /** editor over 市人社局 工作动态 only */
  let columnEditor: HttpClient;
  /** editor over 市医保局, to write the documents others must not touch */
  let ybjEditor: HttpClient;
  let reviewer1: HttpClient;
  let reviewer2: HttpClient;
  let siteAdmin: HttpClient;
  let sysadmin: HttpClient;
  /** a draft of 市医保局 written by its own editor */
  let ybjDraft: number;

  before(async () => {
    p = await startTestPlatform("demo");
    rsj = await siteId(p.ctx, "rsj");
    ybj = await siteId(p.ctx, "ybj");
    rsjGzdt = await columnId(p.ctx, "rsj", "gzdt");
    rsjTzgg = await columnId(p.ctx, "rsj", "tzgg");
    ybjGzdt = await columnId(p.ctx, "ybj", "gzdt");
    ybjTzgg = await columnId(p.ctx, "ybj", "tzgg");
    const login = async (name: string, grants: Parameters<typeof staffWith>[1]) =>
      staffClient(p, (await staffWith(p.ctx, grants, name)).username);
    editor = await login("editor", [{ role: "editor", siteId: rsj }]);
    columnEditor = await login("coleditor", [{ role: "editor", siteId: rsj, columnId: rsjGzdt }]);
    ybjEditor = await login("ybjeditor", [{ role: "editor", siteId: ybj }]);
    reviewer1 = await login("first", [{ role: "reviewer", siteId: rsj, reviewLevel: 1 }]);
    reviewer2 = await login("second", [{ role: "reviewer", siteId: rsj, reviewLevel: 2 }]);
    siteAdmin = await login("rsjadmin", [{ role: "site_admin", siteId: rsj }]);
    sysadmin = await login("root", [{ role: "sysadmin" }]);
    ybjDraft = await create(ybjEditor, ybjGzdt, "医保局内部草稿");
  });
  after(() => p.close());

  /* ------------------------------------------------------------------ helpers */

  async function create(client: HttpClient, column: number, title: string) {
    const r = await client.submit("/admin/documents/new", "/admin/documents/new", {
      type: "news",
      columnId: String(column),
      title,
      summary: "",
      bodyHtml: "<p>正文内容</p>",
    });
    assert.equal(r.status, 303, r.text.slice(0, 500));
    const id = Number(/^\/admin\/documents\/(\d+)/.exec(r.location)?.[1]);
    assert.ok(id > 0, r.location);
    return id;
  }

  const latest = (documentId: number) => latestVersion(p.ctx.db, documentId);

  async function count(table: "documents" | "document_versions" | "review_decisions" | "columns") {
    const row = await p.ctx.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Posts with a valid token taken from `formPage` (a page the client may open, e.g. /admin). */
  const post = (client: HttpClient, action: string, fields: Record<string, string>, formPage = "/admin") =>
    client.submit(formPage, action, fields);

  const submit = (client: HttpClient, id: number) =>
    post(client, `/admin/documents/${id}/submit`, { publishAt: "" });

  async function decide(client: HttpClient, id: number, decision: "approve" | "reject", comment = "") {
    const version = await latest(id);
    return post(client, `/admin/versions/${version.id}/decide`, { decision, comment });
  }

  function forbidden(response: { status: number; text: string }, what: string) {
    assert.equal(response.status, 403, `${what}: ${response.text.slice(0, 300)}`);
    assert.match(response.text, /没有权限/, what);
  }

  /* ------------------------------------------------------------------ sites */

  it("an editor of 市人社局 cannot open, save, submit or withdraw documents of 市医保局", async () => {
    // control: the 医保局 editor can open it, the 人社局 editor can open their own
    assert.equal((await ybjEditor.get(`/admin/documents/${ybjDraft}`)).status, 200);
    const own = await create(editor, rsjGzdt, "人社局自己的稿件");
    assert.equal((await editor.get(`/admin/documents/${own}`)).status, 200);

    forbidden(await editor.get(`/admin/documents/${ybjDraft}`), "open");
    const before = await latest(ybjDraft);
    const versions = await count("document_versions");
    forbidden(
      await post(editor, `/admin/documents/${ybjDraft}`, {
        title: "篡改标题",
        summary: "",
        bodyHtml: "<p>篡改</p>",
      }),
      "save",
    );
    forbidden(await submit(editor, ybjDraft), "submit");
    const after = await latest(ybjDraft);
    assert.equal(await count("document_versions"), versions, "no version written");
    assert.equal(after.id, before.id);
    assert.equal(after.title, "医保局内部草稿");
    assert.equal(after.status, "draft", "still a draft, not submitted");

    // a published 医保局 document (from the demo city): no draft to submit, but still not theirs
    const published = await p.ctx.db
      .selectFrom("documents")
      .select(["id", "live_version_id"])
      .where("site_id", "=", ybj)
      .where("live_version_id", "is not", null)
      .executeTakeFirstOrThrow();
    forbidden(await editor.get(`/admin/documents/${published.id}`), "open published");
    forbidden(
      await post(editor, `/admin/documents/${published.id}/withdraw`, { reason: "越权撤稿" }),
      "withdraw",
    );
    forbidden(await submit(editor, published.id), "submit without a draft");
    const still = await p.ctx.db
      .selectFrom("documents")
      .select(["live_version_id", "withdrawn_at"])
      .where("id", "=", published.id)
      .executeTakeFirstOrThrow();
    assert.equal(still.live_version_id, published.live_version_id);
    assert.equal(still.withdrawn_at, null);
  });

  it("an editor of 市人社局 cannot create documents in 市医保局 columns, which are not offered either", async () => {
    const form = await editor.get("/admin/documents/new");
    assert.equal(form.status, 200);
    assert.match(form.text, new RegExp(`<option value="${rsjGzdt}"`));
    assert.doesNotMatch(form.text, new RegExp(`<option value="${ybjGzdt}"`));
    const docs = await count("documents");
    for (const column of [ybjGzdt, ybjTzgg]) {
      const r = await editor.submit("/admin/documents/new", "/admin/documents/new", {
        type: "news",
        columnId: String(column),
        title: "越权发布",
        summary: "",
        bodyHtml: "<p>不应出现</p>",
      });
      forbidden(r, `create in ${column}`);
    }
    assert.equal(await count("documents"), docs);
  });

  /* ------------------------------------------------------------------ columns */

  it("a column-scoped editor creates in 工作动态 but not in 通知公告 of the same site", async () => {
    const id = await create(columnEditor, rsjGzdt, "栏目编辑的工作动态");
    assert.equal((await columnEditor.get(`/admin/documents/${id}`)).status, 200);
    const docs = await count("documents");
    const r = await columnEditor.submit("/admin/documents/new", "/admin/documents/new", {
      type: "news",
      columnId: String(rsjTzgg),
      title: "越权通知",
      summary: "",
      bodyHtml: "<p>不应出现</p>",
    });
    forbidden(r, "create in tzgg");
    assert.equal(await count("documents"), docs);
    // nor open another column's document of the same site
    const notice = await create(editor, rsjTzgg, "人社局通知");
    forbidden(await columnEditor.get(`/admin/documents/${notice}`), "open tzgg document");
  });

  /* ------------------------------------------------------------------ review */

  it("a first-level reviewer cannot decide the second level; the second-level reviewer can", async () => {
    const id = await create(editor, rsjGzdt, "两级审核的稿件");
    assert.equal((await submit(editor, id)).status, 303);
    // a second-level reviewer cannot take the first step either
    forbidden(await decide(reviewer2, id, "approve"), "level 2 deciding level 1");
    const approved = await decide(reviewer1, id, "approve", "同意");
    assert.equal(approved.status, 303, approved.text.slice(0, 300));
    const atLevel2 = await latest(id);
    assert.equal(atLevel2.status, "in_review");
    assert.equal(atLevel2.review_level, 2);

    const decisions = await count("review_decisions");
    forbidden(await decide(reviewer1, id, "approve", "再同意一次"), "level 1 approving level 2");
    forbidden(await decide(reviewer1, id, "reject", "退回"), "level 1 rejecting level 2");
    assert.equal(await count("review_decisions"), decisions);
    const unchanged = await latest(id);
    assert.equal(unchanged.status, "in_review");
    assert.equal(unchanged.review_level, 2);

    const final = await decide(reviewer2, id, "approve", "同意发布");
    assert.equal(final.status, 303, final.text.slice(0, 300));
    assert.equal((await latest(id)).status, "approved");
  });

  it("an editor cannot approve, and a site admin cannot approve what they wrote themselves", async () => {
    // written by the site admin, who holds every role in 市人社局 including review
    const id = await create(siteAdmin, rsjGzdt, "站点管理员撰写的稿件");
    assert.equal((await submit(siteAdmin, id)).status, 303);
    const decisions = await count("review_decisions");
    const own = await decide(siteAdmin, id, "approve", "自己批准");
    forbidden(own, "site admin approving own version");
    assert.match(own.text, /不能审核自己撰写的稿件/);
    forbidden(await decide(editor, id, "approve", "编辑批准"), "editor approving");
    assert.equal(await count("review_decisions"), decisions);
    assert.equal((await latest(id)).review_level, 1);

    // four eyes holds at every level: after the first reviewer, the author still cannot finish it
    assert.equal((await decide(reviewer1, id, "approve", "同意")).status, 303);
    forbidden(await decide(siteAdmin, id, "approve", "自己终审"), "site admin approving own at level 2");
    assert.equal((await latest(id)).status, "in_review");

    // control: the site admin may approve a version somebody else wrote
    const other = await create(editor, rsjGzdt, "编辑撰写、站点管理员审核");
    assert.equal((await submit(editor, other)).status, 303);
    assert.equal((await decide(siteAdmin, other, "approve", "同意")).status, 303);
    assert.equal((await latest(other)).review_level, 2);
  });

  /* ------------------------------------------------------------------ administration */

  it("only a system administrator creates sites; site administrators also reach user administration", async () => {
    for (const path of ["/admin/users", "/admin/users/new", "/admin/sites/new"]) {
      assert.equal((await sysadmin.get(path)).status, 200, `sysadmin ${path}`);
      for (const [who, client] of [
        ["editor", editor],
        ["reviewer", reviewer1],
      ] as const) {
        forbidden(await client.get(path), `${who} ${path}`);
      }
    }
    assert.equal((await siteAdmin.get("/admin/users")).status, 200);
    assert.equal((await siteAdmin.get("/admin/users/new")).status, 200);
    forbidden(await siteAdmin.get("/admin/sites/new"), "site admin /admin/sites/new");
    const sites = await p.ctx.db
      .selectFrom("sites")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const r = await siteAdmin.submit("/admin", "/admin/sites/new", {
      code: "yqsj",
      name: "越权新建的站点",
      kind: "department",
      host: "",
    });
    forbidden(r, "site admin creating a site");
    const sitesAfter = await p.ctx.db
      .selectFrom("sites")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(sitesAfter.n), Number(sites.n));
  });

  it("lets a site administrator grant and revoke roles only within their own site", async () => {
    const target = await staffWith(p.ctx, [{ role: "editor", siteId: ybj }], "delegated");
    const page = `/admin/users/${target.id}`;
    const grants = () =>
      p.ctx.db
        .selectFrom("grants")
        .select(["id", "role", "site_id"])
        .where("user_id", "=", target.id)
        .orderBy("id")
        .execute();
    const before = await grants();
    const ok = await siteAdmin.submit(page, `${page}/grants`, {
      role: "editor",
      scope: `site:${rsj}`,
      reviewLevel: "",
    });
    assert.equal(ok.status, 303);
    assert.equal((await grants()).length, before.length + 1);
    for (const [role, scope] of [
      ["editor", `site:${ybj}`],
      ["sysadmin", "all"],
      ["site_admin", "all"],
      ["editor", `column:${ybj}:${ybjGzdt}`],
    ]) {
      forbidden(
        await siteAdmin.submit(page, `${page}/grants`, {
          role: role ?? "",
          scope: scope ?? "",
          reviewLevel: "",
        }),
        `${role} ${scope}`,
      );
    }
    assert.equal((await grants()).length, before.length + 1, "refused grants wrote nothing");
    const ybjGrant = (await grants()).find((g) => g.site_id === ybj);
    assert.ok(ybjGrant);
    forbidden(
      await siteAdmin.submit(page, `${page}/grants/${ybjGrant.id}/delete`, {}),
      "revoke another site's grant",
    );
    const rsjGrant = (await grants()).find((g) => g.site_id === rsj);
    assert.ok(rsjGrant);
    assert.equal((await siteAdmin.submit(page, `${page}/grants/${rsjGrant.id}/delete`, {})).status, 303);
    forbidden(
      await siteAdmin.submit(page, `${page}/status`, { status: "disabled" }),
      "site admin disabling an account",
    );
    assert.deepEqual(await grants(), before);
  });
  it("a site admin of 市人社局 manages its columns and settings but not 市医保局's", async () => {
    assert.equal((await siteAdmin.get(`/admin/sites/${rsj}`)).status, 200);
    assert.equal((await siteAdmin.get(`/admin/sites/${rsj}/columns`)).status, 200);
    assert.equal((await siteAdmin.get(`/admin/columns/${rsjTzgg}`)).status, 200);

    // settings of their own site
    const site = await p.ctx.db
      .selectFrom("sites")
      .selectAll()
      .where("id", "=", rsj)
      .executeTakeFirstOrThrow();
    const saved = await siteAdmin.submit(`/admin/sites/${rsj}`, `/admin/sites/${rsj}`, {
      code: site.code,
      name: site.name,
      kind: site.kind,
      host: site.host ?? "",
      departmentId: String(site.department_id ?? ""),
      idCode: site.settings.idCode ?? "",
      phone: "0999-88886666",
    });
    assert.equal(saved.status, 303, saved.text.slice(0, 300));
    const updated = await p.ctx.db
      .selectFrom("sites")
      .selectAll()
      .where("id", "=", rsj)
      .executeTakeFirstOrThrow();
    assert.equal(updated.settings.phone, "0999-88886666");

    // a column of their own site
    const column = await siteAdmin.submit(`/admin/columns/${rsjTzgg}`, `/admin/columns/${rsjTzgg}`, {
      name: "通知公告（改）",
      slug: "tzgg",
      type: "list",
      columnType: "工作动态",
      parentId: "",
      linkUrl: "",
      updateDays: "90",
      step1: "科室初审",
      step2: "办公室终审",
      step3: "",
      position: "2",
      inNav: "1",
    });
    assert.equal(column.status, 303, column.text.slice(0, 300));
    const renamed = await p.ctx.db
      .selectFrom("columns")
      .select(["name", "update_days"])
      .where("id", "=", rsjTzgg)
      .executeTakeFirstOrThrow();
    assert.deepEqual(renamed, { name: "通知公告（改）", update_days: 90 });

    // 市医保局: neither pages nor posts
    forbidden(await siteAdmin.get(`/admin/sites/${ybj}`), "ybj settings");
    forbidden(await siteAdmin.get(`/admin/sites/${ybj}/columns`), "ybj columns");
    forbidden(await siteAdmin.get(`/admin/columns/${ybjGzdt}`), "ybj column");
    const ybjSite = await p.ctx.db
      .selectFrom("sites")
      .selectAll()
      .where("id", "=", ybj)
      .executeTakeFirstOrThrow();
    const columns = await count("columns");
    forbidden(
      await post(siteAdmin, `/admin/sites/${ybj}`, {
        code: ybjSite.code,
        name: "被篡改的医保局",
        kind: ybjSite.kind,
        host: "",
      }),
      "ybj settings post",
    );
    forbidden(
      await post(siteAdmin, `/admin/sites/${ybj}/columns`, { name: "越权栏目", slug: "yqlm", type: "list" }),
      "ybj column create",
    );
    forbidden(
      await post(siteAdmin, `/admin/columns/${ybjGzdt}`, { name: "被改名", slug: "gzdt", type: "list" }),
      "ybj column update",
    );
    forbidden(await post(siteAdmin, `/admin/columns/${ybjGzdt}/delete`, {}), "ybj column delete");
    const ybjAfter = await p.ctx.db
      .selectFrom("sites")
      .selectAll()
      .where("id", "=", ybj)
      .executeTakeFirstOrThrow();
    assert.deepEqual(ybjAfter, ybjSite);
    assert.equal(await count("columns"), columns);
    const gzdt = await p.ctx.db
      .selectFrom("columns")
      .select("name")
      .where("id", "=", ybjGzdt)
      .executeTakeFirstOrThrow();
    assert.equal(gzdt.name, "工作动态");
  });

  it("a site admin cannot turn their site into the portal or rename its code", async () => {
    const site = await p.ctx.db
      .selectFrom("sites")
      .selectAll()
      .where("id", "=", rsj)
      .executeTakeFirstOrThrow();
    const r = await siteAdmin.submit(`/admin/sites/${rsj}`, `/admin/sites/${rsj}`, {
      code: "hijack",
      name: site.name,
      kind: "topic",
      host: "evil.example.cn",
      departmentId: String(site.department_id ?? ""),
      idCode: site.settings.idCode ?? "",
    });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const after = await p.ctx.db
      .selectFrom("sites")
      .selectAll()
      .where("id", "=", rsj)
      .executeTakeFirstOrThrow();
    assert.equal(after.code, site.code);
    assert.equal(after.kind, site.kind);
    assert.equal(after.host, site.host);
  });

  /* ------------------------------------------------------------------ who is signed in */

  it("redirects anonymous visitors from admin pages to the staff sign-in page", async () => {
    const anonymous = p.client();
    for (const path of [
      "/admin",
      "/admin/documents",
      "/admin/users",
      `/admin/sites/${rsj}`,
      "/admin/documents/new",
    ]) {
      const r = await anonymous.get(path);
      assert.equal(r.status, 303, path);
      assert.equal(r.headers.get("location"), `/admin/login?next=${encodeURIComponent(path)}`);
    }
    // a form post (with a valid token from the sign-in page) is turned away the same way
    const docs = await count("documents");
    const r = await anonymous.submit("/admin/login", "/admin/documents/new", {
      type: "news",
      columnId: String(rsjGzdt),
      title: "匿名发布",
    });
    assert.equal(r.status, 303);
    assert.match(r.location, /^\/admin\/login\?next=/);
    assert.equal(await count("documents"), docs);
    assert.equal((await anonymous.get("/admin/login")).status, 200);
  });

  it("refuses a signed-in citizen on every admin page", async () => {
    const citizen = p.client();
    const registered = await citizen.submit("/account/register", "/account/register", {
      phone: "13912340001",
      displayName: "张市民",
      password: "Citizen-Pass1",
      passwordConfirm: "Citizen-Pass1",
      agreed: "1",
    });
    assert.equal(registered.status, 303, registered.text.slice(0, 300));
    assert.equal((await citizen.get("/account")).status, 200, "signed in");
    for (const path of ["/admin", "/admin/documents", "/admin/users", `/admin/sites/${rsj}`]) {
      const r = await citizen.get(path);
      assert.equal(r.status, 403, path);
      assert.match(r.text, /管理后台仅供工作人员使用/);
    }
  });
});

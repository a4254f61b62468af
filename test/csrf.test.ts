import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { HttpClient } from "./support/http.ts";
import {
  columnId,
  siteId,
  staffClient,
  staffWith,
  startTestPlatform,
  TEST_PASSWORD,
  type TestPlatform,
} from "./support/platform.ts";
import { databaseSnapshot, latestVersion } from "./support/snapshot.ts";

type Fields = Record<string, string | string[]>;
type Files = Record<string, { name: string; data: Buffer; type?: string }[]>;

const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

/**
 * Every state-changing form refuses a post without a valid token: 403, a Chinese explanation,
 * and not one row changed. The same post with a valid token then succeeds, so the refusal is the
 * token's doing and not some other check.
 */
describe("CSRF protection on every state-changing form", () => {
  let p: TestPlatform;
  let rsj: number;
  let gzdt: number;
  let editor: HttpClient;
  let reviewer: HttpClient;
  let siteAdmin: HttpClient;
  let sysadmin: HttpClient;
  /** 三员分立: the security administrator grants roles, the system administrator does not. */
  let security: HttpClient;
  /** A valid token, but bound to somebody else's secret cookie. */
  let foreignToken: string;
  let draft: number;
  let staffUser: number;

  before(async () => {
    p = await startTestPlatform("demo");
    rsj = await siteId(p.ctx, "rsj");
    gzdt = await columnId(p.ctx, "rsj", "gzdt");
    const login = async (name: string, grants: Parameters<typeof staffWith>[1]) =>
      staffClient(p, (await staffWith(p.ctx, grants, name)).username);
    editor = await login("editor", [{ role: "editor", siteId: rsj }]);
    reviewer = await login("first", [{ role: "reviewer", siteId: rsj, reviewLevel: 1 }]);
    siteAdmin = await login("rsjadmin", [{ role: "site_admin", siteId: rsj }]);
    sysadmin = await login("root", [{ role: "sysadmin" }]);
    security = await login("secadmin", [{ role: "security_admin" }]);
    staffUser = (await staffWith(p.ctx, [], "grantee")).id;
    const stranger = p.client();
    const page = await stranger.get("/account/login");
    foreignToken = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? "";
    assert.ok(foreignToken);
  });
  after(() => p.close());

  const snapshot = () => databaseSnapshot(p.ctx.db);

  const latest = (documentId: number) => latestVersion(p.ctx.db, documentId);

  /**
   * Posts `fields` (and `files`, making it multipart) three ways without a valid token — none,
   * forged, someone else's — expecting 403 and no change; then with a token from `formPage`,
   * expecting the form's normal 303.
   */
  async function refusesWithoutToken(
    client: HttpClient,
    formPage: string,
    action: string,
    fields: Fields,
    files?: Files,
    variants: readonly (readonly [string, string | undefined])[] = [
      ["no token", undefined],
      ["empty token", ""],
      ["forged token", "forged-token-value"],
      ["another visitor's token", foreignToken],
    ],
  ) {
    const before = await snapshot();
    for (const [label, token] of variants) {
      const body = token === undefined ? fields : { ...fields, _csrf: token };
      const r = await client.post(action, body, files);
      assert.equal(r.status, 403, `${action} with ${label}: ${r.text.slice(0, 200)}`);
      assert.match(r.text, /表单已失效/, `${action} with ${label}`);
      assert.match(r.text, /页面已过期/);
      assert.deepEqual(await snapshot(), before, `${action} with ${label} changed nothing`);
    }
    const accepted = await client.submit(formPage, action, fields, files);
    assert.equal(accepted.status, 303, `${action} with a valid token: ${accepted.text.slice(0, 300)}`);
    return accepted;
  }

  it("staff sign-in", async () => {
    const visitor = p.client();
    const { username } = await staffWith(p.ctx, [], "signin");
    await visitor.get("/admin/login"); // holds a secret cookie, as a real browser would
    // sign-in allows 10 attempts a minute per address, and before() signed in four times already
    await refusesWithoutToken(
      visitor,
      "/admin/login",
      "/admin/login",
      { username, password: TEST_PASSWORD },
      undefined,
      [
        ["no token", undefined],
        ["another visitor's token", foreignToken],
      ],
    );
    assert.equal((await visitor.get("/admin")).status, 200, "signed in with the valid token");
  });

  it("citizen registration", async () => {
    const visitor = p.client();
    await visitor.get("/account/register");
    const fields = {
      phone: "13700001111",
      displayName: "李市民",
      password: "Citizen-Pass1",
      passwordConfirm: "Citizen-Pass1",
      agreed: "1",
    };
    const r = await refusesWithoutToken(visitor, "/account/register", "/account/register", fields);
    assert.equal(r.location, "/account");
  });

  it("document create (multipart, with an attachment)", async () => {
    const r = await refusesWithoutToken(
      editor,
      "/admin/documents/new",
      "/admin/documents/new",
      { type: "news", columnId: String(gzdt), title: "令牌测试稿件", summary: "", bodyHtml: "<p>正文</p>" },
      { files: [{ name: "附件.pdf", data: PDF, type: "application/pdf" }] },
    );
    draft = Number(/^\/admin\/documents\/(\d+)/.exec(r.location)?.[1]);
    assert.ok(draft > 0);
  });

  it("document save", async () => {
    await refusesWithoutToken(
      editor,
      `/admin/documents/${draft}`,
      `/admin/documents/${draft}`,
      { title: "令牌测试稿件（修改）", summary: "", bodyHtml: "<p>修改后的正文</p>" },
      { files: [{ name: "补充.pdf", data: PDF, type: "application/pdf" }] },
    );
    assert.equal((await latest(draft)).number, 2);
  });

  it("document submit", async () => {
    await refusesWithoutToken(editor, `/admin/documents/${draft}`, `/admin/documents/${draft}/submit`, {
      publishAt: "",
    });
    assert.equal((await latest(draft)).status, "in_review");
  });

  it("review decision", async () => {
    const version = await latest(draft);
    await refusesWithoutToken(reviewer, `/admin/documents/${draft}`, `/admin/versions/${version.id}/decide`, {
      decision: "approve",
      comment: "同意",
    });
    assert.equal((await latest(draft)).review_level, 2);
  });

  it("withdraw", async () => {
    const live = await p.ctx.db
      .selectFrom("documents")
      .select("id")
      .where("site_id", "=", rsj)
      .where("live_version_id", "is not", null)
      .orderBy("id")
      .executeTakeFirstOrThrow();
    await refusesWithoutToken(
      siteAdmin,
      `/admin/documents/${live.id}`,
      `/admin/documents/${live.id}/withdraw`,
      {
        reason: "内容已过时",
      },
    );
    const after = await p.ctx.db
      .selectFrom("documents")
      .select(["live_version_id", "withdrawn_at"])
      .where("id", "=", live.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.live_version_id, null);
    assert.ok(after.withdrawn_at);
  });

  it("column create", async () => {
    await refusesWithoutToken(siteAdmin, `/admin/sites/${rsj}/columns`, `/admin/sites/${rsj}/columns`, {
      name: "令牌测试栏目",
      slug: "csrf-lm",
      type: "list",
      columnType: "",
      parentId: "",
      linkUrl: "",
      updateDays: "30",
      position: "9",
      inNav: "1",
    });
    assert.ok(
      await p.ctx.db
        .selectFrom("columns")
        .select("id")
        .where("site_id", "=", rsj)
        .where("slug", "=", "csrf-lm")
        .executeTakeFirst(),
    );
  });

  it("site update", async () => {
    const site = await p.ctx.db
      .selectFrom("sites")
      .selectAll()
      .where("id", "=", rsj)
      .executeTakeFirstOrThrow();
    await refusesWithoutToken(siteAdmin, `/admin/sites/${rsj}`, `/admin/sites/${rsj}`, {
      code: site.code,
      name: "令牌测试改名",
      kind: site.kind,
      host: site.host ?? "",
      departmentId: String(site.department_id ?? ""),
    });
    const after = await p.ctx.db
      .selectFrom("sites")
      .select("name")
      .where("id", "=", rsj)
      .executeTakeFirstOrThrow();
    assert.equal(after.name, "令牌测试改名");
  });

  it("user create", async () => {
    await refusesWithoutToken(sysadmin, "/admin/users/new", "/admin/users/new", {
      username: "csrf.user",
      displayName: "令牌测试用户",
      password: "Another-Pass9",
      departmentId: "",
    });
    assert.ok(
      await p.ctx.db.selectFrom("users").select("id").where("username", "=", "csrf.user").executeTakeFirst(),
    );
  });

  it("grant add", async () => {
    await refusesWithoutToken(security, `/admin/users/${staffUser}`, `/admin/users/${staffUser}/grants`, {
      role: "editor",
      scope: `site:${rsj}`,
      reviewLevel: "",
    });
    const grants = await p.ctx.db
      .selectFrom("grants")
      .select(["role", "site_id"])
      .where("user_id", "=", staffUser)
      .execute();
    assert.deepEqual(grants, [{ role: "editor", site_id: rsj }]);
  });

  it("sign-out, grant removal and account status need the token too", async () => {
    const grant = await p.ctx.db
      .selectFrom("grants")
      .select("id")
      .where("user_id", "=", staffUser)
      .executeTakeFirstOrThrow();
    for (const [client, action, fields] of [
      [editor, "/admin/logout", {}],
      [security, `/admin/users/${staffUser}/grants/${grant.id}/delete`, {}],
      [sysadmin, `/admin/users/${staffUser}/status`, { status: "disabled" }],
      [editor, `/admin/documents/${draft}/placements`, { columnId: String(gzdt) }],
    ] as const) {
      const before = await snapshot();
      const r = await client.post(action, fields);
      assert.equal(r.status, 403, action);
      assert.match(r.text, /表单已失效/);
      assert.deepEqual(await snapshot(), before, action);
    }
    assert.equal((await editor.get("/admin")).status, 200, "still signed in");
  });
});

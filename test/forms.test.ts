import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
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
import { databaseSnapshot } from "./support/snapshot.ts";

const SUMMARY = "提交的内容有误，请按提示修改后重新提交";
const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
);

type Fields = Record<string, string | string[]>;
type Response = { status: number; text: string; location: string };

/**
 * Bad input on every form: status 400, the error summary with a clear Chinese message, the form
 * shown again, and not one row written.
 */
describe("form validation", () => {
  let p: TestPlatform;
  let rsj: number;
  let gzdt: number;
  let zcwj: number;
  let editor: HttpClient;
  let sysadmin: HttpClient;
  /** 三员分立: the security administrator grants roles, the system administrator does not. */
  let security: HttpClient;
  let grantee: number;

  before(async () => {
    p = await startTestPlatform("demo");
    rsj = await siteId(p.ctx, "rsj");
    gzdt = await columnId(p.ctx, "rsj", "gzdt");
    zcwj = await columnId(p.ctx, "rsj", "zcwj");
    editor = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "editor")).username,
    );
    sysadmin = await staffClient(p, (await staffWith(p.ctx, [{ role: "sysadmin" }], "root")).username);
    security = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "security_admin" }], "secadmin")).username,
    );
    grantee = (await staffWith(p.ctx, [], "grantee")).id;
  });
  after(() => p.close());

  async function snapshot(): Promise<Record<string, string>> {
    return { ...(await databaseSnapshot(p.ctx.db)), files: String(await storedFiles()) };
  }

  async function storedFiles(): Promise<number> {
    try {
      const entries = await readdir(p.ctx.files.root, { recursive: true, withFileTypes: true });
      return entries.filter((e) => e.isFile()).length;
    } catch {
      return 0;
    }
  }

  /** 400, the error summary with `summary` and every message, and nothing written by `send`. */
  async function rejects(
    send: () => Promise<Response>,
    messages: string[],
    options: { summary?: string; status?: number } = {},
  ): Promise<Response> {
    const before = await snapshot();
    const r = await send();
    assert.equal(r.status, options.status ?? 400, r.text.slice(0, 500));
    assert.match(r.text, /class="error-summary"/, "error summary shown");
    assert.ok(r.text.includes(options.summary ?? SUMMARY), `summary “${options.summary ?? SUMMARY}”`);
    for (const message of messages) assert.ok(r.text.includes(message), `message “${message}”`);
    assert.match(r.text, /name="_csrf" value="[^"]+"/, "the form is shown again");
    const after = await snapshot();
    assert.deepEqual(after, before, "nothing written");
    return r;
  }

  /* ------------------------------------------------------------------ citizens */

  describe("citizen registration", () => {
    const good = {
      phone: "13800001234",
      displayName: "王市民",
      password: "Citizen-Pass1",
      passwordConfirm: "Citizen-Pass1",
      agreed: "1",
    };
    const register = (client: HttpClient, fields: Fields) =>
      client.submit("/account/register", "/account/register", fields);

    it("refuses a bad phone number, keeping what was typed but not the password", async () => {
      const visitor = p.client();
      const r = await rejects(
        () => register(visitor, { ...good, phone: "1380000123" }),
        ["请填写 11 位手机号码"],
      );
      assert.match(r.text, /value="1380000123"/);
      assert.ok(!r.text.includes(good.password), "password not echoed");
      assert.equal((await visitor.get("/account")).status, 303, "not signed in");
      await rejects(() => register(visitor, { ...good, phone: "23800001234" }), ["请填写 11 位手机号码"]);
    });

    it("refuses weak passwords", async () => {
      const visitor = p.client();
      await rejects(
        () => register(visitor, { ...good, password: "password1", passwordConfirm: "password1" }),
        ["密码须包含大写字母、小写字母、数字、符号中的至少三种"],
      );
      await rejects(
        () => register(visitor, { ...good, password: "Ab1!", passwordConfirm: "Ab1!" }),
        ["密码至少 8 位"],
      );
    });

    it("refuses a confirmation that does not match", async () => {
      await rejects(
        () => register(p.client(), { ...good, passwordConfirm: "Citizen-Pass2" }),
        ["两次输入的密码不一致"],
      );
    });

    it("refuses when the privacy statement is not agreed to", async () => {
      const { agreed: _, ...notAgreed } = good;
      await rejects(() => register(p.client(), notAgreed), ["请阅读并同意《个人信息保护说明》"]);
    });

    it("refuses a phone number that is already registered, however it is written", async () => {
      const first = await register(p.client(), good);
      assert.equal(first.status, 303, first.text.slice(0, 300));
      await rejects(() => register(p.client(), good), ["该手机号码已注册，请直接登录"], {
        summary: "提交的内容有误",
      });
      await rejects(() => register(p.client(), { ...good, phone: "138 0000 1234" }), ["该手机号码已注册"], {
        summary: "提交的内容有误",
      });
    });
  });

  /* ------------------------------------------------------------------ staff sign-in */

  it("staff sign-in with a wrong password or unknown name: 401 and the same vague message", async () => {
    const { username } = await staffWith(p.ctx, [], "signin");
    const visitor = p.client();
    const login = (name: string, password: string) =>
      visitor.submit("/admin/login", "/admin/login", { username: name, password });
    const wrong = await rejects(() => login(username, "Wrong-Passw0rd!"), [], {
      status: 401,
      summary: "用户名或密码错误",
    });
    const unknown = await rejects(() => login("no.such.user", TEST_PASSWORD), [], {
      status: 401,
      summary: "用户名或密码错误",
    });
    const summary = (r: Response) => /<div class="error-summary"[^>]*>([\s\S]*?)<\/div>/.exec(r.text)?.[1];
    assert.equal(summary(wrong), summary(unknown), "no hint whether the account exists");
    assert.equal((await visitor.get("/admin")).status, 303, "not signed in");
  });

  /* ------------------------------------------------------------------ documents */

  describe("new document", () => {
    const news = (fields: Fields = {}) => ({
      type: "news",
      columnId: String(gzdt),
      title: "表单校验测试",
      summary: "",
      bodyHtml: "<p>正文</p>",
      ...fields,
    });
    const policy = (meta: Record<string, string>) => ({
      type: "policy",
      columnId: String(zcwj),
      title: "关于校验元数据的通知",
      summary: "",
      bodyHtml: "<p>正文</p>",
      "meta.issuer": "",
      "meta.written_date": "",
      "meta.validity": "",
      ...meta,
    });
    const create = (
      fields: Fields,
      files?: Record<string, { name: string; data: Buffer; type?: string }[]>,
    ) => editor.submit("/admin/documents/new", "/admin/documents/new", fields, files);

    it("needs a title", async () => {
      const r = await rejects(() => create(news({ title: "   ", summary: "保留的摘要" })), ["请填写标题"]);
      assert.match(r.text, /保留的摘要/, "what was typed is kept");
    });

    it("needs a column", async () => {
      await rejects(() => create(news({ columnId: "" })), ["请选择所属栏目"], { summary: "提交的内容有误" });
    });

    it("needs a policy's 发文机关, 成文日期 and 有效性", async () => {
      await rejects(() => create(policy({})), ["请填写发文机关", "请填写成文日期", "请填写有效性"]);
    });

    it("refuses a badly written 成文日期 and an unknown 有效性", async () => {
      const ok = { "meta.issuer": "青禾市人力资源和社会保障局", "meta.validity": "有效" };
      await rejects(
        () => create(policy({ ...ok, "meta.written_date": "2026/03/15" })),
        ["成文日期格式不正确（YYYY-MM-DD）"],
      );
      await rejects(
        () => create(policy({ ...ok, "meta.written_date": "2026年3月15日" })),
        ["成文日期格式不正确"],
      );
      await rejects(
        () => create(policy({ ...ok, "meta.written_date": "2026-03-15", "meta.validity": "永久" })),
        ["请选择有效性"],
      );
    });

    it("refuses a 成文日期 that is not a real day", async () => {
      const ok = { "meta.issuer": "青禾市人力资源和社会保障局", "meta.validity": "有效" };
      await rejects(
        () => create(policy({ ...ok, "meta.written_date": "2026-02-30" })),
        ["成文日期格式不正确"],
      );
      await rejects(
        () => create(policy({ ...ok, "meta.written_date": "2026-13-01" })),
        ["成文日期格式不正确"],
      );
    });

    it("refuses an upload whose bytes do not match its name, writing no document, attachment or file", async () => {
      const upload = (name: string, data: string) => ({ files: [{ name, data: Buffer.from(data) }] });
      await rejects(
        () => create(news(), upload("fake.pdf", "这不是 PDF，只是一段文字。")),
        ["文件“fake.pdf”的内容与扩展名不符，请检查后重新上传"],
        { summary: "文件“fake.pdf”的内容与扩展名不符" },
      );
      await rejects(() => create(news(), { files: [{ name: "photo.png", data: PDF }] }), [], {
        summary: "文件“photo.png”的内容与扩展名不符",
      });
      await rejects(() => create(news(), upload("note.txt", "<html><script>alert(1)</script></html>")), [], {
        summary: "文件“note.txt”的内容与扩展名不符",
      });
      await rejects(() => create(news(), upload("tool.exe", "MZ")), [], { summary: "不支持上传“.exe”文件" });
      // a good file next to a bad one is not kept either (in the database: the good file's bytes
      // are written to the store before the bad one is checked, and stay there unreferenced)
      await rejects(
        () =>
          create(news(), {
            files: [
              { name: "good.pdf", data: PDF },
              { name: "bad.pdf", data: Buffer.from("plain text") },
            ],
          }),
        [],
        { summary: "文件“bad.pdf”的内容与扩展名不符" },
      );
    });

    it("attaches a real PDF, serves it only once published, and then as a sandboxed download", async () => {
      // a column without review steps, so submitting publishes at once
      const column = await sysadmin.submit(`/admin/sites/${rsj}/columns`, `/admin/sites/${rsj}/columns`, {
        name: "附件测试",
        slug: "fjcs",
        type: "list",
        columnType: "工作动态",
        parentId: "",
        linkUrl: "",
        updateDays: "",
        step1: "",
        step2: "",
        step3: "",
        position: "20",
        inNav: "",
      });
      assert.equal(column.status, 303, column.text.slice(0, 300));
      const fjcs = await columnId(p.ctx, "rsj", "fjcs");
      const created = await create(news({ columnId: String(fjcs), title: "附带 PDF 的通知" }), {
        files: [{ name: "通知全文.pdf", data: PDF, type: "application/pdf" }],
      });
      assert.equal(created.status, 303, created.text.slice(0, 300));
      const documentId = Number(/^\/admin\/documents\/(\d+)/.exec(created.location)?.[1]);
      const attachment = await p.ctx.db
        .selectFrom("attachments")
        .selectAll()
        .where("document_id", "=", documentId)
        .executeTakeFirstOrThrow();
      assert.equal(attachment.filename, "通知全文.pdf");
      assert.equal(attachment.mime, "application/pdf");
      assert.equal(attachment.size, PDF.length);
      const href = `/files/${attachment.id}/${encodeURIComponent(attachment.filename)}`;

      const visitor = p.client();
      assert.equal((await visitor.get(href)).status, 404, "a draft's file is not public");
      assert.equal((await editor.get(href)).status, 404, "not even to its editor, by this address");

      const published = await editor.submit(
        `/admin/documents/${documentId}`,
        `/admin/documents/${documentId}/submit`,
        {
          publishAt: "",
        },
      );
      assert.equal(published.status, 303, published.text.slice(0, 300));
      assert.match(published.location, /msg=published/);

      const response = await visitor.request(href);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "application/pdf");
      assert.match(response.headers.get("content-disposition") ?? "", /^attachment;/);
      assert.match(
        response.headers.get("content-disposition") ?? "",
        new RegExp(`filename\\*=UTF-8''${encodeURIComponent("通知全文.pdf").replace(/[.%]/g, "\\$&")}`),
      );
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      const csp = response.headers.get("content-security-policy") ?? "";
      assert.match(csp, /\bsandbox\b/);
      assert.match(csp, /default-src 'none'/);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), PDF);
      assert.equal((await visitor.get(`/files/${attachment.id + 1000}/x.pdf`)).status, 404);
    });
  });

  /* ------------------------------------------------------------------ columns */

  describe("column create", () => {
    const column = (fields: Fields) => ({
      name: "新栏目",
      slug: "xlm",
      type: "list",
      columnType: "",
      parentId: "",
      linkUrl: "",
      updateDays: "",
      step1: "",
      step2: "",
      step3: "",
      position: "0",
      inNav: "1",
      ...fields,
    });
    const create = (fields: Fields) =>
      sysadmin.submit(`/admin/sites/${rsj}/columns`, `/admin/sites/${rsj}/columns`, column(fields));

    it("refuses a bad or duplicate path", async () => {
      for (const slug of ["Bad_Slug", "带中文", "", "-lead", "../x"]) {
        await rejects(() => create({ slug }), ["栏目路径为小写字母、数字或连字符"]);
      }
      await rejects(() => create({ slug: "gzdt" }), ["本站点已有相同路径的栏目"]);
    });

    it("refuses a link column without a safe URL", async () => {
      for (const linkUrl of ["", "javascript:alert(1)", "www.example.cn"]) {
        await rejects(
          () => create({ type: "link", linkUrl }),
          ["外链栏目须填写以 http(s):// 或 / 开头的链接地址"],
        );
      }
    });

    it("refuses an update period that is not a positive whole number of days", async () => {
      for (const updateDays of ["abc", "0", "-7", "1.5"]) {
        await rejects(() => create({ updateDays }), ["更新周期应为正整数（天）"]);
      }
    });

    it("refuses a missing name, unknown type and unknown national column type", async () => {
      await rejects(
        () => create({ name: " ", type: "gallery", columnType: "新闻中心" }),
        [
          "请填写栏目名称（不超过 40 字）",
          "请选择栏目类型",
          "栏目分类须取自《政府网站发展指引》规定的栏目类型",
        ],
      );
    });
  });

  /* ------------------------------------------------------------------ sites */

  describe("site create", () => {
    const create = (fields: Fields) =>
      sysadmin.submit("/admin/sites/new", "/admin/sites/new", {
        code: "xzs",
        name: "新站点",
        kind: "topic",
        host: "",
        departmentId: "",
        idCode: "",
        ...fields,
      });

    it("refuses a bad or taken site code", async () => {
      for (const code of ["RSJ", "1abc", "a", "has space"]) {
        await rejects(() => create({ code }), ["站点代码为 2—31 位小写字母、数字或连字符，以字母开头"]);
      }
      await rejects(() => create({ code: "rsj" }), ["该站点代码已被使用"]);
    });

    it("refuses a bad 网站标识码", async () => {
      for (const idCode of ["12345", "bm1234567", "abcdefghij", "12345678901"]) {
        await rejects(() => create({ idCode }), ["网站标识码为 10 位数字或 bm 加 8 位数字"]);
      }
    });

    it("refuses a second portal and a bad host", async () => {
      await rejects(() => create({ kind: "portal" }), ["集约化平台只能有一个门户网站"]);
      await rejects(() => create({ host: "bad host/" }), ["域名只能包含小写字母、数字、点和连字符"]);
    });
  });

  /* ------------------------------------------------------------------ users and grants */

  describe("user create", () => {
    const create = (fields: Fields) =>
      sysadmin.submit("/admin/users/new", "/admin/users/new", {
        username: "new.user",
        displayName: "新用户",
        password: "Good-Passw0rd",
        departmentId: "",
        ...fields,
      });

    it("refuses a bad username", async () => {
      for (const username of ["ab", "has space", "名字", "a".repeat(41)]) {
        await rejects(() => create({ username }), ["用户名为 3—40 位字母、数字、下划线、点或连字符"]);
      }
    });

    it("refuses a weak password, and does not echo it", async () => {
      const r = await rejects(
        () => create({ password: "password" }),
        ["密码须包含大写字母、小写字母、数字、符号中的至少三种"],
      );
      assert.doesNotMatch(r.text, /value="password"/);
      await rejects(() => create({ password: "Sh0rt!" }), ["密码至少 8 位"]);
    });

    it("refuses a username already in use", async () => {
      const { username } = await staffWith(p.ctx, [], "taken");
      await rejects(() => create({ username }), ["该用户名已被使用"], { summary: "提交的内容有误" });
    });
  });

  describe("grant add", () => {
    const grant = (fields: Fields) =>
      security.submit(`/admin/users/${grantee}`, `/admin/users/${grantee}/grants`, {
        role: "reviewer",
        scope: `site:${rsj}`,
        reviewLevel: "",
        ...fields,
      });
    const rejectsGrant = (fields: Fields, message: string) =>
      rejects(() => grant(fields), [], { summary: message });

    it("refuses a reviewer without a review level", async () => {
      await rejectsGrant({}, "审核人须指定审核级别（第 1—3 级）");
      await rejectsGrant({ reviewLevel: "4" }, "审核人须指定审核级别（第 1—3 级）");
      await rejectsGrant({ reviewLevel: "0" }, "审核人须指定审核级别（第 1—3 级）");
    });

    it("refuses a missing scope, an unknown role, a site-bound sysadmin and a column of another site", async () => {
      await rejects(() => grant({ scope: "" }), ["请选择授权范围"], { summary: "提交的内容有误" });
      await rejectsGrant({ role: "superuser", reviewLevel: "1" }, "请选择角色");
      await rejectsGrant({ role: "sysadmin" }, "系统管理员的授权范围只能是全部站点");
      const ybjGzdt = await columnId(p.ctx, "ybj", "gzdt");
      await rejectsGrant({ role: "editor", scope: `column:${rsj}:${ybjGzdt}` }, "所选栏目不属于所选站点");
    });

    it("control: a well-formed reviewer grant is stored", async () => {
      const r = await grant({ reviewLevel: "2" });
      assert.equal(r.status, 303, r.text.slice(0, 300));
      const rows = await p.ctx.db
        .selectFrom("grants")
        .select(["role", "site_id", "column_id", "review_level"])
        .where("user_id", "=", grantee)
        .execute();
      assert.deepEqual(rows, [{ role: "reviewer", site_id: rsj, column_id: null, review_level: 2 }]);
    });
  });
});

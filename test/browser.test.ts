import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { assertAccessible, axeViolations, describeViolations, launchBrowser } from "./support/browser.ts";
import {
  siteId,
  staffWith,
  startTestPlatform,
  TEST_PASSWORD,
  type TestPlatform,
} from "./support/platform.ts";

const PUBLIC_PAGES = [
  "/",
  "/col/zcwj/",
  "/col/zwgk/",
  "/col/qhgk/",
  "/ref/pol-001",
  "/ref/jd-001",
  "/sites/rsj/",
  "/sites/rsj/col/zfxxgk/",
  "/sites/rsj/col/xxgkzn/",
  "/sites/rsj/col/xxgknb/",
  "/czyjs/",
  "/czyjs/2025/",
  "/zdxm/",
  "/zdxm/1/",
  "/sites/jyj/czyjs/",
  "/sitemap/",
  "/wzbs/",
  "/account/login",
  "/account/register",
  "/nope",
];

/** Public pages drawn in a site frame (they carry the national tags and footer). */
const FRAMED_PAGES: { path: string; kind: "site" | "column" | "article" }[] = [
  { path: "/", kind: "site" },
  { path: "/col/zcwj/", kind: "column" },
  { path: "/col/zwgk/", kind: "column" },
  { path: "/col/qhgk/", kind: "article" }, // a single-page column shows its one document (column tags: see below)
  { path: "/ref/pol-001", kind: "article" },
  { path: "/ref/jd-001", kind: "article" },
  { path: "/sites/rsj/", kind: "site" },
  { path: "/sitemap/", kind: "site" },
  { path: "/wzbs/", kind: "site" },
];

/**
 * Real pages in real headless Chromium over real HTTP: accessibility (axe-core, WCAG 2.1 A/AA),
 * keyboard use, pages without JavaScript, the mobile layout and the national page tags.
 */
describe("in a real browser", () => {
  let p: TestPlatform;
  let browser: Browser;
  let admin: { id: number; username: string };
  let documentId: number;
  let portalSiteId: number;
  const contexts: BrowserContext[] = [];
  const newContext = async (options: Parameters<Browser["newContext"]>[0] = {}) => {
    const context = await browser.newContext({ baseURL: p.baseUrl, locale: "zh-CN", ...options });
    context.setDefaultTimeout(5000);
    contexts.push(context);
    return context;
  };

  before(async () => {
    const [platform, launched] = await Promise.all([startTestPlatform("demo"), launchBrowser()]);
    p = platform;
    browser = launched;
    admin = await staffWith(p.ctx, [{ role: "sysadmin" }, { role: "site_admin" }], "admin");
    documentId = (
      await p.ctx.db
        .selectFrom("documents")
        .select("id")
        .where("ref", "=", "pol-001")
        .executeTakeFirstOrThrow()
    ).id;
    portalSiteId = (
      await p.ctx.db.selectFrom("sites").select("id").where("kind", "=", "portal").executeTakeFirstOrThrow()
    ).id;
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await p?.close();
  });

  it("public pages have no WCAG 2.1 A/AA violations", async () => {
    const page = await (await newContext({ bypassCSP: true })).newPage();
    const problems: string[] = [];
    const rsj = await siteId(p.ctx, "rsj");
    const report = await p.ctx.db
      .selectFrom("annual_reports")
      .select("document_id")
      .where("site_id", "=", rsj)
      .where("year", "=", 2025)
      .executeTakeFirstOrThrow();
    for (const path of [...PUBLIC_PAGES, `/sites/rsj/art/${report.document_id}.html`]) {
      const response = await page.goto(path);
      assert.equal(response?.status(), path === "/nope" ? 404 : 200, path);
      const violations = await axeViolations(page);
      if (violations.length) problems.push(describeViolations(path, violations));
    }
    assert.equal(problems.length, 0, problems.join("\n"));
  });

  it("admin pages have no WCAG 2.1 A/AA violations, signed in through the login form", async () => {
    const page = await (await newContext({ bypassCSP: true })).newPage();
    await page.goto("/admin/login");
    await assertAccessible(page, "/admin/login");
    await page.getByLabel("用户名").fill(admin.username);
    await page.getByLabel("密码").fill(TEST_PASSWORD);
    await Promise.all([page.waitForURL("**/admin"), page.getByRole("button", { name: "登录" }).click()]);
    const rsj = await siteId(p.ctx, "rsj");
    const problems: string[] = [];
    for (const path of [
      "/admin",
      "/admin/documents",
      "/admin/documents/new",
      `/admin/documents/${documentId}`,
      "/admin/sites",
      `/admin/sites/${portalSiteId}/columns`,
      `/admin/sites/${rsj}/columns`,
      "/admin/users",
      "/admin/users/new",
    ]) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 200, path);
      assert.equal(new URL(page.url()).pathname, path, `${path} 跳转到了 ${page.url()}`);
      const violations = await axeViolations(page);
      if (violations.length) problems.push(describeViolations(path, violations));
    }
    assert.equal(problems.length, 0, problems.join("\n"));
  });

  it("the first Tab reaches the skip link, which moves focus to the main content", async () => {
    const page = await (await newContext()).newPage();
    await page.goto("/");
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = (globalThis as unknown as { document: { activeElement: { textContent: string } | null } })
        .document.activeElement;
      return el?.textContent?.trim() ?? "";
    });
    assert.equal(focused, "跳到主要内容");
    const box = await page.getByRole("link", { name: "跳到主要内容" }).boundingBox();
    assert.ok(box && box.x >= 0 && box.y >= 0 && box.width > 0, "获得焦点的跳转链接应在屏幕上可见");
    await page.keyboard.press("Enter");
    await page.waitForFunction("document.activeElement && document.activeElement.id === 'main'");
    assert.equal(await page.evaluate("document.activeElement.tagName"), "MAIN");
    assert.match(page.url(), /#main$/);
  });

  it("the staff login form can be completed and submitted with the keyboard alone", async () => {
    const page = await (await newContext()).newPage();
    await page.goto("/admin/login");
    // walk from the top of the page: Tab into the user name, type, Tab to the password, type, Enter
    let steps = 0;
    while ((await page.evaluate("document.activeElement && document.activeElement.id")) !== "f-username") {
      await page.keyboard.press("Tab");
      steps += 1;
      assert.ok(steps < 10, "用户名输入框无法用 Tab 键到达");
    }
    await page.keyboard.type(admin.username);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate("document.activeElement.id"), "f-password");
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate("document.activeElement.textContent.trim()"), "登录");
    await Promise.all([page.waitForURL("**/admin"), page.keyboard.press("Enter")]);
    await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "工作台" }).waitFor());
  });

  it("works without JavaScript: articles render and the register form explains errors in Chinese", async () => {
    const page = await (await newContext({ javaScriptEnabled: false })).newPage();
    const article = await page.goto("/ref/pol-001");
    assert.equal(article?.status(), 200);
    assert.equal(
      (await page.locator("h1").first().textContent())?.trim(),
      "关于公布2024年度社会保险缴费基数上下限的通知",
    );

    await page.goto("/account/register");
    // blank answers: spaces get past the browser's own `required` check, so the server must refuse them
    for (const label of [/^手机号码/, /^称呼/, /^密码/, /^确认密码/]) await page.getByLabel(label).fill(" ");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/account/register") && r.request().method() === "POST"),
      page.getByRole("button", { name: "注册" }).click(),
    ]);
    assert.equal(response.status(), 400);
    await page.waitForLoadState();
    const summary = page.locator(".error-summary[role=alert]");
    assert.equal(await summary.count(), 1, "缺少错误摘要");
    const text = (await summary.textContent()) ?? "";
    assert.match(text, /[\u4e00-\u9fff]{4,}/, `错误摘要应为中文：${text}`);
    assert.doesNotMatch(text, /[A-Za-z]{4,}/, `错误摘要不应含英文：${text}`);
    assert.ok((await summary.locator("a[href^='#f-']").count()) > 0, "错误摘要应链接到出错的字段");
    assert.ok((await page.locator("[aria-invalid=true]").count()) > 0, "出错字段应标记 aria-invalid");
    assert.match((await page.locator(".error-message").first().textContent()) ?? "", /[\u4e00-\u9fff]/);

    // a completely empty form is stopped by the browser itself (`required`), without any script
    await page.goto("/account/register");
    let posted = false;
    page.on("request", (r) => {
      if (r.method() === "POST") posted = true;
    });
    await page.getByRole("button", { name: "注册" }).click();
    assert.ok((await page.locator("input:invalid").count()) > 0, "必填字段应由浏览器校验");
    assert.equal(new URL(page.url()).pathname, "/account/register");
    assert.equal(posted, false, "必填字段为空时浏览器不应提交");
  });

  it("fits a 375px-wide phone screen without horizontal scrolling", async () => {
    const page = await (
      await newContext({ viewport: { width: 375, height: 740 }, isMobile: true })
    ).newPage();
    for (const path of ["/", "/col/zcwj/", "/ref/pol-001"]) {
      await page.goto(path);
      const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
      assert.ok(width <= 376, `${path} 在 375px 宽屏幕上出现横向滚动（scrollWidth=${width}）`);
    }
  });

  const tagsOf = async (page: Page, names: string[]) => {
    const found: Record<string, string[]> = {};
    for (const name of names)
      found[name] = await page
        .locator(`head meta[name="${name}"]`)
        .evaluateAll(
          (list, attr) =>
            list.map(
              (m) => (m as unknown as { getAttribute(a: string): string | null }).getAttribute(attr) ?? "",
            ),
          "content",
        );
    return found;
  };
  const assertTags = async (page: Page, path: string, names: string[]) => {
    const found = await tagsOf(page, names);
    for (const name of names) {
      assert.equal(found[name]?.length, 1, `${path} 应有且只有一个 <meta name="${name}">`);
      assert.ok(found[name]?.[0]?.trim(), `${path} 的 <meta name="${name}"> 为空`);
    }
    return found;
  };

  it("every framed public page carries the national page tags and footer", async () => {
    const page = await (await newContext()).newPage();
    for (const { path, kind } of FRAMED_PAGES) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 200, path);
      const names = ["SiteName", "SiteDomain", "SiteIDCode"];
      if (kind === "column") names.push("ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType");
      if (kind === "article") names.push("ArticleTitle", "PubDate", "ContentSource");
      const found = await assertTags(page, path, names);
      if (kind === "article")
        assert.match(
          found.PubDate?.[0] ?? "",
          /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/,
          `${path} 的 PubDate 格式应为 YYYY-MM-DD HH:MM`,
        );
      const footer = (await page.locator("footer").textContent()) ?? "";
      for (const text of ["网站标识码", "网站地图", "我为政府网站找错"])
        assert.ok(footer.includes(text), `${path} 页脚缺少“${text}”`);
    }
  });

  it("a single-page column also carries the column tags", async () => {
    const page = await (await newContext()).newPage();
    await page.goto("/col/qhgk/");
    await assertTags(page, "/col/qhgk/", ["ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType"]);
  });
});

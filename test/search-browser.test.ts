import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { axeViolations, describeViolations, launchBrowser } from "./support/browser.ts";
import { staffWith, startTestPlatform, TEST_PASSWORD, type TestPlatform } from "./support/platform.ts";

const enc = encodeURIComponent;

describe("search and assistant pages in a real browser", () => {
  let p: TestPlatform;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const newContext = async (options: Parameters<Browser["newContext"]>[0] = {}) => {
    const context = await browser.newContext({ baseURL: p.baseUrl, locale: "zh-CN", ...options });
    context.setDefaultTimeout(5000);
    contexts.push(context);
    return context;
  };

  before(async () => {
    [p, browser] = await Promise.all([startTestPlatform("demo"), launchBrowser()]);
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await p?.close();
  });

  it("public search and assistant pages have no WCAG 2.1 A/AA violations", async () => {
    const page = await (await newContext({ bypassCSP: true })).newPage();
    const problems: string[] = [];
    for (const path of [
      "/search",
      `/search?q=${enc("公积金")}`,
      `/search?q=${enc("低报标准")}`,
      `/search?q=${enc("量子纠缠")}`,
      `/sites/rsj/search?q=${enc("社保")}&type=policy`,
      "/assistant",
      `/assistant?q=${enc("残疾人证怎么办理")}`,
      `/assistant?q=${enc("公积金提取")}`,
      `/assistant?q=${enc("护照过期了在哪里换新的")}`,
      "/assistant/faq/1",
    ]) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 200, path);
      const violations = await axeViolations(page);
      if (violations.length) problems.push(describeViolations(path, violations));
    }
    assert.equal(problems.length, 0, problems.join("\n"));
  });

  it("searches from the header of any page at 360 px, keyboard only, without JavaScript", async () => {
    const context = await newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto("/sites/rsj/");
    await page.getByLabel("站内搜索").fill("灵活就业");
    await page.keyboard.press("Enter");
    await page.waitForURL("**/sites/rsj/search?q=*");
    assert.ok((await page.locator(".search-hit").count()) > 0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `页面横向溢出 ${overflow}px`);
    await page.goto("/assistant");
    await page.getByLabel("您的问题").fill("营业执照多久能办下来");
    await page.getByRole("button", { name: "提问" }).click();
    await page.waitForURL("**/assistant?q=*");
    assert.ok(await page.getByText("信息来源").isVisible());
  });

  it("suggests completions as the visitor types when JavaScript is on", async () => {
    const page = await (await newContext()).newPage();
    await page.goto("/search");
    await page.getByLabel("搜索内容").fill("公积");
    await page.waitForFunction(() => document.querySelectorAll("#search-suggest option").length > 0);
    const options = await page
      .locator("#search-suggest option")
      .evaluateAll((list) => list.map((o) => (o as HTMLOptionElement).value));
    assert.ok(options.includes("公积金"), options.join(","));
  });

  it("admin pages for search and the knowledge base have no violations", async () => {
    const admin = await staffWith(p.ctx, [{ role: "site_admin" }], "a11yadmin");
    const page = await (await newContext({ bypassCSP: true })).newPage();
    await page.goto("/admin/login");
    await page.getByLabel("用户名").fill(admin.username);
    await page.getByLabel("密码").fill(TEST_PASSWORD);
    await Promise.all([page.waitForURL("**/admin"), page.getByRole("button", { name: "登录" }).click()]);
    const problems: string[] = [];
    for (const path of [
      "/admin/search",
      "/admin/assistant",
      "/admin/assistant/faqs",
      "/admin/assistant/faqs/1",
      "/admin/assistant/faqs/new",
    ]) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 200, path);
      const violations = await axeViolations(page);
      if (violations.length) problems.push(describeViolations(path, violations));
    }
    assert.equal(problems.length, 0, problems.join("\n"));
  });
});

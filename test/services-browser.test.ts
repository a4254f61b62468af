import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { assertAccessible, launchBrowser } from "./support/browser.ts";
import {
  siteId,
  staffWith,
  startTestPlatform,
  TEST_PASSWORD,
  type TestPlatform,
} from "./support/platform.ts";
import { itemByRef, PDF } from "./support/services.ts";

/**
 * 政务服务 in real Chromium: every public page passes axe-core; a citizen goes from the guide to a
 * submitted application with JavaScript off; officers run the procedure in the admin; the licence
 * verifies through its page. Pages fit a 360px-wide phone.
 */
describe("政务服务 in a real browser", () => {
  let p: TestPlatform;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const newContext = async (options: Parameters<Browser["newContext"]>[0] = {}) => {
    const context = await browser.newContext({ baseURL: p.baseUrl, locale: "zh-CN", ...options });
    context.setDefaultTimeout(5000);
    contexts.push(context);
    return context;
  };
  let guidePath = "";
  let bundlePath = "";

  before(async () => {
    const [platform, launched] = await Promise.all([startTestPlatform("demo"), launchBrowser()]);
    p = platform;
    browser = launched;
    const item = await itemByRef(p, "svc-004");
    guidePath = `/sites/gaj/bsfw/item/${item.code}`;
    const bundle = await p.ctx.db
      .selectFrom("service_bundles")
      .select("id")
      .where("ref", "=", "yjs-01")
      .executeTakeFirstOrThrow();
    bundlePath = `/bsfw/yjs/${bundle.id}`;
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await p?.close();
  });

  it("passes axe-core on the public service pages and fits a 360px screen", async () => {
    const page = await (
      await newContext({ viewport: { width: 360, height: 740 }, isMobile: true, bypassCSP: true })
    ).newPage();
    for (const path of [
      "/bsfw/",
      `/bsfw/?dx=${encodeURIComponent("法人")}&zt=${encodeURIComponent("设立变更")}`,
      `/bsfw/?q=${encodeURIComponent("公积金")}`,
      "/sites/rsj/bsfw/",
      guidePath,
      `${guidePath}/print`,
      "/bsfw/yjs/",
      bundlePath,
      "/bsfw/cx/",
      "/bsfw/hcp/",
      `/bsfw/zcjsq/?dx=${encodeURIComponent("法人")}`,
      `/bsfw/zcjsq/?dx=${encodeURIComponent("个人")}&age=82&hukou=${encodeURIComponent("本市户籍")}&run=1`,
    ]) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 200, path);
      await assertAccessible(page, path);
      const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
      assert.ok(width <= 361, `${path} 在 360px 宽屏幕上出现横向滚动（scrollWidth=${width}）`);
    }
  });

  it("takes a citizen from the guide to a completed application with a verifiable licence, the citizen side without JavaScript", async () => {
    const citizenContext = await newContext({ javaScriptEnabled: false });
    const citizen = await citizenContext.newPage();
    await citizen.goto("/account/register");
    await citizen.getByLabel(/^手机号码/).fill("13600001234");
    await citizen.getByLabel(/^称呼/).fill("孙浏览");
    await citizen.getByLabel(/^密码/).fill("Citizen-Pass1");
    await citizen.getByLabel(/^确认密码/).fill("Citizen-Pass1");
    await citizen.locator("#f-agreed").check();
    await Promise.all([
      citizen.waitForURL("**/account"),
      citizen.getByRole("button", { name: "注册" }).click(),
    ]);
    // axe needs script: the same pages are checked in a second window signed in as the same citizen
    const inspectorContext = await newContext({ bypassCSP: true });
    await inspectorContext.addCookies(await citizenContext.cookies());
    const inspector = await inspectorContext.newPage();
    const inspect = async (path: string) => {
      assert.equal((await inspector.goto(path))?.status(), 200, path);
      await assertAccessible(inspector, path);
    };

    await citizen.goto(guidePath);
    await citizen.getByRole("link", { name: "在线申请" }).click();
    await citizen.waitForURL(`**${guidePath}/apply`);
    await inspect(`${guidePath}/apply`);
    assert.equal(await citizen.getByLabel(/^申请人姓名/).inputValue(), "孙浏览");

    // a wrong ID number: the message is next to the field and the other answers stay
    await citizen.getByLabel(/^居民身份证号码/).fill("110105194912310021");
    await citizen.getByLabel(/^结果领取方式/).selectOption("邮寄送达");
    await citizen.getByRole("button", { name: "提交申请" }).click();
    await citizen.waitForLoadState();
    assert.ok(
      ((await citizen.locator("#f-idNumber-error").textContent()) ?? "").includes(
        "请填写正确的 18 位居民身份证号码",
      ),
    );
    assert.equal(await citizen.getByLabel(/^结果领取方式/).inputValue(), "邮寄送达");
    await inspector.getByRole("button", { name: "提交申请" }).click();
    await inspector.waitForLoadState();
    assert.equal(await inspector.locator(".error-summary").count(), 1);
    await assertAccessible(inspector, "apply with errors");

    await citizen.getByLabel(/^居民身份证号码/).fill("11010519491231002X");
    await citizen
      .locator("#f-m0")
      .setInputFiles({ name: "身份证.pdf", mimeType: "application/pdf", buffer: PDF });
    await citizen
      .locator("#f-m3")
      .setInputFiles({ name: "照片.pdf", mimeType: "application/pdf", buffer: PDF });
    await citizen.getByRole("button", { name: "提交申请" }).click();
    await citizen.waitForLoadState();
    const number = ((await citizen.locator(".confirmation strong.code").textContent()) ?? "").trim();
    assert.match(number, /^BJ/);

    const staff = await staffWith(
      p.ctx,
      [{ role: "site_admin", siteId: await siteId(p.ctx, "gaj") }],
      "gajhead",
    );
    const officer = await (await newContext({ bypassCSP: true })).newPage();
    await officer.goto("/admin/login");
    await officer.getByLabel("用户名").fill(staff.username);
    await officer.getByLabel("密码").fill(TEST_PASSWORD);
    await Promise.all([
      officer.waitForURL("**/admin"),
      officer.getByRole("button", { name: "登录" }).click(),
    ]);
    await officer.goto("/admin/services");
    await assertAccessible(officer, "/admin/services");
    await officer.getByRole("link", { name: number }).click();
    await assertAccessible(officer, "case detail");
    const step = async (page: Page, button: string) => {
      await Promise.all([
        page.waitForURL("**msg=updated"),
        page.getByRole("button", { name: button }).click(),
      ]);
    };
    await step(officer, "预审通过，予以受理");
    await step(officer, "审查完毕，提请决定");
    await step(officer, "决定准予");
    await step(officer, "办结");
    await assertAccessible(officer, "completed case");

    await inspect("/account/bsfw/");
    await inspect(`/account/bsfw/${number}`);
    await citizen.goto("/account/bsfw/");
    await citizen.getByRole("link", { name: number }).click();
    assert.ok(((await citizen.locator("dl.summary-list").textContent()) ?? "").includes("已办结"));
    for (const step of ["提交申请", "预审通过，予以受理", "决定准予", "办结"])
      assert.ok(((await citizen.locator("ol.timeline").textContent()) ?? "").includes(step), step);
    await citizen.locator("#f-score-4").check();
    for (const d of ["d0", "d1", "d2", "d3"]) await citizen.locator(`#f-${d}-5`).check();
    await citizen.getByRole("button", { name: "提交评价" }).click();
    await citizen.waitForLoadState();
    assert.ok(((await citizen.locator("main").textContent()) ?? "").includes("您的评价：满意"));

    await inspect("/account/licences");
    await citizen.goto("/account/licences");
    await citizen.getByRole("link", { name: "机动车驾驶证" }).click();
    await citizen.waitForLoadState();
    assert.ok(((await citizen.locator(".verdict").textContent()) ?? "").includes("有效"));
    await inspect(new URL(citizen.url()).pathname);
    await inspect("/account/inbox");
    await citizen.goto("/account/inbox");
    assert.ok(((await citizen.locator("main").textContent()) ?? "").includes("已签发"));

    await citizen.goto("/bsfw/cx/");
    await citizen.getByLabel(/^办件编号/).fill(number);
    await citizen.getByLabel(/^申请时填写的联系电话/).fill("13600001234");
    await citizen.getByRole("button", { name: "查询" }).click();
    await citizen.waitForLoadState();
    assert.ok(((await citizen.locator("main").textContent()) ?? "").includes("已办结"));
    await inspector.goto("/bsfw/cx/");
    await inspector.getByLabel(/^办件编号/).fill(number);
    await inspector.getByLabel(/^申请时填写的联系电话/).fill("13600001234");
    await inspector.getByRole("button", { name: "查询" }).click();
    await inspector.waitForLoadState();
    await assertAccessible(inspector, "lookup result");
    // the receipt, from a second application made in the inspecting window
    await inspector.goto(`${guidePath}/apply`);
    await inspector.getByLabel(/^居民身份证号码/).fill("11010519491231002X");
    await inspector.getByLabel(/^结果领取方式/).selectOption("窗口领取");
    await inspector
      .locator("#f-m0")
      .setInputFiles({ name: "身份证.pdf", mimeType: "application/pdf", buffer: PDF });
    await inspector
      .locator("#f-m3")
      .setInputFiles({ name: "照片.pdf", mimeType: "application/pdf", buffer: PDF });
    await inspector.getByRole("button", { name: "提交申请" }).click();
    await inspector.waitForLoadState();
    assert.equal(await inspector.locator(".confirmation").count(), 1);
    await assertAccessible(inspector, "receipt");
  });

  it("passes axe-core on the bundle form and the admin catalogue pages", async () => {
    const admin = await staffWith(p.ctx, [{ role: "site_admin" }], "svcadmin");
    const page = await (await newContext({ bypassCSP: true })).newPage();
    await page.goto("/admin/login");
    await page.getByLabel("用户名").fill(admin.username);
    await page.getByLabel("密码").fill(TEST_PASSWORD);
    await Promise.all([page.waitForURL("**/admin"), page.getByRole("button", { name: "登录" }).click()]);
    const item = await itemByRef(p, "svc-001");
    for (const path of [
      "/admin/services/items",
      "/admin/services/completeness",
      `/admin/services/items/${item.id}`,
      "/admin/services/items/new",
      "/admin/services/followups",
      "/admin/services/rules",
      "/admin/services/rules/new",
    ]) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 200, path);
      await assertAccessible(page, path);
    }
    const citizen = await (await newContext({ bypassCSP: true })).newPage();
    await citizen.goto("/account/register");
    await citizen.getByLabel(/^手机号码/).fill("13600005678");
    await citizen.getByLabel(/^称呼/).fill("钱一件");
    await citizen.getByLabel(/^密码/).fill("Citizen-Pass1");
    await citizen.getByLabel(/^确认密码/).fill("Citizen-Pass1");
    await citizen.locator("#f-agreed").check();
    await Promise.all([
      citizen.waitForURL("**/account"),
      citizen.getByRole("button", { name: "注册" }).click(),
    ]);
    await citizen.goto(`${bundlePath}/apply`);
    await assertAccessible(citizen, "bundle apply");
    await citizen.getByRole("button", { name: "一次提交" }).click();
    await citizen.waitForLoadState();
    await assertAccessible(citizen, "bundle apply with errors");
  });
});

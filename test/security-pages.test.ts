import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { generateSync } from "otplib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { beginEnrolment, confirmEnrolment } from "../src/modules/identity/mfa.ts";
import { assertAccessible, launchBrowser } from "./support/browser.ts";
import {
  siteId,
  staffWith,
  startTestPlatform,
  TEST_PASSWORD,
  type TestPlatform,
} from "./support/platform.ts";

/**
 * The sign-in steps and security pages in Chromium: no WCAG 2.1 A/AA violations, and each step
 * completed with the keyboard through plain forms.
 */
describe("security pages in the browser", () => {
  let p: TestPlatform;
  let browser: Browser;
  let rsj: number;
  const contexts: BrowserContext[] = [];

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ baseURL: p.baseUrl, locale: "zh-CN", bypassCSP: true });
    context.setDefaultTimeout(5000);
    contexts.push(context);
    return context.newPage();
  };
  const signIn = async (page: Page, username: string) => {
    await page.goto("/admin/login");
    await page.getByLabel("用户名").fill(username);
    await page.getByLabel("密码").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
  };
  const check = async (page: Page, path: string) => {
    const response = await page.goto(path);
    assert.equal(response?.status(), 200, path);
    await assertAccessible(page, path);
  };

  before(async () => {
    const [platform, launched] = await Promise.all([startTestPlatform("demo"), launchBrowser()]);
    p = platform;
    browser = launched;
    rsj = await siteId(p.ctx, "rsj");
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await p?.close();
  });

  it("account security, enrolment and password pages; the security administrator's levers", async () => {
    const secadmin = await staffWith(p.ctx, [{ role: "security_admin" }], "secadmin");
    const editor = await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "editor");
    const page = await newPage();
    await signIn(page, secadmin.username);
    await page.waitForURL(/\/admin$/);
    for (const path of [
      "/admin/security",
      "/admin/security/mfa",
      "/admin/security/password",
      `/admin/users/${editor.id}`,
    ])
      await check(page, path);
    // a failed password change shows its messages accessibly
    await page.goto("/admin/security/password");
    await page.getByLabel("当前密码").fill("wrong");
    await page.getByLabel("新密码", { exact: false }).first().fill("short");
    await page.getByLabel("确认新密码").fill("short");
    await page.getByRole("button", { name: "修改密码" }).click();
    await page.getByText("当前密码不正确").first().waitFor();
    await assertAccessible(page, "/admin/security/password (errors)");
  });

  it("the TOTP step, completed with the keyboard", async () => {
    const reviewer = await staffWith(p.ctx, [{ role: "reviewer", siteId: rsj, reviewLevel: 1 }], "reviewer");
    const { secret } = await beginEnrolment(p.ctx, reviewer.id);
    await confirmEnrolment(p.ctx, reviewer.id, generateSync({ secret }));
    const page = await newPage();
    await signIn(page, reviewer.username);
    await page.waitForURL(/\/admin\/login\/mfa/);
    await assertAccessible(page, "/admin/login/mfa");
    await page.getByLabel("动态口令或恢复码").focus();
    await page.keyboard.type(generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/admin$/);
    assert.match(await page.locator("h1").innerText(), /工作台/);
  });

  it("forced enrolment and an expired password", async () => {
    const late = await staffWith(p.ctx, [{ role: "site_admin", siteId: rsj }], "late");
    const stale = await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "stale");
    await sql`update users set created_at = now() - interval '30 days' where id = ${late.id}`.execute(
      p.ctx.db,
    );
    await sql`update users set password_changed_at = now() - interval '200 days' where id = ${stale.id}`.execute(
      p.ctx.db,
    );
    const enrol = await newPage();
    await signIn(enrol, late.username);
    await enrol.waitForURL(/\/admin\/login\/enrol/);
    await assertAccessible(enrol, "/admin/login/enrol");
    const secret = (await enrol.locator(".totp-secret").innerText()).replace(/\s/g, "");
    await enrol.getByLabel("动态口令").fill(generateSync({ secret }));
    await enrol.getByRole("button", { name: "完成绑定" }).click();
    await enrol.getByText("只显示这一次").waitFor();
    await assertAccessible(enrol, "recovery codes");
    await enrol.getByRole("link", { name: "我已保存，继续" }).click();
    await enrol.waitForURL(/\/admin$/);

    const expired = await newPage();
    await signIn(expired, stale.username);
    await expired.waitForURL(/\/admin\/login\/password/);
    await assertAccessible(expired, "/admin/login/password");
  });

  it("citizen SMS sign-in pages", async () => {
    const page = await newPage();
    await check(page, "/account/sms");
    await page.getByRole("textbox", { name: /手机号码/ }).fill("13811112222");
    await page.getByRole("button", { name: "获取验证码" }).click();
    await page.locator(".error-summary").waitFor();
    await assertAccessible(page, "/account/sms (errors)");
    assert.equal(
      await page.getByRole("textbox", { name: /手机号码/ }).inputValue(),
      "13811112222",
      "keeps what was typed",
    );
    await page.getByLabel(/我已阅读并同意/).check();
    await page.getByRole("button", { name: "获取验证码" }).click();
    await page.getByText("验证码已发送至 138****2222").waitFor();
    await assertAccessible(page, "/account/sms/send");
    await check(page, "/account/login");
  });
});

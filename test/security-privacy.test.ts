import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { assertAccessible, launchBrowser } from "./support/browser.ts";
import type { HttpClient } from "./support/http.ts";
import { startTestPlatform, type TestPlatform } from "./support/platform.ts";

/** PIPL rights over HTTP: a privacy statement, a copy of one's data, closing the account. */
describe("citizen privacy rights", () => {
  let p: TestPlatform;
  let citizen: HttpClient;
  let browser: Browser | undefined;
  const PHONE = "13912340000";
  const PASSWORD = "Citizen-Pass1";

  before(async () => {
    p = await startTestPlatform("demo");
    citizen = p.client();
    const r = await citizen.submit("/account/register", "/account/register", {
      phone: PHONE,
      displayName: "周先生",
      password: PASSWORD,
      passwordConfirm: PASSWORD,
      agreed: "1",
    });
    assert.equal(r.status, 303);
  });
  after(async () => {
    await browser?.close();
    await p.close();
  });

  it("states what is collected, why and for how long", async () => {
    const page = await p.client().get("/privacy");
    assert.equal(page.status, 200);
    for (const text of ["手机号码", "保存多久", "至少保存六个月", "注销账号"])
      assert.ok(page.text.includes(text), text);
    const account = await citizen.get("/account");
    assert.match(account.text, /href="\/account\/data.json"/);
    assert.match(account.text, /href="\/account\/close"/);
  });

  it("gives the citizen a copy of their data, and records it", async () => {
    const response = await citizen.request("/account/data.json");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-disposition") ?? "", /attachment/);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const data = (await response.json()) as { 账号: { 手机号码: string; 称呼: string }; 登录记录: unknown[] };
    assert.equal(data.账号.手机号码, PHONE);
    assert.equal(data.账号.称呼, "周先生");
    assert.ok(Array.isArray(data.登录记录));
    assert.equal((await p.client().get("/account/data.json")).status, 303, "only for the signed-in citizen");
    const exported = await p.ctx.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "=", "citizen.exported")
      .execute();
    assert.equal(exported.length, 1);
  });

  it("closes the account only with the full number and a confirmation, erasing the phone", async () => {
    const wrong = await citizen.submit("/account/close", "/account/close", {
      phone: "13900000000",
      confirm: "1",
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /手机号码与本账号不符/);
    const unconfirmed = await citizen.submit("/account/close", "/account/close", { phone: PHONE });
    assert.match(unconfirmed.text, /请确认您要注销账号/);
    const done = await citizen.submit("/account/close", "/account/close", { phone: PHONE, confirm: "1" });
    assert.equal(done.status, 200);
    assert.match(done.text, /账号已注销/);
    assert.equal((await citizen.get("/account")).status, 303, "signed out");
    const again = await p
      .client()
      .submit("/account/login", "/account/login", { phone: PHONE, password: PASSWORD });
    assert.equal(again.status, 401);
    const row = await p.ctx.db
      .selectFrom("users")
      .select(["display_name", "phone_enc", "phone_masked", "status"])
      .where("display_name", "=", "已注销用户")
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, {
      display_name: "已注销用户",
      phone_enc: null,
      phone_masked: null,
      status: "disabled",
    });
  });

  it("the privacy pages pass axe", async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ baseURL: p.baseUrl, locale: "zh-CN", bypassCSP: true });
    const page = await context.newPage();
    await page.goto("/privacy");
    await assertAccessible(page, "/privacy");
    await page.goto("/account/register");
    await page.getByRole("textbox", { name: /手机号码/ }).fill("13912341111");
    await page.getByLabel(/^称呼/).fill("吴女士");
    await page.getByLabel(/^密码/).fill(PASSWORD);
    await page.getByLabel(/^确认密码/).fill(PASSWORD);
    await page.getByLabel(/我已阅读并同意/).check();
    await page.getByRole("button", { name: "注册" }).click();
    await page.waitForURL(/\/account$/);
    await assertAccessible(page, "/account");
    await page.goto("/account/close");
    await page.getByRole("textbox", { name: /完整手机号码/ }).fill("13912341111");
    await page.getByRole("button", { name: "注销账号" }).click();
    await page.locator(".error-summary").waitFor();
    await assertAccessible(page, "/account/close (errors)");
    await context.close();
  });
});

import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { notify } from "../src/core/inbox.ts";
import { ClientFrom } from "./support/addresses.ts";
import { assertAccessible, launchBrowser } from "./support/browser.ts";
import type { HttpClient } from "./support/http.ts";
import { TestOidcProvider } from "./support/oidc-provider.ts";
import { startTestPlatform, type TestPlatform } from "./support/platform.ts";

/**
 * PIPL rights beyond a copy and closing: correcting one's name and phone (the new phone proven by
 * an SMS code through a real HTTP gateway), and withdrawing consents, which stops the processing.
 */
describe("citizen privacy rights: correction and consent withdrawal", () => {
  let p: TestPlatform;
  let gateway: Server;
  let browser: Browser | undefined;
  let citizen: HttpClient;
  let userId: number;
  const provider = new TestOidcProvider();
  const sent: { phone: string; message: string }[] = [];
  const PHONE = "13912345001";
  const PASSWORD = "Citizen-Pass1";
  const lastCode = () => /验证码为 (\d{6})/.exec(sent.at(-1)?.message ?? "")?.[1] ?? "";
  const auditOf = (action: string) =>
    p.ctx.db
      .selectFrom("audit_log")
      .select(["actor_id", "detail"])
      .where("action", "=", action)
      .orderBy("seq")
      .execute();
  const smsLogged = async () =>
    (await p.ctx.db.selectFrom("outbound_messages").select("id").where("user_id", "=", userId).execute())
      .length;

  before(async () => {
    await provider.start();
    process.env.TRUST_PROXY = "1";
    p = await startTestPlatform("demo");
    delete process.env.TRUST_PROXY;
    p.client = () => new ClientFrom(p.baseUrl);
    gateway = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        sent.push(JSON.parse(body) as { phone: string; message: string });
        response.end("{}");
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    const address = gateway.address();
    p.ctx.config.smsGatewayUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/sms`;
    p.ctx.config.publicUrl = p.baseUrl;
    p.ctx.config.oidc = {
      discoveryUrl: provider.discoveryUrl,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      displayName: "省统一身份认证平台",
    };
    citizen = p.client();
    const r = await citizen.submit("/account/register", "/account/register", {
      phone: PHONE,
      displayName: "钱先生",
      password: PASSWORD,
      passwordConfirm: PASSWORD,
      agreed: "1",
    });
    assert.equal(r.status, 303);
    userId = (
      await p.ctx.db
        .selectFrom("users")
        .select("id")
        .where("display_name", "=", "钱先生")
        .executeTakeFirstOrThrow()
    ).id;
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => gateway.close(resolve));
    await p.close();
    await provider.stop();
  });

  it("the privacy statement covers the identity provider's data, consents and the notice version", async () => {
    const page = await p.client().get("/privacy");
    for (const text of [
      "统一身份认证信息",
      "同意记录",
      "解除绑定或注销账号为止",
      "更正权",
      "本说明为第 2 版",
    ])
      assert.ok(page.text.includes(text), text);
    assert.equal((await p.client().get("/account/privacy")).status, 303, "only for a signed-in citizen");
  });

  it("corrects the display name, refusing bad input next to the field and keeping it", async () => {
    const empty = await citizen.submit("/account/privacy", "/account/privacy/name", { displayName: "   " });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /<a href="#f-displayName">请填写称呼<\/a>/);
    const long = "长".repeat(41);
    const tooLong = await citizen.submit("/account/privacy", "/account/privacy/name", { displayName: long });
    assert.match(tooLong.text, /称呼不超过 40 字/);
    assert.ok(tooLong.text.includes(`value="${long}"`), "keeps what was typed");
    const ok = await citizen.submit("/account/privacy", "/account/privacy/name", {
      displayName: " 钱  学森 ",
    });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, "/account/privacy?msg=name");
    assert.match((await citizen.get("/account")).text, /钱 学森/);
    const corrected = await auditOf("citizen.corrected");
    assert.deepEqual(
      corrected.map((a) => [a.actor_id, a.detail.field]),
      [[userId, "display_name"]],
    );
  });

  it("changes the phone only after a code sent to the new number, stored encrypted", async () => {
    const taken = await citizen.submit("/account/privacy", "/account/privacy/phone/send", { phone: PHONE });
    assert.equal(taken.status, 400);
    assert.match(taken.text, /这已经是您账号的手机号码/);
    const bad = await citizen.submit("/account/privacy", "/account/privacy/phone/send", { phone: "1391234" });
    assert.match(bad.text, /请填写 11 位手机号码/);
    assert.ok(bad.text.includes('value="1391234"'));
    assert.equal(sent.length, 0);

    const NEW = "13912345002";
    const codePage = await citizen.submit("/account/privacy", "/account/privacy/phone/send", { phone: NEW });
    assert.equal(codePage.status, 200);
    assert.match(codePage.text, /验证码已发送至 139\*\*\*\*5002/);
    assert.equal(sent.at(-1)?.phone, NEW);
    assert.match(sent.at(-1)?.message ?? "", /更换账号绑定的手机号码/);
    const wrong = await citizen.submit("/account/privacy", "/account/privacy/phone/verify", {
      phone: NEW,
      code: lastCode() === "000000" ? "111111" : "000000",
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /验证码不正确/);
    const right = await citizen.submit("/account/privacy", "/account/privacy/phone/verify", {
      phone: NEW,
      code: lastCode(),
    });
    assert.equal(right.status, 303);
    assert.match((await citizen.get("/account/privacy?msg=phone")).text, /当前手机号码：139\*\*\*\*5002/);
    const row = await p.ctx.db
      .selectFrom("users")
      .select(["phone_enc"])
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    assert.ok(row.phone_enc && !row.phone_enc.toString("latin1").includes(NEW));
    assert.equal(p.ctx.cipher.decrypt(row.phone_enc), NEW);
    const old = await p
      .client()
      .submit("/account/login", "/account/login", { phone: PHONE, password: PASSWORD });
    assert.equal(old.status, 401, "the old number no longer signs in");
    const signIn = await p
      .client()
      .submit("/account/login", "/account/login", { phone: NEW, password: PASSWORD });
    assert.equal(signIn.status, 303);
    assert.equal((await auditOf("citizen.corrected")).at(-1)?.detail.field, "phone");
  });

  it("lists consents with dates and notice version; withdrawing SMS notifications stops the SMS", async () => {
    const page = await citizen.get("/account/privacy");
    assert.match(page.text, /《个人信息保护说明》（必需）/);
    assert.match(page.text, /短信通知（可选）/);
    assert.match(page.text, /已同意（\d{4}/);
    assert.match(page.text, /说明第 2 版/);

    await notify(p.ctx.db, { userId }, { title: "办件已受理" });
    assert.equal(await smsLogged(), 1, "SMS goes out while consented");
    const withdrawn = await citizen.submit(
      "/account/privacy",
      "/account/privacy/consents/sms_notifications/withdraw",
      {},
    );
    assert.equal(withdrawn.status, 303);
    assert.match((await citizen.get("/account/privacy?msg=withdrawn")).text, /已撤回（\d{4}/);
    await notify(p.ctx.db, { userId }, { title: "办件已办结" });
    assert.equal(await smsLogged(), 1, "no SMS after withdrawal");
    const inbox = await p.ctx.db
      .selectFrom("inbox_messages")
      .select("title")
      .where("user_id", "=", userId)
      .execute();
    assert.equal(inbox.length, 2, "the site inbox still gets both");

    const renewed = await citizen.submit(
      "/account/privacy",
      "/account/privacy/consents/sms_notifications/renew",
      {},
    );
    assert.equal(renewed.status, 303);
    await notify(p.ctx.db, { userId }, { title: "请评价" });
    assert.equal(await smsLogged(), 2);
    const history = await p.ctx.db
      .selectFrom("consents")
      .select(["purpose", "withdrawn_at"])
      .where("user_id", "=", userId)
      .where("purpose", "=", "sms_notifications")
      .execute();
    assert.equal(history.length, 2, "the withdrawn consent stays on record");
    assert.deepEqual(
      (await auditOf("consent.withdrawn")).map((a) => a.detail.purpose),
      ["sms_notifications"],
    );
  });

  it("explains that withdrawing the mandatory consent means closing the account", async () => {
    const page = await citizen.get("/account/privacy");
    assert.match(
      page.text,
      /撤回此项同意即不再使用本平台账号，请\s*<a href="\/account\/close">注销账号<\/a>/,
    );
    const refused = await citizen.submit(
      "/account/privacy",
      "/account/privacy/consents/privacy_notice/withdraw",
      {},
    );
    assert.equal(refused.status, 400);
    assert.match(refused.text, /撤回对《个人信息保护说明》的同意即注销账号/);
    const open = await p.ctx.db
      .selectFrom("consents")
      .select("id")
      .where("user_id", "=", userId)
      .where("purpose", "=", "privacy_notice")
      .where("withdrawn_at", "is", null)
      .execute();
    assert.equal(open.length, 1, "still consented");
  });

  it("the changed pages pass axe at 360 px", async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({
      baseURL: p.baseUrl,
      locale: "zh-CN",
      bypassCSP: true,
      viewport: { width: 360, height: 740 },
    });
    const page = await context.newPage();
    await page.goto("/account/login");
    await assertAccessible(page, "/account/login (统一身份认证)");
    await page.getByRole("textbox", { name: /手机号码/ }).fill("13912345002");
    await page.getByLabel(/^密码/).fill(PASSWORD);
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.waitForURL(/\/account$/);
    await assertAccessible(page, "/account");
    await page.goto("/account/privacy");
    await assertAccessible(page, "/account/privacy");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `no sideways scrolling at 360 px (${width})`);
    await page.getByLabel(/^称呼/).fill("长".repeat(41));
    await page.getByRole("button", { name: "保存称呼" }).click();
    await page.locator(".error-summary").waitFor();
    await assertAccessible(page, "/account/privacy (errors)");
    await page.getByLabel(/^新手机号码/).fill("13912345003");
    await page.getByRole("button", { name: "获取验证码" }).click();
    await page.getByText(/验证码已发送至/).waitFor();
    await assertAccessible(page, "/account/privacy/phone/send");
    await page.goto("/account/privacy");
    await page.getByRole("button", { name: /绑定省统一身份认证平台账号/ }).click();
    await page.getByRole("link", { name: "前往省统一身份认证平台" }).waitFor();
    await assertAccessible(page, "/account/oidc/link");
    await page.goto("/privacy");
    await assertAccessible(page, "/privacy");
    await page.goto("/account/oidc/callback?state=x&code=y");
    await assertAccessible(page, "/account/oidc/callback (failed)");
    await context.close();
  });
});

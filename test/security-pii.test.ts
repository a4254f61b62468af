import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { submitRequest } from "../src/modules/disclosure/requests.ts";
import { assertAccessible, launchBrowser } from "./support/browser.ts";
import type { HttpClient } from "./support/http.ts";
import {
  siteId,
  staffClient,
  staffWith,
  startTestPlatform,
  TEST_PASSWORD,
  type TestPlatform,
} from "./support/platform.ts";

/**
 * Personal identifiers: encrypted at rest (SM4 with an HMAC-SM3 tag), masked on every screen,
 * revealed in full only to a permitted officer who states a reason, and every reveal audited.
 */
describe("personal data: masked, revealed with a reason, audited", () => {
  let p: TestPlatform;
  let rsj: number;
  let requestId: number;
  let officer: HttpClient;
  let officerName: string;
  let browser: Browser | undefined;

  before(async () => {
    p = await startTestPlatform("demo");
    rsj = await siteId(p.ctx, "rsj");
    const o = await staffWith(p.ctx, [{ role: "officer", siteId: rsj }], "officer");
    officerName = o.username;
    officer = await staffClient(p, o.username);
    const submitted = await submitRequest(p.ctx, {
      siteId: rsj,
      citizenId: null,
      applicantType: "person",
      orgCategory: "",
      applicantName: "王五",
      contactPerson: "",
      idType: "居民身份证",
      idNumber: "11010519491231002X",
      phone: "13812345678",
      email: "",
      address: "青禾市东城区文昌街66号",
      description: "请提供本局2026年度政府信息公开工作年度报告的原始数据",
      documentHint: "",
      carrier: "电子文档",
      delivery: "网上查阅下载",
    });
    requestId = submitted.id;
  });
  after(async () => {
    await browser?.close();
    await p.close();
  });

  const reveal = (client: HttpClient, reason: string) =>
    client.submit(`/admin/requests/${requestId}`, `/admin/requests/${requestId}/reveal`, { reason });
  const reveals = () =>
    p.ctx.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "pii.revealed")
      .orderBy("seq")
      .execute();

  it("stores identifiers sealed with SM4 and shows them masked", async () => {
    const row = await p.ctx.db
      .selectFrom("info_requests")
      .select(["id_number_enc", "phone_enc", "address_enc"])
      .where("id", "=", requestId)
      .executeTakeFirstOrThrow();
    for (const sealed of [row.id_number_enc, row.phone_enc, row.address_enc]) {
      assert.ok(sealed);
      assert.equal(sealed[0], 2, "format 2 = SM4-CBC + HMAC-SM3");
    }
    const detail = await officer.get(`/admin/requests/${requestId}`);
    assert.equal(detail.status, 200);
    assert.doesNotMatch(detail.text, /11010519491231002X|13812345678|文昌街66号/);
    assert.match(detail.text, /138\*\*\*\*5678/);
    assert.match(detail.text, /查看完整的证件号码和联系方式/);
  });

  it("reveals only with a reason, and records who, whose and why", async () => {
    const none = await reveal(officer, "");
    assert.equal(none.status, 400);
    assert.match(none.text, /请写明查看的理由/);
    assert.doesNotMatch(none.text, /13812345678/);
    assert.equal((await reveals()).length, 0);

    const ok = await reveal(officer, "电话联系申请人补正材料");
    assert.equal(ok.status, 200);
    assert.match(ok.text, /11010519491231002X/);
    assert.match(ok.text, /13812345678/);
    assert.match(ok.text, /文昌街66号/);
    const [record] = await reveals();
    assert.equal(record?.result, "success");
    assert.match(record?.target ?? "", new RegExp(`^info_request:${requestId} `));
    assert.equal(record?.detail.reason, "电话联系申请人补正材料");
    assert.equal(record?.detail.fields, "idNumber,phone,address");
    assert.equal(record?.ip, "127.0.0.1");
    // the next plain visit is masked again
    assert.doesNotMatch((await officer.get(`/admin/requests/${requestId}`)).text, /13812345678/);
  });

  it("refuses staff of another site or without the permission, and records the attempt", async () => {
    const ybj = await siteId(p.ctx, "ybj");
    const stranger = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "officer", siteId: ybj }], "ybj")).username,
    );
    const r = await stranger.post(`/admin/requests/${requestId}/reveal`, { reason: "想看看", _csrf: "x" });
    assert.equal(r.status, 403);
    const editor = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "ed")).username,
    );
    assert.equal((await editor.get(`/admin/requests/${requestId}`)).status, 403);
    // with a valid token, an officer of another site is refused by the permission check itself
    const bySite = await stranger.submit("/admin/requests", `/admin/requests/${requestId}/reveal`, {
      reason: "越权查看试探",
    });
    assert.equal(bySite.status, 403);
    assert.doesNotMatch(bySite.text, /13812345678/);
    const denied = (await reveals()).filter((r) => r.result === "denied");
    assert.equal(denied.length, 1);
  });

  it("the page with the reveal form and with revealed values passes axe", async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ baseURL: p.baseUrl, locale: "zh-CN", bypassCSP: true });
    const tab = await context.newPage();
    await tab.goto("/admin/login");
    await tab.getByLabel("用户名").fill(officerName);
    await tab.getByLabel("密码").fill(TEST_PASSWORD);
    await tab.getByRole("button", { name: "登录" }).click();
    await tab.waitForURL(/\/admin$/);
    await tab.goto(`/admin/requests/${requestId}`);
    await tab.getByText("查看完整的证件号码和联系方式").click();
    await assertAccessible(tab, "request detail with reveal form");
    await tab.getByLabel(/查看理由/).fill("核对身份证明");
    await tab.getByRole("button", { name: "查看", exact: true }).click();
    await tab.getByText("11010519491231002X").waitFor();
    await assertAccessible(tab, "request detail revealed");
    await context.close();
  });
});

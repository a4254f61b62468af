import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "./support/browser.ts";
import { startTestPlatform, type TestPlatform } from "./support/platform.ts";
import { itemByRef, PDF } from "./support/services.ts";

/**
 * The two core citizen tasks done with the keyboard alone, from the top of the page: Tab to each
 * control in page order, type, choose with the arrow keys, tick with Space, submit with Enter.
 */
interface Focused {
  id: string;
  label: string;
}

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as (HTMLElement & { labels?: NodeListOf<HTMLLabelElement> }) | null;
    const label = el?.labels?.[0]?.textContent ?? el?.textContent ?? "";
    return { id: el?.id ?? "", label: label.trim() };
  });
}

/** Presses Tab until the focused control matches; fails if it is not reachable forward from here. */
async function tabTo(page: Page, match: (f: Focused) => boolean, what: string): Promise<void> {
  for (let steps = 0; steps < 80; steps++) {
    await page.keyboard.press("Tab");
    if (match(await focused(page))) return;
  }
  assert.fail(`${what} 无法用 Tab 键到达`);
}

/** Enter on the focused submit button, then the page the server answers the POST with. */
async function submitWithEnter(page: Page): Promise<void> {
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest()),
    page.keyboard.press("Enter"),
  ]);
  await page.waitForLoadState();
}

const byLabel = (pattern: RegExp) => (f: Focused) => pattern.test(f.label);

/** Chooses an option of the focused <select> with the arrow keys. */
async function chooseWithArrows(page: Page, option: string): Promise<void> {
  for (let steps = 0; steps < 20; steps++) {
    const chosen = await page.evaluate(() => {
      const select = document.activeElement as HTMLSelectElement;
      return select.selectedOptions[0]?.textContent?.trim() ?? "";
    });
    if (chosen === option) return;
    await page.keyboard.press("ArrowDown");
  }
  assert.fail(`无法用方向键选择“${option}”`);
}

describe("core citizen tasks with the keyboard alone", () => {
  let p: TestPlatform;
  let browser: Browser;
  before(async () => {
    [p, browser] = await Promise.all([startTestPlatform("demo"), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await p?.close();
  });

  it("writes a letter to the 市长信箱", async () => {
    const context = await browser.newContext({ baseURL: p.baseUrl, locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto("/xj/write/");
    await tabTo(page, byLabel(/^来信类型/), "来信类型");
    await chooseWithArrows(page, "建议");
    await tabTo(page, byLabel(/^标题/), "标题");
    await page.keyboard.type("建议公交站增加座椅");
    await tabTo(page, byLabel(/^内容/), "内容");
    await page.keyboard.type("我家附近的公交站没有座椅，老人等车很辛苦，建议增加几张座椅。");
    await tabTo(page, byLabel(/^姓名/), "姓名");
    await page.keyboard.type("李四");
    await tabTo(page, byLabel(/^联系电话/), "联系电话");
    await page.keyboard.type("13712345678");
    await tabTo(page, byLabel(/同意公开/), "同意公开");
    await page.keyboard.press("Space");
    await tabTo(page, byLabel(/^提交来信$/), "提交来信");
    await submitWithEnter(page);
    assert.match(await page.locator("h1").innerText(), /来信已提交/);
    await context.close();
  });

  it("applies online for a service, from its guide to the receipt", async () => {
    const context = await browser.newContext({ baseURL: p.baseUrl, locale: "zh-CN" });
    const page = await context.newPage();
    // setting up the account is not the task under test
    await page.goto("/account/register");
    await page.getByLabel(/^手机号码/).fill("13600004321");
    await page.getByLabel(/^称呼/).fill("周键盘");
    await page.getByLabel(/^密码/).fill("Citizen-Pass1");
    await page.getByLabel(/^确认密码/).fill("Citizen-Pass1");
    await page.locator("#f-agreed").check();
    await Promise.all([page.waitForURL("**/account"), page.getByRole("button", { name: "注册" }).click()]);

    const item = await itemByRef(p, "svc-004");
    const guide = `/sites/gaj/bsfw/item/${item.code}`;
    await page.goto(guide);
    await tabTo(page, byLabel(/^在线申请$/), "在线申请");
    await Promise.all([page.waitForURL(`**${guide}/apply`), page.keyboard.press("Enter")]);
    // the operating system's file dialog is answered as a person would pick the file
    page.on("filechooser", (chooser) =>
      chooser.setFiles({ name: "材料.pdf", mimeType: "application/pdf", buffer: PDF }),
    );
    await tabTo(page, byLabel(/^居民身份证号码/), "居民身份证号码");
    await page.keyboard.type("11010519491231002X");
    await tabTo(page, byLabel(/^结果领取方式/), "结果领取方式");
    await chooseWithArrows(page, "邮寄送达");
    for (const id of ["f-m0", "f-m3"]) {
      await tabTo(page, (f) => f.id === id, `材料 ${id}`);
      await page.keyboard.press("Space");
      await page.waitForFunction(
        (el) => (document.getElementById(el) as HTMLInputElement).files?.length === 1,
        id,
      );
    }
    await tabTo(page, byLabel(/^提交申请$/), "提交申请");
    await submitWithEnter(page);
    const number = ((await page.locator(".confirmation strong.code").textContent()) ?? "").trim();
    assert.match(number, /^BJ/);
    await context.close();
  });
});

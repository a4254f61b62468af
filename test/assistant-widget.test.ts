import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { axeViolations, describeViolations, launchBrowser } from "./support/browser.ts";
import { startTestPlatform, type TestPlatform } from "./support/platform.ts";

describe("智能问答 widget on every public page", () => {
  let p: TestPlatform;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const newPage = async (options: Parameters<Browser["newContext"]>[0] = {}) => {
    const context = await browser.newContext({ baseURL: p.baseUrl, locale: "zh-CN", ...options });
    context.setDefaultTimeout(8000);
    contexts.push(context);
    return context.newPage();
  };

  before(async () => {
    [p, browser] = await Promise.all([startTestPlatform("demo"), launchBrowser()]);
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await p?.close();
  });

  const toggleOf = (page: Page) => page.getByRole("button", { name: "智能问答" });
  const box = (page: Page, selector: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((e) => {
        const r = e.getBoundingClientRect();
        return { top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, height: r.height };
      });

  it("asks by keyboard and shows a cited answer in a live region; Esc closes and returns focus", async () => {
    const page = await newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto("/sites/rsj/");
    const toggle = toggleOf(page);
    assert.equal(await toggle.getAttribute("aria-expanded"), "false");
    assert.equal(await page.locator("#ask-widget-panel").isVisible(), false, "closed until asked for");
    await toggle.focus();
    await page.keyboard.press("Enter");
    assert.equal(await toggle.getAttribute("aria-expanded"), "true");
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      "ask-widget-q",
      "focus moves into the box",
    );
    await page.keyboard.type("残疾人证怎么办理");
    await page.keyboard.press("Enter");
    const answer = page.locator(".ask-widget-answer");
    assert.equal(await answer.getAttribute("aria-live"), "polite");
    await answer.locator(".ask-widget-sources a").first().waitFor();
    assert.match((await answer.textContent()) ?? "", /残疾人证/);
    const hrefs = await answer
      .locator(".ask-widget-sources a")
      .evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.ok(hrefs.length > 0 && hrefs.every((h) => h?.startsWith("/")), hrefs.join(","));
    assert.ok(page.url().endsWith("/sites/rsj/"), "answered in place, without leaving the page");

    await page.keyboard.press("Escape");
    assert.equal(await toggle.getAttribute("aria-expanded"), "false");
    assert.equal(await page.evaluate(() => document.activeElement?.className), "ask-widget-toggle");
    assert.equal(await page.locator("#ask-widget-panel").isVisible(), false);
    assert.deepEqual(errors, [], "no console errors (the island runs under the strict CSP)");
  });

  it("has no WCAG 2.1 A/AA violations open or closed at 360 and 1280 px, in 长辈版 too, and covers nothing", async () => {
    for (const width of [360, 1280]) {
      for (const elder of [false, true]) {
        const page = await newPage({ bypassCSP: true, viewport: { width, height: 800 } });
        await page.goto("/");
        if (elder) await page.getByRole("link", { name: "长辈版" }).click();
        const label = `/ ${width}px${elder ? " 长辈版" : ""}`;
        const closed = await axeViolations(page);
        assert.equal(closed.length, 0, describeViolations(`${label} 收起`, closed));
        await toggleOf(page).click();
        await page.getByLabel(/有问题，直接问/).fill("公积金怎么提取");
        await page.getByRole("button", { name: "提问" }).click();
        await page.locator(".ask-widget-answer a").first().waitFor();
        const open = await axeViolations(page);
        assert.equal(open.length, 0, describeViolations(`${label} 展开`, open));

        // in the flow between the page and its footer: never over the content or the 无障碍 toolbar
        const [widget, main, footer, toolbarLink] = await Promise.all([
          box(page, ".ask-widget"),
          box(page, "main"),
          box(page, ".site-footer"),
          box(page, ".utility"),
        ]);
        assert.ok(widget.top >= main.bottom, `${label}: widget below the content`);
        assert.ok(widget.bottom <= footer.top + 1, `${label}: widget above the footer`);
        assert.ok(widget.top >= toolbarLink.bottom, `${label}: clear of the toolbar`);
        assert.equal(
          await page.evaluate(
            () => getComputedStyle(document.querySelector(".ask-widget") as Element).position,
          ),
          "static",
        );
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${label}: 横向溢出 ${overflow}px`);
        const target = await box(page, ".ask-widget-toggle");
        assert.ok(target.height >= (elder ? 60 : 44), `${label}: toggle ${target.height}px high`);
        if (elder) {
          const size = await page.evaluate(() =>
            Number.parseFloat(getComputedStyle(document.querySelector("#ask-widget-q") as Element).fontSize),
          );
          assert.ok(size >= 24, `${label}: 输入框字号 ${size}px`);
        }
      }
    }
  });

  it("without JavaScript is a plain form that opens the assistant page with the answer", async () => {
    const page = await newPage({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
    await page.goto("/sites/rsj/");
    assert.equal(await page.getByRole("button", { name: "智能问答" }).count(), 0, "no toggle without script");
    await page.getByLabel(/有问题，直接问/).fill("营业执照多久能办下来");
    await page.keyboard.press("Enter");
    await page.waitForURL("**/sites/rsj/assistant?q=*");
    assert.ok(await page.getByText("信息来源").isVisible());
    assert.equal(await page.locator("[data-ask-widget]").count(), 0, "the assistant page has its own box");
  });
});

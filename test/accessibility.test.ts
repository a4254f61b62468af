import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { axeViolations, describeViolations, launchBrowser } from "./support/browser.ts";
import { compressedSize } from "./support/http.ts";
import { staffWith, startTestPlatform, TEST_PASSWORD, type TestPlatform } from "./support/platform.ts";

/**
 * The 无障碍 toolbar and 长辈版 in real Chromium, with and without JavaScript, and a walk over every
 * page in the sitemaps and every admin page at phone width: axe-core clean, no horizontal scrolling.
 */
const SCREENSHOTS = path.resolve(import.meta.dirname, "../test-output/screenshots");

const px = (value: string) => Number.parseFloat(value);

async function htmlClasses(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.documentElement.classList]);
}

/** axe needs JavaScript: a page drawn without it is checked again in a scripted tab with the same cookies. */
async function axeAsSeenWithoutScript(browser: Browser, page: Page, label: string): Promise<void> {
  const context = await browser.newContext({ baseURL: new URL(page.url()).origin, bypassCSP: true });
  try {
    await context.addCookies(await page.context().cookies());
    const scripted = await context.newPage();
    await scripted.goto(page.url());
    const violations = await axeViolations(scripted);
    assert.equal(violations.length, 0, describeViolations(label, violations));
  } finally {
    await context.close();
  }
}

async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe("无障碍 toolbar, 长辈版 and every page at phone width", () => {
  let p: TestPlatform;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const newPage = async (options: Parameters<Browser["newContext"]>[0] = {}) => {
    // CSP is bypassed only so that axe-core can be injected; the pages' own scripts obey it
    const context = await browser.newContext({
      baseURL: p.baseUrl,
      locale: "zh-CN",
      bypassCSP: true,
      ...options,
    });
    context.setDefaultTimeout(5000);
    contexts.push(context);
    return context.newPage();
  };

  before(async () => {
    [p, browser] = await Promise.all([startTestPlatform("demo"), launchBrowser()]);
    await mkdir(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await p?.close();
  });

  it("works without JavaScript: each setting is a link, stored in a cookie and drawn by the server", async () => {
    const page = await newPage({ javaScriptEnabled: false });
    await page.goto("/");
    assert.equal(await page.locator("#a11y-toolbar").isVisible(), false);
    await page.getByRole("link", { name: "无障碍" }).click();
    assert.equal(await page.locator("#a11y-toolbar").isVisible(), true);
    assert.equal(new URL(page.url()).pathname, "/");

    const bar = page.getByRole("region", { name: "无障碍工具条" });
    await bar.getByRole("link", { name: "特大" }).click();
    assert.ok((await htmlClasses(page)).includes("text-3"));
    assert.equal(px(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize)), 24);

    await bar.getByRole("link", { name: "高对比度" }).click();
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(0, 0, 0)");
    // it persists on the next page, with the toolbar still open
    await page.goto("/col/zcwj/");
    assert.deepEqual((await htmlClasses(page)).sort(), ["scheme-contrast", "text-3"]);
    assert.equal(await page.locator("#a11y-toolbar").isVisible(), true);
    await axeAsSeenWithoutScript(browser, page, "/col/zcwj/ 高对比度");

    await page.getByRole("link", { name: "恢复默认" }).click();
    assert.deepEqual(await htmlClasses(page), []);
    assert.equal(new URL(page.url()).pathname, "/col/zcwj/");
    // read-aloud and the reading guide need the browser: hidden without JavaScript
    assert.equal(await page.getByRole("button", { name: "开始" }).count(), 0);
  });

  it("writes screenshots of the home page in each scheme and 长辈版, at desktop and phone width", async () => {
    for (const [name, cookie] of [
      ["standard", ""],
      ["contrast", "contrast"],
      ["elder", "elder"],
    ] as const) {
      for (const width of [1280, 360]) {
        const page = await newPage({ viewport: { width, height: 900 } });
        if (cookie) await page.context().addCookies([{ name: "zw_a11y", value: cookie, url: p.baseUrl }]);
        await page.goto("/");
        await page.screenshot({ path: path.join(SCREENSHOTS, `home-${name}-${width}.png`) });
        assert.equal(await overflow(page), 0, `${name} ${width}px`);
      }
    }
  });

  it("finds 长辈版 by its other names", async () => {
    for (const alias of ["关怀版", "长者模式"]) {
      const r = await p.client().get(`/api/search?q=${encodeURIComponent(alias)}`);
      const hits = (JSON.parse(r.text) as { hits: { title: string }[] }).hits;
      assert.match(hits[0]?.title ?? "", /长辈版/, alias);
    }
  });

  it("refuses to send anyone to another site after a change", async () => {
    const r = await p.client().get("/a11y/set?text=2&back=//evil.example/");
    assert.equal(r.status, 303);
    assert.equal(r.headers.get("location"), "/");
  });

  it("with JavaScript, applies a setting in place, persists it, and reads the page aloud", async () => {
    const page = await newPage();
    await page.addInitScript(() => {
      const spoken: string[] = [];
      (window as unknown as { spoken: string[] }).spoken = spoken;
      if ("speechSynthesis" in window)
        window.speechSynthesis.speak = (u: SpeechSynthesisUtterance) => void spoken.push(u.text);
    });
    await page.goto("/col/zcwj/");
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 1;
    });
    // keyboard: Tab from the top of the page reaches the toolbar switch in the header
    let steps = 0;
    while ((await page.evaluate(() => document.activeElement?.textContent?.trim())) !== "无障碍") {
      await page.keyboard.press("Tab");
      assert.ok(++steps < 10, "“无障碍”无法用 Tab 键到达");
    }
    await page.keyboard.press("Enter");
    assert.equal(await page.locator("#a11y-toolbar").isVisible(), true);
    assert.equal(await page.getByRole("link", { name: "无障碍" }).getAttribute("aria-expanded"), "true");

    const bar = page.getByRole("region", { name: "无障碍工具条" });
    await bar.getByRole("link", { name: "较大" }).click();
    await bar.getByRole("link", { name: "深色" }).click();
    assert.deepEqual((await htmlClasses(page)).sort(), ["scheme-dark", "text-2"]);
    assert.equal(await bar.getByRole("link", { name: "较大" }).getAttribute("aria-current"), "true");
    assert.equal(
      await page.evaluate(() => (window as unknown as { marker?: number }).marker),
      1,
      "no reload",
    );

    const guide = bar.locator('[data-pref="guide"][data-value="on"]');
    await guide.click();
    await page.mouse.move(200, 300);
    assert.equal(await page.locator(".reading-guide").count(), 1);

    const hasSpeech = await page.evaluate(() => "speechSynthesis" in window);
    if (hasSpeech) {
      await bar.getByRole("button", { name: "开始" }).click();
      const spoken = await page.evaluate(() => (window as unknown as { spoken: string[] }).spoken.join(""));
      assert.match(spoken, /政策文件/);
    }

    await page.goto("/sites/rsj/");
    assert.deepEqual((await htmlClasses(page)).sort(), ["scheme-dark", "text-2"]);
    assert.equal(await page.locator(".reading-guide").count(), 1);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations("/sites/rsj/ 深色", violations));
  });

  it("长辈版: text ≥ 18pt, line spacing ≥ 1.3, targets ≥ 60 px, services first — and it stays on", async () => {
    for (const width of [1280, 360]) {
      const page = await newPage({ javaScriptEnabled: false, viewport: { width, height: 900 } });
      await page.goto("/");
      await page.getByRole("link", { name: "长辈版" }).click();
      assert.ok((await htmlClasses(page)).includes("elder"));
      const text = await page.evaluate(() => {
        const style = getComputedStyle(document.querySelector("main li, main p") as Element);
        return { size: style.fontSize, lineHeight: style.lineHeight };
      });
      assert.ok(px(text.size) >= 24, `正文字号 ${text.size}`);
      assert.ok(px(text.lineHeight) / px(text.size) >= 1.3, `行距 ${text.lineHeight}`);
      const first = await page.locator("main h2").first().textContent();
      assert.equal(first, "常用服务");
      for (const target of ["main .elder-tiles a", ".main-nav a", ".utility a"]) {
        const boxes = await page
          .locator(target)
          .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.width, r.height]));
        assert.ok(boxes.length > 0, target);
        for (const [w, h] of boxes) assert.ok((w ?? 0) >= 60 && (h ?? 0) >= 60, `${target} ${w}×${h}`);
      }
      assert.ok((await overflow(page)) <= 0, `no horizontal scrolling at ${width}px`);
      await axeAsSeenWithoutScript(browser, page, `/ 长辈版 ${width}px`);
      await page.goto("/col/zcwj/");
      assert.ok((await htmlClasses(page)).includes("elder"), "persists");
      await page.getByRole("link", { name: "退出长辈版" }).click();
      assert.ok(!(await htmlClasses(page)).includes("elder"));
    }
  });

  it("every page in the portal's and a department's sitemap: axe-clean and no horizontal scrolling at 360px", async () => {
    const client = p.client();
    const urls = new Set<string>();
    // each site's sitemap names its own domain; here the department site is served under /sites/rsj
    for (const base of ["", "/sites/rsj"]) {
      const xml = (await client.get(`${base}/sitemap.xml`)).text;
      for (const m of xml.matchAll(/<loc>([^<]+)<\/loc>/g)) urls.add(base + new URL(m[1] as string).pathname);
    }
    assert.ok(urls.size > 50, `sitemaps list ${urls.size} pages`);
    const page = await newPage({ viewport: { width: 360, height: 800 } });
    const problems: string[] = [];
    // the frame (header, toolbar, footer) is the same on every page of a site: checked whole once per
    // URL shape, then only the main content
    const shapes = new Set<string>();
    for (const url of urls) {
      const response = await page.goto(url);
      if (response?.status() !== 200) problems.push(`${url}: HTTP ${response?.status()}`);
      const extra = await overflow(page);
      if (extra > 0) problems.push(`${url}: 横向溢出 ${extra}px`);
      const small = await page
        .locator(".main-nav a, .utility a, main button, main .button, .pagination a, .a11y-group a")
        .evaluateAll((els) =>
          els
            .filter((e) => (e as HTMLElement).offsetParent !== null)
            .map((e) => [e.textContent?.trim() ?? "", e.getBoundingClientRect()] as const)
            .filter(([, r]) => r.width < 44 || r.height < 44)
            .map(([text, r]) => `${text} ${Math.round(r.width)}×${Math.round(r.height)}`),
        );
      if (small.length) problems.push(`${url}: 点按区域小于 44×44：${small.slice(0, 5).join("；")}`);
      const shape = url.replace(/\d+/g, "N");
      const violations = await axeViolations(page, shapes.has(shape) ? "main" : undefined);
      shapes.add(shape);
      if (violations.length) problems.push(describeViolations(url, violations));
    }
    assert.equal(problems.length, 0, problems.join("\n"));
  });

  it("no public page weighs over 50 KB compressed (HTML + CSS + JS, before images)", async (t) => {
    const client = p.client();
    const home = (await client.get("/")).text;
    const assets = [...home.matchAll(/(?:href|src)="(\/assets\/[^"]+\.(?:css|js))"/g)].map(
      (m) => m[1] as string,
    );
    assert.equal(assets.length, 3, "one stylesheet, the toolbar island and the 智能问答 widget");
    let assetBytes = 0;
    for (const asset of assets) {
      const r = await compressedSize(`${p.baseUrl}${asset}`);
      assert.equal(r.encoding === "identity", false, `${asset} is served compressed`);
      assetBytes += r.bytes;
    }
    const urls = ["/", "/zcwjk/", "/ysqgk/", "/czyjs/", "/czyjs/2025/", "/zdxm/", "/zdxm/1/"];
    for (const base of ["", "/sites/rsj"]) {
      const xml = (await client.get(`${base}/sitemap.xml`)).text;
      for (const m of xml.matchAll(/<loc>([^<]+)<\/loc>/g))
        urls.push(base + new URL(m[1] as string).pathname);
    }
    let heaviest = { url: "", bytes: 0 };
    for (const url of new Set(urls)) {
      const r = await compressedSize(`${p.baseUrl}${url}`);
      assert.equal(r.status, 200, url);
      if (r.bytes > heaviest.bytes) heaviest = { url, bytes: r.bytes };
    }
    const total = heaviest.bytes + assetBytes;
    t.diagnostic(`heaviest: ${heaviest.url} ${heaviest.bytes} B + CSS/JS ${assetBytes} B = ${total} B`);
    assert.ok(total <= 50 * 1024, `${heaviest.url}: ${total} bytes with its CSS and JS`);
  });

  it("every admin page a system administrator can reach: axe-clean, and usable at 360px", async () => {
    const walker = await staffWith(p.ctx, [{ role: "sysadmin" }, { role: "site_admin" }], "walker");
    const page = await newPage({ viewport: { width: 360, height: 800 } });
    await page.goto("/admin/login");
    await page.getByLabel("用户名").fill(walker.username);
    await page.getByLabel("密码").fill(TEST_PASSWORD);
    await Promise.all([page.waitForURL("**/admin"), page.getByRole("button", { name: "登录" }).click()]);
    // breadth-first over admin links, one page per URL shape (ids replaced), so new pages are found by themselves
    const seen = new Set<string>();
    const queue = ["/admin"];
    const problems: string[] = [];
    while (queue.length > 0 && seen.size < 120) {
      const url = queue.shift() as string;
      const shape = url.replace(/\d+/g, "N").replace(/\?.*$/, "");
      if (seen.has(shape)) continue;
      seen.add(shape);
      const response = await page.goto(url);
      if ((response?.status() ?? 0) >= 400) problems.push(`${url}: HTTP ${response?.status()}`);
      const violations = await axeViolations(page);
      if (violations.length) problems.push(describeViolations(url, violations));
      const links = await page
        .locator("a[href^='/admin']")
        .evaluateAll((els) => els.map((e) => (e as HTMLAnchorElement).getAttribute("href") ?? ""));
      for (const link of links) if (!/logout|\.csv|\.json|download|notice/.test(link)) queue.push(link);
    }
    assert.ok(seen.size >= 15, `walked ${seen.size} admin pages`);
    assert.equal(problems.length, 0, problems.join("\n"));
  });
});

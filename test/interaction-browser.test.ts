import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import type { Actor } from "../src/core/auth/permissions.ts";
import { addCalendarDays, chinaDay } from "../src/core/calendar.ts";
import { loadActor } from "../src/modules/identity/service.ts";
import { publishConsultation, saveConsultation } from "../src/modules/interaction/consultations.ts";
import {
  askQuestion,
  postRemark,
  saveInterview,
  stepInterview,
} from "../src/modules/interaction/interviews.ts";
import { actOnLetter, type LetterReceipt, submitLetter } from "../src/modules/interaction/service.ts";
import { publishSurvey, saveSurvey } from "../src/modules/interaction/surveys.ts";
import { assertAccessible, launchBrowser } from "./support/browser.ts";
import {
  siteId,
  staffWith,
  startTestPlatform,
  TEST_PASSWORD,
  type TestPlatform,
} from "./support/platform.ts";

/** 政民互动 pages in headless Chromium without JavaScript, at phone width: axe clean, usable. */
describe("政民互动 pages in a real browser", () => {
  let p: TestPlatform;
  let browser: Browser;
  /** JavaScript off: everything a citizen does must work with plain forms. */
  let context: BrowserContext;
  /** For axe, which runs as a script: JavaScript on and the CSP bypassed. */
  let axeContext: BrowserContext;
  let replied: LetterReceipt;
  let demoLetterId: number;
  let adminUser: string;
  let consultationId: number;
  let surveyId: number;
  let interviewId: number;
  let openLetterId: number;
  let host: Actor;

  before(async () => {
    const [platform, launched] = await Promise.all([startTestPlatform("demo"), launchBrowser()]);
    p = platform;
    browser = launched;
    context = await browser.newContext({
      baseURL: p.baseUrl,
      locale: "zh-CN",
      javaScriptEnabled: false,
      viewport: { width: 360, height: 740 },
    });
    context.setDefaultTimeout(5000);
    axeContext = await browser.newContext({
      baseURL: p.baseUrl,
      locale: "zh-CN",
      bypassCSP: true,
      viewport: { width: 360, height: 740 },
    });
    axeContext.setDefaultTimeout(5000);
    const portal = await siteId(p.ctx, "www");
    const a = await staffWith(p.ctx, [{ role: "site_admin", siteId: null }], "admin");
    const b = await staffWith(p.ctx, [{ role: "site_admin", siteId: portal }], "reviewer");
    adminUser = a.username;
    const drafter = (await loadActor(p.ctx, a.id)) as Actor;
    const reviewer = (await loadActor(p.ctx, b.id)) as Actor;
    replied = await submitLetter(p.ctx, {
      mailboxSiteId: portal,
      citizenId: null,
      type: "咨询",
      title: "公交老年卡怎么办理",
      body: "我今年刚满七十岁，想办一张公交老年卡，请问需要带什么材料，去哪里办？",
      name: "王五",
      phone: "13912345678",
      email: "",
      publishConsent: true,
      files: [],
    });
    openLetterId = (
      await submitLetter(p.ctx, {
        mailboxSiteId: portal,
        citizenId: null,
        type: "投诉",
        title: "楼下烧烤店油烟扰民",
        body: "小区楼下烧烤店每天晚上油烟很大，窗户都不能开，请有关部门管一管。",
        name: "赵六",
        phone: "13612345678",
        email: "",
        publishConsent: false,
        files: [],
      })
    ).id;
    await actOnLetter(p.ctx, drafter, replied.id, "accept");
    await actOnLetter(p.ctx, drafter, replied.id, "submit_reply", {
      body: "您好！年满 70 周岁的老人可携带身份证到各公交服务网点免费办理老年卡，当场办结。",
    });
    await actOnLetter(p.ctx, reviewer, replied.id, "approve_reply");
    consultationId = await saveConsultation(p.ctx, drafter, null, {
      siteId: portal,
      title: "青禾市老年人助餐服务管理办法（征求意见稿）",
      summary: "现公开征求意见。",
      opensOn: chinaDay(),
      closesOn: addCalendarDays(chinaDay(), 30),
      sections: "# 第一条 适用范围\n本办法适用于本市。\n# 第二条 助餐补贴\n每餐补贴 3 元。",
    });
    await publishConsultation(p.ctx, drafter, consultationId);
    surveyId = await saveSurvey(p.ctx, drafter, null, {
      siteId: portal,
      title: "政务服务满意度调查",
      intro: "",
      opensOn: chinaDay(),
      closesOn: addCalendarDays(chinaDay(), 30),
      responseRule: "browser",
      resultsPublic: true,
      source: [
        "# 您是否到政务服务大厅办过事？ [单选] *",
        "- 是",
        "- 否 -> 结束",
        "# 您对窗口服务打几分？ [评分] *",
        "# 请评价以下方面 [矩阵]",
        "- 行：办事效率",
        "- 行：服务态度",
        "- 列：满意",
        "- 列：不满意",
        "# 您常用哪些办事渠道？ [多选]",
        "- 大厅",
        "- App",
        "# 建议 [填空]",
      ].join("\n"),
    });
    await publishSurvey(p.ctx, drafter, surveyId);
    host = drafter;
    interviewId = await saveInterview(p.ctx, drafter, null, {
      siteId: portal,
      title: "市人社局局长谈稳就业",
      topic: "回答网友提问。",
      guests: "市人社局局长",
      scheduledAt: "2026-11-25T10:00",
      videoUrl: "",
    });
    for (const step of ["publish", "start"] as const) await stepInterview(p.ctx, drafter, interviewId, step);
    await askQuestion(p.ctx, interviewId, null, "小李", "技能培训补贴怎么申请？");
    demoLetterId = (
      await p.ctx.db.selectFrom("letters").select("id").where("ref", "=", "let-001").executeTakeFirstOrThrow()
    ).id;
  });
  after(async () => {
    await context?.close();
    await axeContext?.close();
    await browser?.close();
    await p?.close();
  });

  it("public pages have no axe violations and fit a 360 px screen", async () => {
    const page = await axeContext.newPage();
    for (const path of [
      "/xj/",
      `/xj/${demoLetterId}`,
      "/xj/write/",
      "/xj/cx/",
      "/xj/tj/",
      "/sites/rsj/xj/",
    ]) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 200, path);
      await assertAccessible(page, path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px`);
    }
  });

  it("a citizen writes, follows and rates a letter with plain forms", async () => {
    const page = await context.newPage();
    await page.goto("/xj/write/");
    await page.getByRole("button", { name: "提交来信" }).click();
    await page.waitForLoadState();
    assert.match(await page.locator(".error-summary").innerText(), /请选择来信类型/);
    await page.getByLabel("来信类型").selectOption("建议");
    await page.getByLabel(/^标题/).fill("建议公交站增加座椅");
    await page.getByLabel(/^内容/).fill("我家附近的公交站没有座椅，老人等车很辛苦，建议增加几张座椅。");
    await page.getByLabel(/^姓名/).fill("李四");
    await page.getByLabel(/^联系电话/).fill("13712345678");
    await page.getByLabel(/同意公开/).check();
    await page.getByRole("button", { name: "提交来信" }).click();
    await page.waitForLoadState();
    assert.match(await page.locator("h1").innerText(), /来信已提交/);

    await page.goto("/xj/cx/");
    await page.getByLabel("信件编号").fill(replied.trackingNo);
    await page.getByLabel("查询码").fill(replied.queryCode);
    await page.getByRole("button", { name: "查询" }).click();
    await page.waitForLoadState();
    assert.match(await page.locator("main").innerText(), /当场办结/);
    await page.getByLabel("满意", { exact: true }).check();
    await page.getByRole("button", { name: "提交评价" }).click();
    await page.waitForLoadState();
    assert.match(await page.locator("main").innerText(), /已办结/);
  });

  it("a survey is answered without JavaScript and its live results pass axe", async () => {
    const page = await context.newPage();
    await page.goto(`/dcwj/${surveyId}`);
    await page.getByRole("button", { name: "提交问卷" }).click();
    await page.waitForLoadState();
    assert.match(await page.locator(".error-summary").innerText(), /第 1 题为必答题/);
    await page.getByLabel("是", { exact: true }).check();
    await page.getByLabel("4 分").check();
    await page.getByLabel("办事效率：满意").check();
    await page.getByLabel("App").check();
    await page.getByRole("button", { name: "提交问卷" }).click();
    await page.waitForLoadState();
    assert.match(await page.locator("main").innerText(), /感谢您的参与/);
    const axe = await axeContext.newPage();
    await axe.goto(`/dcwj/${surveyId}/jg`);
    await assertAccessible(axe, "survey results");
    await axe.goto(`/dcwj/${surveyId}`);
    await axe.getByRole("button", { name: "提交问卷" }).click();
    await axe.waitForLoadState();
    await assertAccessible(axe, "survey with errors");
  });

  it("a live interview page appends what the host publishes, through server-sent events", async () => {
    const page = await axeContext.newPage();
    await page.goto(`/zxft/${interviewId}`);
    await postRemark(p.ctx, host, interviewId, "主持人", "各位网友好，访谈现在开始。");
    await page.locator(".interview-feed").getByText("访谈现在开始").waitFor({ timeout: 10_000 });
    await assertAccessible(page, "/zxft/:id (live, updated)");
  });

  it("form error, receipt and follow-up pages have no axe violations", async () => {
    const page = await axeContext.newPage();
    await page.goto("/xj/write/");
    await page.getByRole("button", { name: "提交来信" }).click();
    await page.waitForLoadState();
    await assertAccessible(page, "/xj/write/ (with errors)");
    await page.goto("/xj/cx/");
    await page.getByLabel("信件编号").fill(replied.trackingNo);
    await page.getByLabel("查询码").fill(replied.queryCode);
    await page.getByRole("button", { name: "查询" }).click();
    await page.waitForLoadState();
    await assertAccessible(page, "status page");
  });

  it("a signed-in citizen's consultation page has no axe violations and votes without JavaScript", async () => {
    for (const [ctxName, c] of [
      ["axe", axeContext],
      ["no-js", context],
    ] as const) {
      const page = await c.newPage();
      await page.goto("/account/register");
      await page.getByLabel(/^手机号码/).fill(ctxName === "axe" ? "13700001111" : "13700002222");
      await page.getByLabel(/^称呼/).fill("陈市民");
      await page.getByLabel(/^密码/).fill("Citizen-Pass1");
      await page.getByLabel(/^确认密码/).fill("Citizen-Pass1");
      await page.getByRole("checkbox").check();
      await page.getByRole("button", { name: /注册/ }).click();
      await page.waitForLoadState();
      await page.goto(`/myzj/${consultationId}`);
      if (ctxName === "axe") await assertAccessible(page, "/myzj/:id (signed in)");
      else {
        await page.getByRole("button", { name: /赞成\s*：第二条/ }).click();
        await page.waitForLoadState();
        assert.match(await page.locator("main").innerText(), /赞成 1 · 反对 0/);
      }
    }
  });

  it("officers' pages have no axe violations", async () => {
    const staff = await browser.newContext({ baseURL: p.baseUrl, locale: "zh-CN", bypassCSP: true });
    const page = await staff.newPage();
    await page.goto("/admin/login");
    await page.getByLabel("用户名").fill(adminUser);
    await page.getByLabel("密码").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForLoadState();
    for (const path of [
      "/admin/letters",
      "/admin/letters?queue=supervision",
      `/admin/letters/${demoLetterId}`,
      `/admin/letters/${openLetterId}`,
      "/admin/letters/settings",
      "/admin/interaction",
      "/admin/consultations",
      "/admin/consultations/new",
      `/admin/consultations/${consultationId}`,
      "/admin/moderation",
      "/admin/surveys",
      "/admin/surveys/new",
      `/admin/surveys/${surveyId}`,
      "/admin/interviews",
      "/admin/interviews/new",
      `/admin/interviews/${interviewId}`,
    ]) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 200, path);
      await assertAccessible(page, path);
    }
    await staff.close();
  });
});

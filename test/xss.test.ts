import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import type { Actor } from "../src/core/auth/permissions.ts";
import { addCalendarDays, chinaDay } from "../src/core/calendar.ts";
import { addGrant, loadActor } from "../src/modules/identity/service.ts";
import { actOnLetter, setPublished } from "../src/modules/interaction/service.ts";
import { launchBrowser } from "./support/browser.ts";
import type { HttpClient } from "./support/http.ts";
import {
  columnId,
  siteId,
  staffClient,
  staffWith,
  startTestPlatform,
  type TestPlatform,
} from "./support/platform.ts";
import { latestVersion } from "./support/snapshot.ts";
import {
  domFindings,
  installXssHook,
  type Payload,
  packPayloads,
  xssPayloads,
} from "./support/xss-payloads.ts";

// each submission below stands in for a different visitor (X-Forwarded-For), so the per-address
// rate limits on public forms let the corpus through in one run; read when the server is built
process.env.TRUST_PROXY = "1";

const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);

/**
 * Stored and reflected XSS across every place user content enters the platform: several hundred
 * payloads go in through the real forms (citizens' and staff's), then every page showing them is
 * rendered in Chromium with CSP bypassed — so the test checks the escaping and the sanitizer
 * themselves, not only the policy in front of them — and a hook records any payload that runs,
 * any dialog, and any injected element that could run script.
 */
describe("XSS attack corpus", () => {
  let p: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  const payloads = xssPayloads();
  const full = packPayloads(payloads, 1900);
  /** Payloads short enough for a title or a name, handed out in turn. */
  const shortOnes = payloads.filter((x) => x.text.length <= 40);
  let nextShort = 0;
  const short = (max = 40) => {
    for (let i = 0; i < shortOnes.length; i++) {
      const candidate = shortOnes[(nextShort + i) % shortOnes.length] as Payload;
      if (candidate.text.length <= max) {
        nextShort = (nextShort + i + 1) % shortOnes.length;
        return candidate.text;
      }
    }
    return "<b>x</b>";
  };
  let visitor = 0;
  /** A new visitor from its own address. */
  const fresh = (): HttpClient => {
    const c = p.client();
    visitor += 1;
    c.headers["x-forwarded-for"] = `10.${Math.floor(visitor / 250)}.${visitor % 250}.7`;
    return c;
  };

  const surfaces = new Map<string, { submitted: number; seen: Set<number> }>();
  const findings: string[] = [];
  let pagesRendered = 0;
  let submissions = 0;
  const submitted = (surface: string, count = 1) => {
    const s = surfaces.get(surface) ?? { submitted: 0, seen: new Set<number>() };
    s.submitted += count;
    submissions += count;
    surfaces.set(surface, s);
  };
  const expectOk = (what: string, r: { status: number; text: string; location?: string }, ...ok: number[]) =>
    assert.ok(
      (ok.length ? ok : [200, 303]).includes(r.status),
      `${what}: ${r.status} ${r.text.slice(0, 300)}`,
    );

  const rendering: Promise<void>[] = [];
  let running = 0;
  const waiting: (() => void)[] = [];
  /** Fetches the HTML `client` gets (or takes what it was given) now, and renders it in Chromium soon. */
  async function render(surface: string, client: HttpClient, url: string, html?: string) {
    const body = html ?? (await client.get(url)).text;
    rendering.push(
      (async () => {
        if (running >= 4) await new Promise<void>((resolve) => waiting.push(resolve));
        running += 1;
        try {
          await show(surface, url, body);
        } finally {
          running -= 1;
          waiting.shift()?.();
        }
      })(),
    );
  }

  async function show(surface: string, url: string, body: string) {
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    const address = `${p.baseUrl}${url}`;
    await page.route(address, (route) =>
      route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body }),
    );
    await page.goto(address, { waitUntil: "load" });
    // let autofocus, toggle, animation and media error handlers fire
    await page.waitForTimeout(150);
    const [hits, dom, text] = await Promise.all([
      page.evaluate(() => (window as unknown as { __xss: string[] }).__xss),
      page.evaluate(domFindings),
      page.evaluate(() => document.body?.innerText ?? ""),
    ]);
    await page.close();
    pagesRendered += 1;
    for (const f of [...hits, ...dialogs.map((d) => `dialog ${d}`), ...dom])
      findings.push(`${surface} ${url}: ${f}`);
    const seen = surfaces.get(surface)?.seen;
    for (const m of text.matchAll(/xssHit\((\d+)\)/g)) seen?.add(Number(m[1]));
  }

  before(async () => {
    p = await startTestPlatform("demo");
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true });
    // tsx keeps function names with a helper the page does not have
    await context.addInitScript({ content: "globalThis.__name = (f) => f;" });
    await context.addInitScript(installXssHook);
  });
  after(async () => {
    await browser?.close();
    await p?.close();
  });

  it("runs no payload anywhere it is shown", async () => {
    const portal = await siteId(p.ctx, "www");
    const gjj = await siteId(p.ctx, "gjj");
    const sys = await staffClient(p, (await staffWith(p.ctx, [{ role: "sysadmin" }], "sys")).username);

    /* ---- staff names: created through the account form with a payload for a name ---- */
    const staffAccounts: { username: string; id: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const username = `xss${i}${Date.now() % 10000}`;
      const r = await sys.submit("/admin/users/new", "/admin/users/new", {
        username,
        displayName: short(40),
        departmentId: "",
        password: "Xss-Passw0rd!2026",
      });
      expectOk("staff account", r, 303);
      submitted("staff names");
      const id = Number(/\/admin\/users\/(\d+)/.exec(r.location)?.[1]);
      staffAccounts.push({ username, id });
    }
    // roles are granted by the security administrator's form elsewhere (三员分立); here directly
    const [a0, a1, a2, a3] = staffAccounts as [
      (typeof staffAccounts)[0],
      (typeof staffAccounts)[0],
      (typeof staffAccounts)[0],
      (typeof staffAccounts)[0],
    ];
    await addGrant(p.ctx, a0.id, { role: "site_admin", siteId: null, columnId: null, reviewLevel: null });
    await addGrant(p.ctx, a1.id, { role: "site_admin", siteId: null, columnId: null, reviewLevel: null });
    await addGrant(p.ctx, a2.id, { role: "officer", siteId: gjj, columnId: null, reviewLevel: null });
    await addGrant(p.ctx, a3.id, { role: "site_admin", siteId: gjj, columnId: null, reviewLevel: null });
    const signIn = async (username: string) => {
      const c = p.client();
      const r = await c.submit("/admin/login", "/admin/login", { username, password: "Xss-Passw0rd!2026" });
      assert.equal(r.status, 303, `sign-in ${username}`);
      return c;
    };
    const admin = await signIn(a0.username);
    const approver = await signIn(a1.username);
    const actor = async (id: number) => (await loadActor(p.ctx, id)) as Actor;
    await render("staff names", sys, "/admin/users");
    await render("staff names", sys, `/admin/users/${a0.id}`);

    /* ---- citizens' display names ---- */
    const citizens: HttpClient[] = [];
    for (let i = 0; i < 3; i++) {
      const c = fresh();
      const r = await c.submit("/account/register", "/account/register", {
        phone: `1391000${String(i).padStart(4, "0")}`,
        displayName: short(40),
        password: "Citizen-Pass1",
        passwordConfirm: "Citizen-Pass1",
        agreed: "1",
      });
      expectOk("register", r, 303);
      submitted("citizen profile");
      citizens.push(c);
      await render("citizen profile", c, "/account");
    }
    const badRegister = await fresh().submit("/account/register", "/account/register", {
      phone: "12",
      displayName: short(40),
      password: "x",
      passwordConfirm: "y",
    });
    submitted("citizen profile");
    await render("citizen profile", p.client(), "/account/register", badRegister.text);

    /* ---- letters: subject, body, name and attachment names; the reply too ---- */
    const letterIds: number[] = [];
    for (const [i, chunk] of full.entries()) {
      const c = fresh();
      const fields = {
        mailbox: String(portal),
        type: "咨询",
        title: `${short(44)}来信`,
        body: chunk,
        name: short(40),
        phone: `1370000${String(i).padStart(4, "0")}`,
        email: "",
        publish: "1",
      };
      const r = await c.submit("/xj/write/", "/xj/write/", fields, {
        files: [{ name: `${short(40).replace(/\//g, "")}.png`, data: PNG, type: "image/png" }],
      });
      expectOk("letter", r, 200);
      submitted("letters", 4);
      const trackingNo = /信件编号：<strong class="code">(XJ\w+)<\/strong>/.exec(r.text)?.[1] ?? "";
      const queryCode = /查询码：<strong class="code">(\w+)<\/strong>/.exec(r.text)?.[1] ?? "";
      await render("letters", c, "/xj/write/", r.text);
      const status = await c.submit("/xj/cx/", "/xj/cx/", { trackingNo, queryCode });
      await render("letters", c, "/xj/cx/", status.text);
      const row = await p.ctx.db
        .selectFrom("letters")
        .select("id")
        .where("tracking_no", "=", trackingNo)
        .executeTakeFirstOrThrow();
      letterIds.push(row.id);
      if (i === 0) {
        // what a citizen typed comes back into the form when something is wrong
        const bad = await fresh().submit("/xj/write/", "/xj/write/", { ...fields, phone: "1" });
        expectOk("letter refused", bad, 400);
        await render("letters", c, "/xj/write/", bad.text);
      }
    }
    const intake = await actor(a0.id);
    const officer = await actor(a2.id);
    const head = await actor(a3.id);
    for (const [i, id] of letterIds.entries()) {
      await actOnLetter(p.ctx, intake, id, "accept");
      await actOnLetter(p.ctx, intake, id, "assign", { siteId: gjj });
      await actOnLetter(p.ctx, officer, id, "submit_reply", {
        body: (full[(i + 1) % full.length] ?? "").slice(0, 1900),
      });
      await actOnLetter(p.ctx, head, id, "approve_reply");
      await setPublished(p.ctx, head, id, true);
      submitted("letter replies");
    }
    await render("letters", admin, "/admin/letters");
    for (const id of letterIds) {
      await render("letters", admin, `/admin/letters/${id}`);
      await render("letter replies", p.client(), `/xj/${id}`);
    }
    await render("letters", p.client(), "/xj/");

    /* ---- consultations: staff draft, citizens comment ---- */
    const consultation = await admin.submit("/admin/consultations/new", "/admin/consultations/new", {
      siteId: String(portal),
      title: `征求意见${short(40)}`,
      summary: full[0]?.slice(0, 500) ?? "",
      opensOn: chinaDay(),
      closesOn: addCalendarDays(chinaDay(), 30),
      sections: `第一条 ${short(40)}\n${full[1]?.slice(0, 800)}\n\n第二条 适用范围\n本办法适用于本市。`,
    });
    expectOk("consultation", consultation, 303);
    submitted("consultations (staff)", 3);
    const cid = Number(/\/admin\/consultations\/(\d+)/.exec(consultation.location)?.[1]);
    expectOk(
      "publish",
      await admin.submit(`/admin/consultations/${cid}`, `/admin/consultations/${cid}/publish`, {}),
      303,
    );
    const cpage = `/myzj/${cid}`;
    for (const [i, chunk] of packPayloads(payloads, 990).entries()) {
      const c = citizens[i % citizens.length] as HttpClient;
      const r = await c.submit(cpage, `${cpage}/comment`, { sectionId: "0", body: chunk });
      expectOk("comment", r, 303);
      submitted("consultation comments");
    }
    await render("consultation comments", p.client(), cpage);
    await render("consultation comments", admin, "/admin/moderation");
    await render("consultation comments", admin, `/admin/consultations/${cid}`);
    await render("consultations (staff)", p.client(), "/myzj/");

    /* ---- surveys: questions, options and matrix rows by staff; text answers by citizens ---- */
    const survey = await admin.submit("/admin/surveys/new", "/admin/surveys/new", {
      siteId: String(portal),
      title: `问卷${short(40)}`,
      intro: full[2]?.slice(0, 900) ?? "",
      opensOn: chinaDay(),
      closesOn: addCalendarDays(chinaDay(), 10),
      responseRule: "browser",
      resultsPublic: "1",
      source: `# ${short(40)} [单选] *\n- ${short(30)}\n- ${short(30)}\n# 请评价 [矩阵]\n- 行：${short(30)}\n- 行：办事效率\n- 列：${short(30)}\n- 列：一般\n# 您的建议 [填空]`,
    });
    expectOk("survey", survey, 303);
    submitted("surveys (staff)", 6);
    const sid = Number(/\/admin\/surveys\/(\d+)/.exec(survey.location)?.[1]);
    expectOk(
      "publish",
      await admin.submit(`/admin/surveys/${sid}`, `/admin/surveys/${sid}/publish`, {}),
      303,
    );
    const questions = await p.ctx.db
      .selectFrom("survey_questions")
      .select("id")
      .where("survey_id", "=", sid)
      .orderBy("position")
      .execute();
    const [q1, q2, q3] = questions.map((q) => q.id);
    for (const chunk of packPayloads(payloads, 990)) {
      const c = fresh();
      const r = await c.submit(`/dcwj/${sid}`, `/dcwj/${sid}`, {
        [`q${q1}`]: "0",
        [`q${q2}.0`]: "0",
        [`q${q2}.1`]: "1",
        [`q${q3}`]: chunk,
      });
      expectOk("survey answer", r, 303);
      submitted("survey answers");
    }
    await render("surveys (staff)", p.client(), `/dcwj/${sid}`);
    await render("survey answers", p.client(), `/dcwj/${sid}/jg`);
    await render("survey answers", admin, `/admin/surveys/${sid}`);

    /* ---- interviews: questions from citizens, answered live ---- */
    const interview = await admin.submit("/admin/interviews/new", "/admin/interviews/new", {
      siteId: String(portal),
      title: `在线访谈${short(40)}`,
      guests: short(40),
      scheduledAt: "2026-11-25T10:00",
      topic: full[3]?.slice(0, 900) ?? "",
      videoUrl: "",
    });
    expectOk("interview", interview, 303);
    submitted("interviews (staff)", 3);
    const iid = Number(/\/admin\/interviews\/(\d+)/.exec(interview.location)?.[1]);
    for (const step of ["publish", "start"])
      expectOk(
        step,
        await admin.submit(`/admin/interviews/${iid}`, `/admin/interviews/${iid}/step`, { step }),
        303,
      );
    for (const chunk of packPayloads(payloads, 490)) {
      const r = await fresh().submit(`/zxft/${iid}`, `/zxft/${iid}/ask`, {
        nickname: short(20),
        body: chunk,
      });
      expectOk("question", r, 303);
      submitted("interview questions", 2);
    }
    await render("interview questions", admin, `/admin/interviews/${iid}`);
    const asked = await p.ctx.db
      .selectFrom("interview_questions")
      .select("id")
      .where("interview_id", "=", iid)
      .orderBy("id")
      .execute();
    for (const q of asked.slice(0, 12)) {
      const r = await admin.submit(`/admin/interviews/${iid}`, `/admin/interviews/${iid}/questions/${q.id}`, {
        decision: "answer",
        speaker: short(20),
        answer: `答复：${short(40)}`,
      });
      expectOk("answer", r, 303);
    }
    await render("interview questions", p.client(), `/zxft/${iid}`);
    await render("interviews (staff)", p.client(), "/zxft/");

    /* ---- rich text by editors: news, policy, 解读, with attachments named by payloads ---- */
    const zcwj = await columnId(p.ctx, "rsj", "zcwj");
    const docIds: number[] = [];
    for (const [i, chunk] of full.entries()) {
      const type = (["news", "policy", "interpretation"] as const)[i % 3] ?? "news";
      const r = await admin.submit(
        "/admin/documents/new",
        "/admin/documents/new",
        {
          type: type === "news" ? "news" : type,
          columnId: String(type === "news" ? await columnId(p.ctx, "rsj", "gzdt") : zcwj),
          title: `文件${short(40)}`,
          summary: short(40),
          bodyHtml: chunk,
          "meta.issuer": "青禾市人力资源和社会保障局",
          "meta.written_date": "2026-03-15",
          "meta.validity": "有效",
          "meta.interpreter": "青禾市人力资源和社会保障局",
          "meta.source": short(40),
        },
        { files: [{ name: `${short(30).replace(/\//g, "")}.png`, data: PNG, type: "image/png" }] },
      );
      expectOk(`document ${type}`, r, 303);
      submitted("rich text documents", 4);
      docIds.push(Number(/\/admin\/documents\/(\d+)/.exec(r.location)?.[1]));
    }
    for (const id of docIds) {
      expectOk(
        "submit",
        await admin.submit(`/admin/documents/${id}`, `/admin/documents/${id}/submit`, { publishAt: "" }),
        303,
      );
      for (let step = 0; step < 3; step++) {
        const version = await latestVersion(p.ctx.db, id);
        if (version.status !== "in_review") break;
        await approver.submit(`/admin/documents/${id}`, `/admin/versions/${version.id}/decide`, {
          decision: "approve",
          comment: short(40),
        });
      }
    }
    await render("rich text documents", admin, "/admin/documents");
    await render("rich text documents", approver, "/admin/reviews");
    for (const id of docIds) {
      await render("rich text documents", admin, `/admin/documents/${id}`);
      await render("rich text documents", admin, `/admin/documents/${id}/diff`);
      const pub = await p.client().get(`/sites/rsj/art/${id}.html`);
      await render("rich text documents", p.client(), `/sites/rsj/art/${id}.html`, pub.text);
    }
    await render("rich text documents", p.client(), "/sites/rsj/col/zcwj/");
    await render("rich text documents", p.client(), "/zcwjk/");

    /* ---- search: queries on the results page, the API, suggestions and the analytics ---- */
    const queries = packPayloads(payloads, 100);
    for (const q of queries.slice(0, 20)) {
      const url = `/search?q=${encodeURIComponent(q)}`;
      await render("search queries", p.client(), url);
      const api = await p.client().request(`/api/search?q=${encodeURIComponent(q)}`);
      assert.match(api.headers.get("content-type") ?? "", /application\/json/);
      await api.arrayBuffer();
      submitted("search queries", 2);
    }
    // suggestions: typed into the box with scripts on
    {
      const page = await context.newPage();
      await page.goto(`${p.baseUrl}/search`);
      for (const q of shortOnes.slice(0, 10)) {
        await page.fill("input[data-suggest]", q.text.slice(0, 30));
        await page.waitForTimeout(260);
        submitted("search suggestions");
      }
      const hits = await page.evaluate(() => (window as unknown as { __xss: string[] }).__xss);
      findings.push(...hits.map((h) => `search suggestions: ${h}`), ...(await page.evaluate(domFindings)));
      await page.close();
      pagesRendered += 1;
    }
    await render("search queries", admin, "/admin/search");

    /* ---- synonyms and hot words ---- */
    for (let i = 0; i < 6; i++) {
      const w = short(20).replace(/[\s,，=]/g, "");
      await admin.submit("/admin/search", "/admin/search/synonyms", { rule: `${w}=社保卡` });
      await admin.submit("/admin/search", "/admin/search/hot-words", { word: w, position: String(i) });
      submitted("synonyms and hot words", 2);
    }
    await render("synonyms and hot words", admin, "/admin/search");
    await render("synonyms and hot words", p.client(), "/search");
    await render("synonyms and hot words", p.client(), "/");

    /* ---- assistant: questions on the review list, FAQ answers written by staff ---- */
    for (const q of packPayloads(payloads, 200).slice(0, 15)) {
      await render("assistant questions", p.client(), `/assistant?q=${encodeURIComponent(q)}`);
      submitted("assistant questions");
    }
    await render("assistant questions", admin, "/admin/assistant");
    const faq = await admin.submit("/admin/assistant/faqs/new", "/admin/assistant/faqs/new", {
      question: `社保卡补办${short(40)}`,
      answer: full[4]?.slice(0, 1900) ?? "",
      tags: "社保卡补办,xss",
      refs: "",
      published: "1",
    });
    expectOk("faq", faq, 303);
    submitted("FAQ (staff)", 2);
    await render("FAQ (staff)", admin, "/admin/assistant/faqs");
    await render("FAQ (staff)", p.client(), `/assistant?q=${encodeURIComponent("社保卡补办")}`);
    const api = await p.client().request(`/api/assistant?q=${encodeURIComponent("社保卡补办")}`);
    assert.match(api.headers.get("content-type") ?? "", /application\/json/);

    /* ---- the audit trail shows staff names and objects ---- */
    const auditor = await staffClient(p, (await staffWith(p.ctx, [{ role: "auditor" }], "aud")).username);
    await render("staff names", auditor, "/admin/audit");

    await Promise.all(rendering);
    const seen = new Set<number>();
    for (const s of surfaces.values()) for (const n of s.seen) seen.add(n);
    process.stdout.write(
      `XSS: ${payloads.length} payloads, ${submissions} submissions over ${surfaces.size} surfaces, ${pagesRendered} pages rendered, ${seen.size} payloads seen as text, ${findings.length} findings\n`,
    );
    for (const [name, s] of surfaces)
      process.stdout.write(`  ${name}: ${s.submitted} submitted, ${s.seen.size} shown\n`);
    assert.deepEqual(findings, []);
    // the corpus did arrive: most payloads are visible as plain text somewhere
    assert.ok(seen.size > payloads.length * 0.8, `only ${seen.size} payloads were shown`);
  });
});

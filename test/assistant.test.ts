import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";

interface Reply {
  answer: string;
  confident: boolean;
  sources: { ref: string | null; title: string; url: string }[];
  outcome: string;
}

describe("智能问答 over HTTP", () => {
  let p: TestPlatform;
  const ask = async (question: string): Promise<Reply> => {
    const r = await p.client().get(`/api/assistant?q=${encodeURIComponent(question)}`);
    assert.equal(r.status, 200, r.text);
    return JSON.parse(r.text) as Reply;
  };

  before(async () => {
    p = await startTestPlatform("demo");
  });
  after(() => p.close());

  it("answers a common question in everyday words from the FAQ, citing its sources", async () => {
    const r = await ask("孩子刚生下来，上户口要准备什么？");
    assert.equal(r.confident, true);
    assert.equal(r.outcome, "answered");
    assert.equal(r.sources[0]?.ref, "faq-001");
    assert.match(r.answer, /出生医学证明/);
    // the FAQ's own references that are public (pol-022) follow it
    assert.ok(r.sources.some((s) => s.ref === "pol-022"));
    for (const s of r.sources) assert.ok(s.url.startsWith("/") && s.title);
    // typos are corrected before answering
    const typo = await ask("退休了公基金怎么取出来");
    assert.equal(typo.confident, true);
    assert.equal(typo.sources[0]?.ref, "faq-100");
  });

  it("asks one clarifying question when the question fits several matters", async () => {
    const r = await ask("公积金提取");
    assert.equal(r.outcome, "clarify");
    assert.equal(r.confident, false);
    assert.match(r.answer, /哪一种/);
    assert.ok(r.sources.length >= 3);
    const page = await p.client().get(`/assistant?q=${encodeURIComponent("公积金提取")}`);
    assert.match(page.text, /class="assistant-options"/);
    assert.match(page.text, /href="\/assistant\?q=/);
  });

  it("says plainly when it does not know, shows search results and offers a letter", async () => {
    const r = await ask("护照过期了在哪里换新的");
    assert.equal(r.confident, false);
    assert.equal(r.outcome, "unknown");
    assert.match(r.answer, /没有找到可靠的答案/);
    assert.match(r.answer, /12345/);
    const page = await p.client().get(`/assistant?q=${encodeURIComponent("护照过期了在哪里换新的")}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /可能有帮助的内容/);
    assert.match(page.text, /<a class="button" href="\/col\/szxx\/">把问题写信咨询<\/a>/);
  });

  it("refuses politely when the question is not about government affairs", async () => {
    const r = await ask("今天天气怎么样，讲个笑话吧");
    assert.equal(r.confident, false);
    assert.equal(r.outcome, "refused");
    assert.match(r.answer, /超出了我的服务范围/);
    assert.equal(r.sources.length, 0);
  });

  it("works without JavaScript: a plain form, a rating that posts and redirects", async () => {
    const client = p.client();
    const empty = await client.get("/assistant");
    assert.match(empty.text, /<form method="get" action="\/assistant"/);
    const long = await client.get(`/assistant?q=${"问".repeat(201)}`);
    assert.match(long.text, /问题不超过 200 字/);
    const page = `/assistant?q=${encodeURIComponent("残疾人证怎么办理")}`;
    const answered = await client.get(page);
    const action = /action="(\/assistant\/rate\/\d+)"/.exec(answered.text)?.[1];
    assert.ok(action, "an answer can be rated");
    const rated = await client.submit(page, action, { helpful: "0", q: "残疾人证怎么办理" });
    assert.equal(rated.status, 303);
    assert.match((await client.get(rated.location)).text, /感谢您的反馈/);
  });

  it("puts unanswered and unhelpful questions on a review list where staff add an FAQ", async () => {
    const question = "养的宠物狗需要办狗证吗";
    assert.equal((await ask(question)).confident, false);
    const admin = await staffWith(p.ctx, [{ role: "site_admin" }], "kbadmin");
    const staff = await staffClient(p, admin.username);
    const review = await staff.get("/admin/assistant");
    assert.equal(review.status, 200);
    assert.ok(review.text.includes(question));
    assert.match(review.text, /残疾人证怎么办理/, "the unhelpful rating from before is listed too");
    const id = new RegExp(`${question}</td>[\\s\\S]*?faqs/new\\?from=(\\d+)`).exec(review.text)?.[1];
    assert.ok(id);
    const form = `/admin/assistant/faqs/new?from=${id}`;
    assert.match((await staff.get(form)).text, new RegExp(`value="${question}"`));
    const bad = await staff.submit(form, "/admin/assistant/faqs/new", {
      from: id,
      question,
      answer: "",
      tags: "养犬,犬证",
      refs: "",
      published: "1",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /请填写答案/);
    assert.match(bad.text, /value="养犬,犬证"/);
    const saved = await staff.submit(form, "/admin/assistant/faqs/new", {
      from: id,
      question: "养狗要办狗证吗？",
      answer: "在本市城区饲养犬只须办理养犬登记证（狗证），可在“禾易办”App或所在地派出所办理，每年年检一次。",
      tags: "养犬,狗证,宠物狗,养犬登记",
      refs: "",
      published: "1",
    });
    assert.equal(saved.status, 303);
    assert.ok(
      !(await staff.get("/admin/assistant")).text.includes(question),
      "resolved questions leave the list",
    );
    const now = await ask(question);
    assert.equal(now.confident, true);
    assert.match(now.sources[0]?.url ?? "", /^\/assistant\/faq\/\d+$/);
    const faqPage = await p.client().get(now.sources[0]?.url ?? "");
    assert.match(faqPage.text, /养犬登记证/);
    // an editor has no access to the knowledge base
    const editor = await staffWith(
      p.ctx,
      [{ role: "editor", siteId: await siteId(p.ctx, "rsj") }],
      "kbeditor",
    );
    assert.equal((await (await staffClient(p, editor.username)).get("/admin/assistant")).status, 403);
  });

  it("keeps unpublished FAQs out of search and answers", async () => {
    const admin = await staffWith(p.ctx, [{ role: "site_admin" }], "kbadmin2");
    const staff = await staffClient(p, admin.username);
    const faq = await p.ctx.db
      .selectFrom("faqs")
      .select("id")
      .where("ref", "=", "faq-156")
      .executeTakeFirstOrThrow();
    const edit = `/admin/assistant/faqs/${faq.id}`;
    const page = await staff.get(edit);
    assert.match(page.text, /残疾人证怎么办理/);
    const r = await staff.submit(edit, edit, {
      question: "残疾人证怎么办理？",
      answer: "本市户籍残疾人可向户籍地乡镇（街道）残联提出申请，然后到指定医疗机构进行残疾评定。",
      tags: "残疾人证,办理",
      refs: "svc-038",
      published: "0",
    });
    assert.equal(r.status, 303);
    const search = JSON.parse(
      (await p.client().get(`/api/search?q=${encodeURIComponent("残疾人证")}&type=faq`)).text,
    );
    assert.ok(!search.hits.some((h: { ref: string }) => h.ref === "faq-156"));
    assert.notEqual((await ask("残疾人证怎么办理")).sources[0]?.ref, "faq-156");
    assert.equal((await p.client().get(`/assistant/faq/${faq.id}`)).status, 404);
  });
});

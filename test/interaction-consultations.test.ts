import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Actor } from "../src/core/auth/permissions.ts";
import { addCalendarDays, chinaDay } from "../src/core/calendar.ts";
import { loadActor } from "../src/modules/identity/service.ts";
import { publishAdoption, voteOnSection } from "../src/modules/interaction/consultations.ts";
import type { HttpClient } from "./support/http.ts";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";

const DRAFT = `# 第一条 适用范围
本办法适用于本市行政区域内的老年人助餐服务。
# 第二条 助餐补贴
年满 70 周岁的老年人在社区食堂就餐，每餐补贴 3 元。`;

async function citizen(p: TestPlatform, phone: string): Promise<HttpClient> {
  const client = p.client();
  const r = await client.submit("/account/register", "/account/register", {
    phone,
    displayName: "陈市民",
    password: "Citizen-Pass1",
    passwordConfirm: "Citizen-Pass1",
    agreed: "1",
  });
  assert.equal(r.status, 303);
  return client;
}

describe("民意征集: consultations with votes, moderated comments and 意见采纳情况", () => {
  let p: TestPlatform;
  let editor: HttpClient;
  let head: Actor;
  let consultationId: number;
  let sections: { id: number; heading: string }[];

  before(async () => {
    p = await startTestPlatform("demo");
    const mzj = await siteId(p.ctx, "mzj");
    const e = await staffWith(p.ctx, [{ role: "site_admin", siteId: mzj }], "mzjadmin");
    editor = await staffClient(p, e.username);
    head = (await loadActor(p.ctx, e.id)) as Actor;
  });
  after(() => p.close());

  it("staff draft it in sections with clear messages, then publish", async () => {
    const today = chinaDay();
    const bad = await editor.submit("/admin/consultations/new", "/admin/consultations/new", {
      siteId: String(await siteId(p.ctx, "mzj")),
      title: "意见",
      opensOn: today,
      closesOn: addCalendarDays(today, -1),
      sections: "",
    });
    assert.equal(bad.status, 400);
    for (const m of ["标题为 4—100 个字", "截止日期不能早于开始日期", "请至少写一节内容"])
      assert.ok(bad.text.includes(m), m);
    const ok = await editor.submit("/admin/consultations/new", "/admin/consultations/new", {
      siteId: String(await siteId(p.ctx, "mzj")),
      title: "青禾市老年人助餐服务管理办法（征求意见稿）",
      summary: "为规范老年人助餐服务，现公开征求意见。",
      opensOn: today,
      closesOn: addCalendarDays(today, 30),
      sections: DRAFT,
    });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    consultationId = Number(/\/admin\/consultations\/(\d+)/.exec(ok.location)?.[1]);
    assert.equal(
      (await p.client().get(`/sites/mzj/myzj/${consultationId}`)).status,
      404,
      "not public before publishing",
    );
    const published = await editor.submit(
      `/admin/consultations/${consultationId}`,
      `/admin/consultations/${consultationId}/publish`,
      {},
    );
    assert.equal(published.status, 303);
    sections = await p.ctx.db
      .selectFrom("consultation_sections")
      .select(["id", "heading"])
      .where("consultation_id", "=", consultationId)
      .orderBy("position")
      .execute();
    assert.deepEqual(
      sections.map((s) => s.heading),
      ["第一条 适用范围", "第二条 助餐补贴"],
    );
    const list = await p.client().get("/myzj/");
    assert.ok(list.text.includes("老年人助餐服务管理办法"), "the portal lists every site's consultations");
  });

  it("counts one stance per citizen per section and asks anonymous visitors to sign in", async () => {
    const anonymous = p.client();
    const page = `/sites/mzj/myzj/${consultationId}`;
    const refused = await anonymous.submit("/xj/write/", `${page}/vote`, {
      sectionId: String(sections[1]?.id),
      stance: "support",
    });
    assert.equal(refused.status, 303);
    assert.match(refused.location, /^\/account\/login\?next=/);

    const a = await citizen(p, "13811112222");
    const b = await citizen(p, "13811113333");
    for (let i = 0; i < 3; i++)
      await a.submit(page, `${page}/vote`, { sectionId: String(sections[1]?.id), stance: "support" });
    await b.submit(page, `${page}/vote`, { sectionId: String(sections[1]?.id), stance: "support" });
    let shown = await anonymous.get(page);
    assert.match(shown.text, /赞成 2 · 反对 0/);
    await a.submit(page, `${page}/vote`, { sectionId: String(sections[1]?.id), stance: "oppose" });
    shown = await anonymous.get(page);
    assert.match(shown.text, /赞成 1 · 反对 1/, "a second vote changes the stance, not the count");
  });

  it("shows comments at once, holds those with a sensitive word for a moderator, refuses duplicates", async () => {
    const words = await editor.submit("/admin/moderation", "/admin/moderation/words", {
      words: "赌博\n代开发票",
    });
    assert.equal(words.status, 403, "only a portal administrator edits the list");
    const staffWords = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "site_admin", siteId: null }], "root")).username,
    );
    assert.equal(
      (await staffWords.submit("/admin/moderation", "/admin/moderation/words", { words: "赌博\n代开发票" }))
        .status,
      303,
    );

    const page = `/sites/mzj/myzj/${consultationId}`;
    const c = await citizen(p, "13811114444");
    const ok = await c.submit(page, `${page}/comment`, {
      sectionId: String(sections[1]?.id),
      body: "建议把补贴提高到每餐 5 元。",
    });
    assert.equal(ok.status, 303);
    assert.match(ok.location, /msg=commented/);
    const again = await c.submit(page, `${page}/comment`, {
      sectionId: String(sections[1]?.id),
      body: "建议把补贴提高到每餐 5 元。",
    });
    assert.equal(again.status, 400);
    assert.match(again.text, /您已提交过相同的意见/);
    const held = await c.submit(page, `${page}/comment`, {
      sectionId: "0",
      body: "食堂门口有人代 开 发 票，请管一管。",
    });
    assert.match(held.location, /msg=held/);

    const anonymous = await p.client().get(page);
    assert.match(anonymous.text, /建议把补贴提高到每餐 5 元/);
    assert.doesNotMatch(anonymous.text, /食堂门口有人/, "held comments are not public");
    assert.match((await c.get(page)).text, /食堂门口有人/, "the author sees his held comment");

    const queue = await editor.get("/admin/moderation");
    assert.match(queue.text, /食堂门口有人/);
    assert.match(queue.text, /代开发票/);
    const commentId = Number(/\/admin\/moderation\/comments\/(\d+)/.exec(queue.text)?.[1]);
    const noReason = await editor.submit("/admin/moderation", `/admin/moderation/comments/${commentId}`, {
      decision: "reject",
      reason: "",
    });
    assert.equal(noReason.status, 400);
    const approved = await editor.submit("/admin/moderation", `/admin/moderation/comments/${commentId}`, {
      decision: "approve",
    });
    assert.equal(approved.status, 303);
    assert.match((await p.client().get(page)).text, /食堂门口有人/);
  });

  it("limits submissions per account when signed in, not per shared address", async () => {
    const page = `/sites/mzj/myzj/${consultationId}`;
    const busy = await citizen(p, "13811116666");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (await busy.submit(page, `${page}/vote`, { sectionId: String(sections[0]?.id), stance: "support" }))
          .status,
      );
    assert.equal(statuses.at(-1), 429);
    const neighbour = await citizen(p, "13811117777");
    const ok = await neighbour.submit(page, `${page}/vote`, {
      sectionId: String(sections[0]?.id),
      stance: "oppose",
    });
    assert.equal(ok.status, 303, "another account on the same address is not held up");
  });

  it("publishes 意见采纳情况 only after closing, linked from the consultation", async () => {
    const closed = addCalendarDays(chinaDay(), 31);
    await assert.rejects(
      voteOnSection(p.ctx, 1, consultationId, sections[0]?.id ?? 0, "support", closed),
      /不在征集期内/,
    );
    await assert.rejects(
      publishAdoption(p.ctx, head, consultationId, "共收到意见 3 条，采纳 1 条。"),
      /征集结束后/,
    );
    await publishAdoption(
      p.ctx,
      head,
      consultationId,
      "共收到意见 3 条。采纳“提高补贴标准”的意见，第二条修改为每餐补贴 5 元；其余意见转相关部门研究。",
      closed,
    );
    const page = await p.client().get(`/sites/mzj/myzj/${consultationId}`);
    assert.match(page.text, /意见采纳情况/);
    assert.match(page.text, /第二条修改为每餐补贴 5 元/);
  });
});

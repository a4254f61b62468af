import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { HttpClient } from "./support/http.ts";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";

const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);

/** Reads server-sent events until `until` matches the text received, or the time runs out. */
async function readFeed(url: string, until: RegExp, ms = 8000): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  let text = "";
  try {
    const response = await fetch(url, { signal: controller.signal });
    assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    while (reader) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (until.test(text)) break;
    }
  } catch (error) {
    if ((error as Error).name !== "AbortError") throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return text;
}

describe("在线访谈: live feed with moderated questions, then the transcript", () => {
  let p: TestPlatform;
  let host: HttpClient;
  let id: number;

  before(async () => {
    p = await startTestPlatform("demo");
    const portal = await siteId(p.ctx, "www");
    host = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "site_admin", siteId: portal }], "host")).username,
    );
    await p.ctx.db.insertInto("moderation_words").values({ word: "赌博" }).execute();
  });
  after(() => p.close());

  it("schedules, publishes and starts an interview", async () => {
    const bad = await host.submit("/admin/interviews/new", "/admin/interviews/new", {
      siteId: String(await siteId(p.ctx, "www")),
      title: "访谈",
      scheduledAt: "",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /标题为 4—100 个字/);
    assert.match(bad.text, /请填写访谈时间/);
    const ok = await host.submit("/admin/interviews/new", "/admin/interviews/new", {
      siteId: String(await siteId(p.ctx, "www")),
      title: "市人社局局长谈2026年稳就业政策",
      guests: "市人社局局长 王建国",
      scheduledAt: "2026-11-25T10:00",
      topic: "围绕稳就业、技能培训补贴回答网友提问。",
      videoUrl: "",
    });
    assert.equal(ok.status, 303, ok.text.slice(0, 400));
    id = Number(/\/admin\/interviews\/(\d+)/.exec(ok.location)?.[1]);
    assert.equal((await p.client().get(`/zxft/${id}`)).status, 404, "not public before publishing");
    for (const step of ["publish", "start"])
      assert.equal(
        (await host.submit(`/admin/interviews/${id}`, `/admin/interviews/${id}/step`, { step })).status,
        303,
      );
    const page = await p.client().get(`/zxft/${id}`);
    assert.match(page.text, /正在直播/);
    assert.match(
      page.text,
      /<noscript><meta http-equiv="refresh" content="30"/,
      "refreshes without JavaScript",
    );
    assert.match(page.text, /data-live-feed="\/zxft\/\d+\/feed"/);
  });

  it("publishes answered questions live over server-sent events; a question moderated out never appears", async () => {
    const citizen = p.client();
    const page = `/zxft/${id}`;
    const ask = (nickname: string, body: string) => citizen.submit(page, `${page}/ask`, { nickname, body });
    assert.equal((await ask("小李", "技能培训补贴今年怎么申请？")).status, 303);
    assert.equal((await ask("匿名", "哪里可以赌博？这个问题不该被发布")).status, 303);
    const dup = await ask("小王", "技能培训补贴今年怎么申请？");
    assert.equal(dup.status, 400);
    assert.match(dup.text, /已有人提过相同的问题/);
    assert.doesNotMatch(
      (await p.client().get(page)).text,
      /技能培训补贴今年怎么申请/,
      "questions wait for the host",
    );

    const console = await host.get(`/admin/interviews/${id}`);
    assert.match(console.text, /命中敏感词：赌博/);
    const questions = await p.ctx.db
      .selectFrom("interview_questions")
      .select(["id", "body"])
      .where("interview_id", "=", id)
      .orderBy("id")
      .execute();
    const [good, bad] = questions;
    const feed = readFeed(`${p.baseUrl}${page}/feed`, /按季度申报/);
    const rejectNoReason = await host.submit(
      `/admin/interviews/${id}`,
      `/admin/interviews/${id}/questions/${bad?.id}`,
      {
        decision: "reject",
        reason: "",
      },
    );
    assert.equal(rejectNoReason.status, 400);
    await host.submit(`/admin/interviews/${id}`, `/admin/interviews/${id}/questions/${bad?.id}`, {
      decision: "reject",
      reason: "含违法内容",
    });
    await host.submit(`/admin/interviews/${id}`, `/admin/interviews/${id}/questions/${good?.id}`, {
      decision: "answer",
      speaker: "王建国",
      answer: "符合条件的劳动者可在禾易办 App 按季度申报技能培训补贴。",
    });
    const events = await feed;
    assert.match(events, /event: entry/);
    assert.match(events, /技能培训补贴今年怎么申请/);
    assert.match(events, /按季度申报/);
    assert.doesNotMatch(events, /赌博/);

    // resuming after the last event id sends only what is new
    const lastId = Number(/id: (\d+)/.exec(events)?.[1]);
    await host.submit(`/admin/interviews/${id}`, `/admin/interviews/${id}/remark`, {
      speaker: "主持人",
      remark: "感谢各位网友的提问，下面进入第二个话题。",
    });
    const resumed = await readFeed(`${p.baseUrl}${page}/feed?after=${lastId}`, /第二个话题/);
    assert.match(resumed, /第二个话题/);
    assert.doesNotMatch(resumed, /按季度申报/);
  });

  it("keeps the transcript, photos and video link as a page after it ends", async () => {
    const upload = await host.submit(
      `/admin/interviews/${id}`,
      `/admin/interviews/${id}/photos`,
      { caption: "访谈现场" },
      { photo: [{ name: "现场.png", data: PNG, type: "image/png" }] },
    );
    assert.equal(upload.status, 303, upload.text.slice(0, 300));
    await host.submit(`/admin/interviews/${id}`, `/admin/interviews/${id}/step`, { step: "end" });
    const saved = await host.submit(`/admin/interviews/${id}`, `/admin/interviews/${id}`, {
      siteId: String(await siteId(p.ctx, "www")),
      title: "市人社局局长谈2026年稳就业政策",
      guests: "市人社局局长 王建国",
      scheduledAt: "2026-11-25T10:00",
      topic: "围绕稳就业、技能培训补贴回答网友提问。",
      videoUrl: "https://video.example/qh-rsj-2026",
    });
    assert.equal(saved.status, 303);
    const page = await p.client().get(`/zxft/${id}`);
    assert.match(page.text, /访谈实录/);
    assert.match(page.text, /按季度申报/);
    assert.match(page.text, /第二个话题/);
    assert.doesNotMatch(page.text, /赌博/);
    assert.doesNotMatch(page.text, /http-equiv="refresh"/, "no refresh once it ended");
    assert.match(page.text, /https:\/\/video\.example\/qh-rsj-2026/);
    const photoId = Number(/\/zxft\/photo\/(\d+)/.exec(page.text)?.[1]);
    const photo = await p.client().request(`/zxft/photo/${photoId}`);
    assert.equal(photo.status, 200);
    assert.equal(photo.headers.get("content-type"), "image/png");
    const late = await p
      .client()
      .submit("/xj/write/", `/zxft/${id}/ask`, { nickname: "小张", body: "结束后还能提问吗？" });
    assert.equal(late.status, 400);
    assert.match(late.text, /访谈直播期间才能提问/);
  });
});

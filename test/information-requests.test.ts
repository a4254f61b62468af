import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Actor } from "../src/core/auth/permissions.ts";
import { OUTCOMES, type Outcome } from "../src/modules/disclosure/request-schema.ts";
import { act, escalateOverdue, submitRequest } from "../src/modules/disclosure/requests.ts";
import { loadActor } from "../src/modules/identity/service.ts";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";
import { databaseSnapshot } from "./support/snapshot.ts";

const PERSON = {
  applicantType: "person",
  orgCategory: "",
  applicantName: "张三",
  contactPerson: "",
  idType: "居民身份证",
  idNumber: "11010519491231002X",
  phone: "13812345678",
  email: "",
  address: "青禾市东城区文昌街66号",
  description: "请提供2026年度社会保险缴费基数核定工作的实施细则",
  documentHint: "",
  carrier: "电子文档",
  delivery: "网上查阅下载",
};

describe("依申请公开: the statutory procedure", () => {
  let p: TestPlatform;
  let rsj: number;
  let officer: Actor;
  let head: Actor;

  before(async () => {
    p = await startTestPlatform("demo");
    rsj = await siteId(p.ctx, "rsj");
    const o = await staffWith(p.ctx, [{ role: "officer", siteId: rsj }], "officer");
    const h = await staffWith(p.ctx, [{ role: "site_admin", siteId: rsj }], "head");
    officer = (await loadActor(p.ctx, o.id)) as Actor;
    head = (await loadActor(p.ctx, h.id)) as Actor;
  });
  after(() => p.close());

  const apply = (overrides: Partial<typeof PERSON> = {}) =>
    submitRequest(p.ctx, { siteId: rsj, citizenId: null, ...PERSON, ...overrides });
  const row = (id: number) =>
    p.ctx.db.selectFrom("info_requests").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const notices = (id: number) =>
    p.ctx.db
      .selectFrom("info_request_notices")
      .selectAll()
      .where("request_id", "=", id)
      .orderBy("id")
      .execute();

  it("takes an application online with a clear Chinese message for bad input, and nothing half-written", async () => {
    const client = p.client();
    const before = await databaseSnapshot(p.ctx.db);
    const countBefore = await p.ctx.db
      .selectFrom("info_requests")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const bad = await client.submit("/sites/rsj/ysqgk/", "/sites/rsj/ysqgk/", {
      ...PERSON,
      idNumber: "110105194912310021",
      phone: "123",
      description: "短",
    });
    assert.equal(bad.status, 400);
    for (const message of [
      "请填写正确的 18 位居民身份证号码",
      "请填写手机号码或带区号的固定电话",
      "请描述所需政府信息",
    ]) {
      assert.ok(bad.text.includes(message), message);
    }
    assert.ok(bad.text.includes('value="张三"'), "typed values are kept");
    assert.deepEqual(await databaseSnapshot(p.ctx.db), before);
    const countAfter = await p.ctx.db
      .selectFrom("info_requests")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(countAfter.n), Number(countBefore.n));

    const ok = await client.submit("/sites/rsj/ysqgk/", "/sites/rsj/ysqgk/", PERSON);
    assert.equal(ok.status, 200);
    const trackingNo = /<strong class="code">(YSQ\w+)<\/strong>/.exec(ok.text)?.[1];
    const queryCode = /查询码：<strong class="code">(\w+)<\/strong>/.exec(ok.text)?.[1];
    assert.ok(trackingNo && queryCode, "receipt shows tracking number and query code");
    const stored = await p.ctx.db
      .selectFrom("info_requests")
      .selectAll()
      .where("tracking_no", "=", trackingNo)
      .executeTakeFirstOrThrow();
    assert.equal(stored.state, "submitted");
    assert.ok(!stored.id_number_enc.toString("latin1").includes("11010519491231002X"), "ID number encrypted");
    assert.equal(p.ctx.cipher.decrypt(stored.phone_enc), "13812345678");
    assert.equal(stored.id_number_masked, "1101**********002X");

    const wrong = await client.submit("/sites/rsj/ysqgk/cx/", "/sites/rsj/ysqgk/cx/", {
      trackingNo,
      queryCode: "WRONG123",
    });
    assert.equal(wrong.status, 404);
    assert.match(wrong.text, /申请编号或查询码不正确/);
    const status = await client.submit("/sites/rsj/ysqgk/cx/", "/sites/rsj/ysqgk/cx/", {
      trackingNo,
      queryCode,
    });
    assert.equal(status.status, 200);
    assert.match(status.text, /待登记/);
    assert.doesNotMatch(status.text, /11010519491231002X|13812345678/, "no personal data in clear");
  });

  it("starts the 20-working-day clock on registration, counted across the Spring Festival", async () => {
    const { id } = await apply();
    const r = await act(p.ctx, officer, id, "register", {}, "2026-02-12");
    assert.equal(r.state, "processing");
    assert.equal(r.received_on, "2026-02-12");
    assert.equal(r.due_on, "2026-03-18");
  });

  it("answers by every Art 36 type with the matching 告知书", async () => {
    for (const outcome of Object.keys(OUTCOMES) as Outcome[]) {
      if (outcome === "other_no_correction" || outcome === "other_no_fee") continue;
      const { id } = await apply();
      await act(p.ctx, officer, id, "register", {}, "2026-11-02");
      const answered = await act(p.ctx, officer, id, "answer", { outcome, reason: "依据说明" }, "2026-11-10");
      assert.equal(answered.state, "answered", outcome);
      assert.equal(answered.outcome, outcome);
      const [notice] = await notices(id);
      assert.equal(notice?.title, OUTCOMES[outcome].notice, outcome);
      assert.match(notice?.body_html ?? "", /行政复议/);
    }
  });

  it("requires a reason except when simply disclosing, and refuses an unknown answer type", async () => {
    const { id } = await apply();
    await act(p.ctx, officer, id, "register", {}, "2026-11-02");
    await assert.rejects(
      act(p.ctx, officer, id, "answer", { outcome: "withheld_secret", reason: "" }, "2026-11-03"),
      /提交的内容有误/,
    );
    await assert.rejects(
      act(p.ctx, officer, id, "answer", { outcome: "made_up" }, "2026-11-03"),
      /提交的内容有误/,
    );
    assert.equal((await row(id)).state, "processing");
    assert.equal((await notices(id)).length, 0, "no notice for a refused step");
  });

  it("asks for 补正 once, within 7 working days, and restarts the clock when it arrives", async () => {
    const { id } = await apply();
    await act(p.ctx, officer, id, "register", {}, "2026-11-02");
    const late = await apply();
    await act(p.ctx, officer, late.id, "register", {}, "2026-11-02");
    await assert.rejects(
      act(p.ctx, officer, late.id, "request_correction", { items: "请写明文件名称" }, "2026-11-12"),
      /7个工作日内/,
    );
    const asked = await act(
      p.ctx,
      officer,
      id,
      "request_correction",
      { items: "请写明文件名称", days: 10 },
      "2026-11-05",
    );
    assert.equal(asked.state, "awaiting_correction");
    assert.equal(asked.correction_due_on, "2026-11-19");
    assert.equal((await notices(id))[0]?.title, "补正申请通知书");
    const back = await act(
      p.ctx,
      officer,
      id,
      "correction_received",
      { comment: "已补充文件名称" },
      "2026-11-16",
    );
    assert.equal(back.clock_started_on, "2026-11-16");
    assert.equal(back.due_on, "2026-12-14");
    await assert.rejects(
      act(p.ctx, officer, id, "request_correction", { items: "再补一次" }, "2026-11-17"),
      /只能通知一次/,
    );
  });

  it("ends a request whose 补正 never came, counted as 其他处理", async () => {
    const { id } = await apply();
    await act(p.ctx, officer, id, "register", {}, "2026-11-02");
    await act(p.ctx, officer, id, "request_correction", { items: "请写明文件名称", days: 5 }, "2026-11-03");
    await assert.rejects(act(p.ctx, officer, id, "correction_lapsed", {}, "2026-11-10"), /尚未届满/);
    const ended = await act(p.ctx, officer, id, "correction_lapsed", {}, "2026-11-11");
    assert.equal(ended.state, "ended");
    assert.equal(ended.outcome, "other_no_correction");
  });

  it("pauses the clock while a third party is consulted", async () => {
    const { id } = await apply();
    await act(p.ctx, officer, id, "register", {}, "2026-11-02");
    const paused = await act(p.ctx, officer, id, "consult_third_party", { comment: "某公司" }, "2026-11-04");
    assert.equal(paused.state, "consulting");
    assert.equal(paused.consultation_due_on, "2026-11-25");
    assert.equal(paused.due_on, null, "no due day while paused");
    const resumed = await act(p.ctx, officer, id, "consultation_done", {}, "2026-11-11");
    assert.equal(resumed.clock_paused_days, 5);
    assert.equal(resumed.due_on, "2026-12-07");
  });

  it("extends once by up to 20 working days, only with the head of office's approval, with a notice", async () => {
    const { id } = await apply();
    await act(p.ctx, officer, id, "register", {}, "2026-11-02");
    await assert.rejects(
      act(p.ctx, officer, id, "extend", { days: 20, reason: "信息量大" }, "2026-11-20"),
      /负责人同意/,
    );
    await assert.rejects(
      act(p.ctx, head, id, "extend", { days: 25, reason: "信息量大" }, "2026-11-20"),
      /提交的内容有误/,
    );
    const extended = await act(
      p.ctx,
      head,
      id,
      "extend",
      { days: 20, reason: "需要检索的档案较多" },
      "2026-11-20",
    );
    assert.equal(extended.due_on, "2026-12-28");
    assert.equal((await notices(id))[0]?.title, "延期答复告知书");
    await assert.rejects(
      act(p.ctx, head, id, "extend", { days: 5, reason: "再延" }, "2026-11-23"),
      /只能延长一次/,
    );
  });

  it("escalates (督办) running cases past their due day, once", async () => {
    const { id } = await apply();
    await act(p.ctx, officer, id, "register", {}, "2026-09-01");
    assert.ok((await escalateOverdue(p.ctx, "2026-11-23")) >= 1);
    const r = await row(id);
    assert.ok(r.escalated_at);
    const events = await p.ctx.db
      .selectFrom("workflow_events")
      .select("action")
      .where("subject_type", "=", "info_request")
      .where("subject_id", "=", id)
      .execute();
    assert.deepEqual(
      events.map((e) => e.action),
      ["submit", "register", "escalate"],
    );
    assert.equal(await escalateOverdue(p.ctx, "2026-11-23"), 0);
  });

  it("charges 信息处理费 only beyond the free range, pausing the clock until paid", async () => {
    const free = await apply({ idNumber: "110101199003074477" });
    await act(p.ctx, officer, free.id, "register", {}, "2026-11-02");
    await assert.rejects(
      act(p.ctx, officer, free.id, "issue_fee_notice", { feeMethod: "per_request" }, "2026-11-03"),
      /无需收费/,
    );
    const paged = await act(
      p.ctx,
      officer,
      free.id,
      "issue_fee_notice",
      { feeMethod: "per_page", pages: 150 },
      "2026-11-03",
    );
    assert.equal(paged.state, "awaiting_payment");
    assert.equal(Number(paged.fee_amount), 1700);
    assert.equal(paged.fee_due_on, "2026-12-01");
    const paid = await act(p.ctx, officer, free.id, "fee_paid", { comment: "票据 0001" }, "2026-11-06");
    assert.equal(paid.clock_paused_days, 3);
    assert.equal(paid.state, "processing");

    // the eleventh request of the month from one applicant costs 100 元 per request
    let last = { id: 0 };
    for (let i = 0; i < 11; i++) last = await apply({ idNumber: "110101198001010010" });
    await act(p.ctx, officer, last.id, "register", {}, "2026-11-02");
    const charged = await act(
      p.ctx,
      officer,
      last.id,
      "issue_fee_notice",
      { feeMethod: "per_request" },
      "2026-11-03",
    );
    assert.equal(Number(charged.fee_amount), 100);
    const lapsed = await act(p.ctx, officer, last.id, "fee_lapsed", {}, "2026-12-02");
    assert.equal(lapsed.outcome, "other_no_fee");
  });

  it("lets the officer work over HTTP and the applicant download the answer", async () => {
    const client = p.client();
    const submitted = await client.submit("/sites/rsj/ysqgk/", "/sites/rsj/ysqgk/", PERSON);
    const trackingNo = /<strong class="code">(YSQ\w+)<\/strong>/.exec(submitted.text)?.[1] ?? "";
    const queryCode = /查询码：<strong class="code">(\w+)<\/strong>/.exec(submitted.text)?.[1] ?? "";
    const r = await p.ctx.db
      .selectFrom("info_requests")
      .select("id")
      .where("tracking_no", "=", trackingNo)
      .executeTakeFirstOrThrow();
    const o = await staffWith(p.ctx, [{ role: "officer", siteId: rsj }], "httpOfficer");
    const desk = await staffClient(p, o.username);
    assert.match((await desk.get("/admin/requests")).text, new RegExp(trackingNo));
    const page = `/admin/requests/${r.id}`;
    assert.equal((await desk.submit(page, `${page}/act`, { action: "register" })).status, 303);
    const missing = await desk.submit(page, `${page}/act`, {
      action: "answer",
      outcome: "withheld_law",
      reason: "",
    });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /请写明答复理由/);
    assert.equal(
      (await desk.submit(page, `${page}/act`, { action: "answer", outcome: "public", reason: "见附件" }))
        .status,
      303,
    );
    const stranger = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "officer", siteId: await siteId(p.ctx, "ybj") }], "ybjOfficer"))
        .username,
    );
    assert.equal((await stranger.get(page)).status, 403);

    const status = await client.submit("/sites/rsj/ysqgk/cx/", "/sites/rsj/ysqgk/cx/", {
      trackingNo,
      queryCode,
    });
    assert.match(status.text, /已答复/);
    assert.match(status.text, /政府信息公开告知书/);
    const noticeId = /name="noticeId" value="(\d+)"/.exec(status.text)?.[1] ?? "";
    const download = await client.submit("/sites/rsj/ysqgk/cx/", "/sites/rsj/ysqgk/notice/", {
      trackingNo,
      queryCode,
      noticeId,
    });
    assert.equal(download.status, 200);
    assert.match(download.text, /<h1>政府信息公开告知书<\/h1>/);
    const denied = await client.submit("/sites/rsj/ysqgk/cx/", "/sites/rsj/ysqgk/notice/", {
      trackingNo,
      queryCode: "XXXX",
      noticeId,
    });
    assert.equal(denied.status, 404);
  });
});

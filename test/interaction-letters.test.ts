import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Actor } from "../src/core/auth/permissions.ts";
import { loadActor } from "../src/modules/identity/service.ts";
import { maskLetterText, maskReplyText } from "../src/modules/interaction/masking.ts";
import {
  actOnLetter,
  departmentStats,
  rateLetter,
  setPublished,
  submitLetter,
  superviseLetters,
  urgeLetter,
} from "../src/modules/interaction/service.ts";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";
import { databaseSnapshot } from "./support/snapshot.ts";

const LETTER = {
  type: "咨询",
  title: "公积金贷款审批太慢",
  body: "我在青禾市申请公积金贷款已经一个多月了，审批一直没有结果，请问公积金贷款审批一般需要多长时间？",
  name: "张三",
  phone: "13812345678",
  email: "",
};

const at = (moment: string) => new Date(moment);

describe("政民互动: letters with a closed loop", () => {
  let p: TestPlatform;
  let portal: number;
  let gjj: number;
  let rsj: number;
  let intake: Actor;
  let gjjOfficer: Actor;
  let gjjHead: Actor;
  let intakeName: string;

  before(async () => {
    p = await startTestPlatform("demo");
    portal = await siteId(p.ctx, "www");
    gjj = await siteId(p.ctx, "gjj");
    rsj = await siteId(p.ctx, "rsj");
    const i = await staffWith(p.ctx, [{ role: "site_admin", siteId: portal }], "intake");
    const o = await staffWith(p.ctx, [{ role: "officer", siteId: gjj }], "gjjofficer");
    const h = await staffWith(p.ctx, [{ role: "site_admin", siteId: gjj }], "gjjhead");
    intakeName = i.username;
    intake = (await loadActor(p.ctx, i.id)) as Actor;
    gjjOfficer = (await loadActor(p.ctx, o.id)) as Actor;
    gjjHead = (await loadActor(p.ctx, h.id)) as Actor;
  });
  after(() => p.close());

  let writer = 0;
  const nextWriterPhone = () => {
    writer += 1;
    return `1370000${String(writer).padStart(4, "0")}`;
  };
  const write = (
    overrides: Partial<typeof LETTER> & { mailboxSiteId?: number; publishConsent?: boolean } = {},
    now?: Date,
  ) =>
    submitLetter(
      p.ctx,
      {
        mailboxSiteId: portal,
        citizenId: null,
        publishConsent: true,
        files: [],
        ...LETTER,
        // a different writer each time, so the duplicate check stays out of the way
        phone: nextWriterPhone(),
        ...overrides,
      },
      now,
    );
  const row = (id: number) =>
    p.ctx.db.selectFrom("letters").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const events = async (id: number) =>
    (
      await p.ctx.db
        .selectFrom("workflow_events")
        .select("action")
        .where("subject_type", "=", "letter")
        .where("subject_id", "=", id)
        .orderBy("id")
        .execute()
    ).map((e) => e.action);

  it("takes a letter without an account, with messages next to the fields and nothing half-written", async () => {
    const client = p.client();
    const before = await databaseSnapshot(p.ctx.db);
    const forged = await client.post("/xj/write/", { mailbox: String(portal), ...LETTER, publish: "1" });
    assert.equal(forged.status, 403, "no form token, no letter");
    const bad = await client.submit("/xj/write/", "/xj/write/", {
      mailbox: String(portal),
      type: "",
      title: "短",
      body: "太短",
      name: "李四",
      phone: "123",
    });
    assert.equal(bad.status, 400);
    for (const message of ["请选择来信类型", "标题为 4—50 个字", "至少 10 个字", "请填写手机号码"])
      assert.ok(bad.text.includes(message), message);
    assert.ok(bad.text.includes('value="李四"'), "typed values are kept");
    assert.deepEqual(await databaseSnapshot(p.ctx.db), before);

    const png = Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
      "hex",
    );
    const ok = await client.submit(
      "/xj/write/",
      "/xj/write/",
      { mailbox: String(portal), ...LETTER, publish: "1" },
      { files: [{ name: "现场.png", data: png, type: "image/png" }] },
    );
    assert.equal(ok.status, 200, ok.text.slice(0, 400));
    const trackingNo = /信件编号：<strong class="code">(XJ\w+)<\/strong>/.exec(ok.text)?.[1];
    const queryCode = /查询码：<strong class="code">(\w+)<\/strong>/.exec(ok.text)?.[1];
    assert.ok(trackingNo && queryCode, "receipt shows tracking number and query code");
    const stored = await p.ctx.db
      .selectFrom("letters")
      .selectAll()
      .where("tracking_no", "=", trackingNo)
      .executeTakeFirstOrThrow();
    assert.equal(stored.state, "submitted");
    assert.equal(stored.publish_consent, true);
    assert.ok(!stored.phone_enc.toString("latin1").includes("13812345678"), "phone encrypted at rest");
    assert.ok(!stored.contact_name_enc.toString("utf8").includes("张三"), "name encrypted at rest");
    assert.equal(p.ctx.cipher.decrypt(stored.phone_enc), "13812345678");
    assert.equal(stored.suggestions[0]?.ref, "dept-gjj", "routing suggests 公积金中心");
    const files = await p.ctx.db
      .selectFrom("letter_attachments")
      .selectAll()
      .where("letter_id", "=", stored.id)
      .execute();
    assert.equal(files.length, 1);
    assert.ok(await p.ctx.files.exists(files[0]?.storage_key ?? ""));
    assert.deepEqual(await events(stored.id), ["submit"]);

    const twice = await client.submit("/xj/write/", "/xj/write/", {
      mailbox: String(portal),
      ...LETTER,
      publish: "1",
    });
    assert.equal(twice.status, 400);
    assert.match(twice.text, /请勿重复提交/);

    const wrong = await client.submit("/xj/cx/", "/xj/cx/", { trackingNo, queryCode: "WRONG123" });
    assert.equal(wrong.status, 404);
    assert.match(wrong.text, /信件编号或查询码不正确/);
    // another letter's code never opens this one
    const other = await write({
      title: "另一封来信的标题",
      body: "这是另一位市民的来信内容，涉及他的个人诉求。",
    });
    const crossed = await client.submit("/xj/cx/", "/xj/cx/", { trackingNo, queryCode: other.queryCode });
    assert.equal(crossed.status, 404);
    assert.doesNotMatch(crossed.text, /另一封来信/);
    const status = await client.submit("/xj/cx/", "/xj/cx/", { trackingNo, queryCode });
    assert.equal(status.status, 200);
    assert.match(status.text, /待受理/);
    assert.doesNotMatch(status.text, /13812345678|张三/, "no contact in clear");
    assert.doesNotMatch(status.text, new RegExp(intakeName), "no staff names");
  });

  it("runs the whole loop: 受理, 转办 on the suggestion, reviewed reply, 不满意 reopens once for 重办", async () => {
    const receipt = await write({}, at("2026-11-02T09:00:00+08:00"));
    let l = await row(receipt.id);
    assert.equal(
      l.accept_due_at?.toISOString(),
      at("2026-11-02T10:00:00+08:00").toISOString(),
      "1 working hour",
    );
    await assert.rejects(actOnLetter(p.ctx, gjjOfficer, l.id, "accept"), /没有受理该来信的权限/);
    l = await actOnLetter(p.ctx, intake, l.id, "accept", {}, at("2026-11-02T09:20:00+08:00"));
    assert.equal(l.state, "accepted");
    assert.equal(l.reply_due_on, "2026-11-11", "7 working days");
    assert.equal(l.handle_due_on, "2026-11-05");
    await assert.rejects(
      actOnLetter(p.ctx, intake, l.id, "assign", { siteId: null }, at("2026-11-02T09:30:00+08:00")),
      (e: Error & { fields?: Record<string, string> }) => e.fields?.siteId === "请选择承办单位",
    );
    l = await actOnLetter(p.ctx, intake, l.id, "assign", { siteId: gjj }, at("2026-11-02T09:30:00+08:00"));
    assert.equal(l.state, "assigned");
    assert.equal(l.handling_site_id, gjj);

    // the department drafts, its head reviews: returned once, then approved by someone other than the drafter
    l = await actOnLetter(p.ctx, gjjOfficer, l.id, "submit_reply", {
      body: "您好！公积金贷款自受理之日起 10 个工作日内审批完毕，您的申请已于今日审批通过。",
    });
    assert.equal(l.state, "reviewing");
    await assert.rejects(actOnLetter(p.ctx, gjjOfficer, l.id, "approve_reply"), /负责人审核/);
    l = await actOnLetter(p.ctx, gjjHead, l.id, "return_reply", { comment: "请写明放款时间" });
    assert.equal(l.state, "assigned");
    const text =
      "您好！公积金贷款自受理之日起 10 个工作日内审批完毕，您的申请已审批通过，预计 3 个工作日内放款。";
    await actOnLetter(p.ctx, gjjHead, l.id, "submit_reply", { body: text });
    await assert.rejects(actOnLetter(p.ctx, gjjHead, l.id, "approve_reply"), /起草人以外/);
    const client = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "site_admin", siteId: gjj }], "gjjhead2")).username,
    );
    const page = await client.get(`/admin/letters/${l.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /审核通过并答复/);
    assert.match(page.text, /1370000\d{4}/, "the handling office sees the contact");
    const approved = await client.submit(`/admin/letters/${l.id}`, `/admin/letters/${l.id}/act`, {
      action: "approve_reply",
      comment: "同意",
    });
    assert.equal(approved.status, 303);
    l = await row(l.id);
    assert.equal(l.state, "replied");
    assert.ok(l.first_replied_at);

    // the writer reads the reply and is not satisfied: back to the department once
    const writer = p.client();
    const status = await writer.submit("/xj/cx/", "/xj/cx/", {
      trackingNo: receipt.trackingNo,
      queryCode: receipt.queryCode,
    });
    assert.match(status.text, /预计 3 个工作日内放款/);
    assert.doesNotMatch(status.text, /请写明放款时间|提交答复审核|退回修改/, "internal review stays inside");
    assert.match(status.text, /请评价这次答复/);
    const noReason = await writer.submit("/xj/cx/", "/xj/rate/", {
      trackingNo: receipt.trackingNo,
      queryCode: receipt.queryCode,
      rating: "不满意",
      remark: "",
    });
    assert.equal(noReason.status, 400);
    assert.match(noReason.text, /请说明不满意的原因/);
    const rated = await writer.submit("/xj/cx/", "/xj/rate/", {
      trackingNo: receipt.trackingNo,
      queryCode: receipt.queryCode,
      rating: "不满意",
      remark: "到现在还没有放款",
    });
    assert.equal(rated.status, 200);
    l = await row(l.id);
    assert.equal(l.state, "assigned");
    assert.equal(l.reopened, true);
    assert.equal(l.handling_site_id, gjj);

    await actOnLetter(p.ctx, gjjOfficer, l.id, "submit_reply", {
      body: "您好！经核实，您的贷款已于今日放款，请查收。给您带来不便，深表歉意。",
    });
    await actOnLetter(p.ctx, gjjHead, l.id, "approve_reply");
    const replies = await p.ctx.db
      .selectFrom("letter_replies")
      .selectAll()
      .where("letter_id", "=", l.id)
      .orderBy("id")
      .execute();
    assert.deepEqual(
      replies.map((r) => [r.round, r.status]),
      [
        [1, "returned"],
        [1, "sent"],
        [2, "sent"],
      ],
    );
    // a second 不满意 does not reopen again
    l = await rateLetter(p.ctx, receipt.trackingNo, receipt.queryCode, "不满意", "还是不满意");
    assert.equal(l.state, "closed");
    assert.deepEqual(await events(l.id), [
      "submit",
      "accept",
      "assign",
      "submit_reply",
      "return_reply",
      "submit_reply",
      "approve_reply",
      "rate",
      "reopen",
      "submit_reply",
      "approve_reply",
      "rate",
    ]);
  });

  it("rejects out-of-scope letters with a reason the writer sees, and lets a department send a wrong assignment back", async () => {
    const a = await write({
      title: "邻居家装修吵闹",
      body: "我想起诉邻居，请问法院的诉讼费怎么交？这事能不能帮我判一下。",
    });
    await assert.rejects(actOnLetter(p.ctx, intake, a.id, "reject", { reason: "" }), /提交的内容有误/);
    const rejected = await actOnLetter(p.ctx, intake, a.id, "reject", {
      reason: "属于诉讼事项，请向人民法院提出",
    });
    assert.equal(rejected.state, "rejected");
    const view = await p
      .client()
      .submit("/xj/cx/", "/xj/cx/", { trackingNo: a.trackingNo, queryCode: a.queryCode });
    assert.match(view.text, /属于诉讼事项，请向人民法院提出/);

    const b = await write();
    await actOnLetter(p.ctx, intake, b.id, "accept");
    await actOnLetter(p.ctx, intake, b.id, "assign", { siteId: rsj });
    await assert.rejects(
      actOnLetter(p.ctx, gjjOfficer, b.id, "send_back", { comment: "不属于本单位" }),
      /没有办理该来信的权限/,
    );
    const rsjOfficer = (await loadActor(
      p.ctx,
      (
        await staffWith(p.ctx, [{ role: "officer", siteId: rsj }])
      ).id,
    )) as Actor;
    const back = await actOnLetter(p.ctx, rsjOfficer, b.id, "send_back", { comment: "属于公积金中心职责" });
    assert.equal(back.state, "accepted");
    assert.equal(back.handling_site_id, portal);
    const again = await actOnLetter(p.ctx, intake, b.id, "assign", { siteId: gjj });
    assert.equal(again.handling_site_id, gjj);
  });

  it("escalates across the National Day holiday only once the working days have run out", async () => {
    // written on the afternoon before the holiday: 受理 is due on the first working morning after it
    const r = await write({}, at("2026-09-30T16:30:00+08:00"));
    const l = await row(r.id);
    assert.equal(l.accept_due_at?.toISOString(), at("2026-10-08T09:30:00+08:00").toISOString());
    await superviseLetters(p.ctx, at("2026-10-07T20:00:00+08:00"));
    assert.equal((await row(r.id)).escalated_at, null, "holiday hours do not count");
    await superviseLetters(p.ctx, at("2026-10-08T09:31:00+08:00"));
    assert.ok((await row(r.id)).escalated_at, "受理 overdue is escalated");

    const s = await write({}, at("2026-09-29T09:00:00+08:00"));
    const accepted = await actOnLetter(p.ctx, intake, s.id, "accept", {}, at("2026-09-30T09:00:00+08:00"));
    // 10-01..07 off, 10-10 (Saturday) worked: 10-08, 09, 10, 12, 13, 14, 15
    assert.equal(accepted.reply_due_on, "2026-10-15");
    await superviseLetters(p.ctx, at("2026-10-15T18:00:00+08:00"));
    assert.equal((await row(s.id)).escalated_at, null);
    await superviseLetters(p.ctx, at("2026-10-16T08:00:00+08:00"));
    assert.ok((await row(s.id)).escalated_at);
    assert.ok((await events(s.id)).includes("escalate"));

    // the supervising office's queue lists it as overdue
    const client = await staffClient(p, intakeName);
    const queue = await client.get("/admin/letters?queue=supervision");
    assert.equal(queue.status, 200);
    assert.ok(queue.text.includes(s.trackingNo));

    // the supervising office writes a 督办意见; the department sees it, the writer does not
    const empty = await client.submit(`/admin/letters/${s.id}`, `/admin/letters/${s.id}/urge`, { urge: "" });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /请写明督办意见/);
    const urged = await client.submit(`/admin/letters/${s.id}`, `/admin/letters/${s.id}/urge`, {
      urge: "请于两个工作日内答复来信人",
    });
    assert.equal(urged.status, 303);
    await assert.rejects(urgeLetter(p.ctx, gjjOfficer, s.id, "部门不能督办"), /本级政府办公室/);
    assert.ok((await events(s.id)).includes("urge"));
    const writerPage = await p
      .client()
      .submit("/xj/cx/", "/xj/cx/", { trackingNo: s.trackingNo, queryCode: s.queryCode });
    assert.doesNotMatch(writerPage.text, /请于两个工作日内答复来信人/);
  });

  it("raises the hard alarm after 30 days without an answer, long before the 3-month line", async () => {
    const r = await write({}, at("2026-08-03T10:00:00+08:00"));
    await actOnLetter(p.ctx, intake, r.id, "accept", {}, at("2026-08-03T10:10:00+08:00"));
    await superviseLetters(p.ctx, at("2026-09-01T10:00:00+08:00"));
    assert.equal((await row(r.id)).alarmed_at, null);
    await superviseLetters(p.ctx, at("2026-09-03T10:00:00+08:00"));
    assert.ok((await row(r.id)).alarmed_at);
    assert.ok((await events(r.id)).includes("alarm"));
    const client = await staffClient(p, intakeName);
    const detail = await client.get(`/admin/letters/${r.id}`);
    assert.match(detail.text, /长期未答复预警/);
    assert.match(detail.text, /2026-11-03/, "the 3-month line is shown");
  });

  it("closes a replied letter the writer did not rate once the rating window passes", async () => {
    const r = await write();
    await actOnLetter(p.ctx, intake, r.id, "accept");
    await actOnLetter(p.ctx, intake, r.id, "submit_reply", {
      body: "您好！公积金贷款审批时限为 10 个工作日，可在禾易办 App 查询进度。",
    });
    const other = (await loadActor(
      p.ctx,
      (
        await staffWith(p.ctx, [{ role: "site_admin", siteId: portal }])
      ).id,
    )) as Actor;
    await actOnLetter(p.ctx, other, r.id, "approve_reply", {}, new Date());
    await superviseLetters(p.ctx, new Date(Date.now() + 14 * 86_400_000));
    assert.equal((await row(r.id)).state, "replied");
    await superviseLetters(p.ctx, new Date(Date.now() + 16 * 86_400_000));
    assert.equal((await row(r.id)).state, "closed");
  });

  it("masks phone numbers, 18-digit ID numbers, addresses and names in public output", () => {
    const text =
      "我叫王小明，身份证号11010519491231002X，电话13812345678，家住青禾市东城区文昌街66号3栋2单元501室，邮箱wxm@example.com。";
    const masked = maskLetterText(text);
    assert.doesNotMatch(masked, /11010519491231002X|13812345678|66号|501|小明|wxm@/);
    assert.match(masked, /1101\*{10}002X/);
    assert.match(masked, /138\*{4}5678/);
    assert.match(masked, /文昌街/);
    assert.match(masked, /我叫王\*\*/);
    assert.match(maskLetterText("已经3个月了，2026年的事"), /3个月了，2026年/, "dates and durations stay");
    const reply = maskReplyText("请到西城区建设北路208号咨询，电话0999-83200000，或联系13912345678。");
    assert.match(reply, /建设北路208号/, "official addresses stay in replies");
    assert.match(reply, /0999-83200000/);
    assert.match(reply, /139\*{4}5678/);
  });

  it("publishes only with consent, masked, on the portal and the handling department's site", async () => {
    const r = await write({
      body: "我叫赵大海，电话13712345678，住在临河区滨江路18号5栋，想问公积金贷款审批要多久，已经等了一个多月。",
    });
    const noConsent = await write({ publishConsent: false, title: "不同意公开的来信" });
    for (const id of [r.id, noConsent.id]) {
      await actOnLetter(p.ctx, intake, id, "accept");
      await actOnLetter(p.ctx, intake, id, "assign", { siteId: gjj });
      await actOnLetter(p.ctx, gjjOfficer, id, "submit_reply", {
        body: "您好！公积金贷款审批时限为 10 个工作日，请联系 13612345678 的经办人。",
      });
      await actOnLetter(p.ctx, gjjHead, id, "approve_reply");
    }
    await assert.rejects(setPublished(p.ctx, gjjHead, noConsent.id, true), /不同意公开/);
    await assert.rejects(setPublished(p.ctx, gjjOfficer, r.id, true), /负责人同意/);
    await setPublished(p.ctx, gjjHead, r.id, true);

    const client = p.client();
    const list = await client.get("/xj/");
    assert.equal(list.status, 200);
    assert.ok(list.text.includes(`/xj/${r.id}"`));
    assert.ok(!list.text.includes(`/xj/${noConsent.id}"`));
    const page = await client.get(`/xj/${r.id}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /13712345678|赵大海|18号|13612345678/);
    assert.match(page.text, /滨江路/);
    assert.match(page.text, /公积金贷款审批时限为 10 个工作日/);
    assert.equal((await client.get(`/xj/${noConsent.id}`)).status, 404);
    const onGjj = await client.get("/sites/gjj/xj/");
    assert.ok(onGjj.text.includes(`/sites/gjj/xj/${r.id}"`));
    const onRsj = await client.get("/sites/rsj/xj/");
    assert.ok(!onRsj.text.includes(`/xj/${r.id}"`), "another department's site does not list it");
    // demo letters with replies are public, with their corpus ids kept
    const demo = await p.ctx.db
      .selectFrom("letters")
      .select(["id", "ref", "published_at"])
      .where("ref", "=", "let-001")
      .executeTakeFirstOrThrow();
    assert.ok(demo.published_at);
    assert.match((await client.get(`/sites/rsj/xj/${demo.id}`)).text, /拖欠工资/);
  });

  it("a published letter is searchable as 互动 with masked text only, and leaves the index when withdrawn", async () => {
    const phone = nextWriterPhone();
    const r = await write({
      title: "犬只疫苗接种点咨询",
      body: "我叫钱多多，手机13798765432，住在临河区滨江路18号5栋，想问犬只疫苗接种点在哪里，周末开放吗？",
      name: "孙悟空",
      phone,
    });
    await actOnLetter(p.ctx, intake, r.id, "accept");
    await actOnLetter(p.ctx, intake, r.id, "assign", { siteId: gjj });
    await actOnLetter(p.ctx, gjjOfficer, r.id, "submit_reply", {
      body: "您好！犬只疫苗接种点设在各区动物防疫站，周末上午开放，也可致电 13698765432 咨询。",
    });
    await actOnLetter(p.ctx, gjjHead, r.id, "approve_reply");
    const client = p.client();
    const find = async (q: string, type = "letter") =>
      JSON.parse((await client.get(`/api/search?q=${encodeURIComponent(q)}&type=${type}`)).text) as {
        total: number;
        hits: { type: string; url: string; title: string; snippet: string }[];
      };
    const ours = (result: Awaited<ReturnType<typeof find>>) =>
      result.hits.filter((h) => h.url === `/xj/${r.id}`);
    assert.equal(ours(await find("犬只疫苗接种点")).length, 0, "answered but not published: not searchable");

    await setPublished(p.ctx, gjjHead, r.id, true);
    const found = ours(await find("犬只疫苗接种点"));
    assert.equal(found.length, 1, "published: found with the 互动 type filter");
    assert.equal(found[0]?.type, "letter");
    assert.equal(ours(await find("犬只疫苗接种点", "policy")).length, 0, "not under another type");
    assert.equal(ours(await find("动物防疫站")).length, 1, "the reply is searchable too");
    const onGjj = await client.get(
      `/api/search?q=${encodeURIComponent("犬只疫苗接种点")}&site=gjj&type=letter`,
    );
    assert.ok(
      (JSON.parse(onGjj.text) as { hits: { url: string }[] }).hits.some((h) => h.url === `/xj/${r.id}`),
    );

    // neither the contact data nor the personal data in the text reach the index or a snippet
    const indexed = await p.ctx.db
      .selectFrom("search_records")
      .select(["title", "body"])
      .where("source", "=", "letters")
      .where("key", "=", String(r.id))
      .executeTakeFirstOrThrow();
    const snippets = (await find("钱多多 滨江路 犬只")).hits.map((h) => `${h.title} ${h.snippet}`).join(" ");
    for (const text of [indexed.title, indexed.body, snippets])
      assert.doesNotMatch(text, new RegExp(`${phone}|13798765432|13698765432|钱多多|孙悟空|18号`));
    assert.match(indexed.body, /137\*{4}5432/);

    await setPublished(p.ctx, gjjHead, r.id, false);
    assert.equal(ours(await find("犬只疫苗接种点")).length, 0, "withdrawn: gone from search");
    const gone = await p.ctx.db
      .selectFrom("search_records")
      .select("id")
      .where("source", "=", "letters")
      .where("key", "=", String(r.id))
      .executeTakeFirst();
    assert.equal(gone, undefined);

    // published again, then reopened by an unhappy writer: out of 回应公开 and out of search
    await setPublished(p.ctx, gjjHead, r.id, true);
    assert.equal(ours(await find("犬只疫苗接种点")).length, 1);
    await rateLetter(p.ctx, r.trackingNo, r.queryCode, "不满意", "没有说清楚周末几点开放");
    assert.equal(ours(await find("犬只疫苗接种点")).length, 0, "reopened: not public, not searchable");
  });

  it("counts per department with server-rendered charts", async () => {
    const stats = await departmentStats(p.ctx, "2026-01-01", "2026-12-31");
    const rsjStats = stats.find((s) => s.siteId === rsj);
    assert.ok(rsjStats && rsjStats.received === 7 && rsjStats.answered === 5);
    assert.equal(rsjStats.onTimeRate, 100);
    const page = await p.client().get("/xj/tj/?from=2026-01-01&to=2026-12-31");
    assert.equal(page.status, 200);
    assert.match(page.text, /<svg[^>]*role="img"/);
    assert.match(page.text, /按期答复率/);
  });

  it("suggests departments over JSON with corpus refs, best first", async () => {
    const response = await fetch(`${p.baseUrl}/api/letters/suggest-department`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "楼下烧烤店油烟太大", body: "每天晚上油烟和噪音扰民，窗户都不敢开。" }),
    });
    assert.equal(response.status, 200);
    const json = (await response.json()) as { suggestions: { ref: string; name: string; score: number }[] };
    assert.equal(json.suggestions[0]?.ref, "dept-sthjj");
    assert.ok(json.suggestions.every((s, i, all) => i === 0 || (all[i - 1]?.score ?? 0) >= s.score));
  });

  it("lets the portal administrator set SLAs per type and the routing keywords", async () => {
    const admin = await staffClient(p, intakeName);
    const form = await admin.get("/admin/letters/settings");
    assert.equal(form.status, 200);
    const fields: Record<string, string> = {};
    for (const m of form.text.matchAll(
      /name="([^"]+\.(?:acceptHours|handleDays|replyDays))"[^>]*value="(\d+)"/g,
    ))
      fields[m[1] as string] = m[2] as string;
    for (const m of form.text.matchAll(
      /<textarea id="f-terms-(\d+)" name="(terms\.\d+)"[^>]*>([^<]*)<\/textarea>/g,
    ))
      fields[m[2] as string] = m[3] as string;
    assert.equal(fields["投诉.replyDays"], "7");
    const bad = await admin.submit("/admin/letters/settings", "/admin/letters/settings", {
      ...fields,
      "投诉.handleDays": "9",
      "投诉.replyDays": "5",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /投诉：答复时限不能短于办理时限/);
    const gjjDept = await p.ctx.db
      .selectFrom("departments")
      .select("id")
      .where("ref", "=", "dept-gjj")
      .executeTakeFirstOrThrow();
    const ok = await admin.submit("/admin/letters/settings", "/admin/letters/settings", {
      ...fields,
      "投诉.replyDays": "5",
      [`terms.${gjjDept.id}`]: `${fields[`terms.${gjjDept.id}`]} 商业贷款转公积金`,
    });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    const sla = await p.ctx.db
      .selectFrom("letter_slas")
      .selectAll()
      .where("type", "=", "投诉")
      .executeTakeFirstOrThrow();
    assert.equal(sla.reply_days, 5);
    const r = await write({ type: "投诉" }, at("2026-11-02T09:00:00+08:00"));
    const accepted = await actOnLetter(p.ctx, intake, r.id, "accept", {}, at("2026-11-02T09:10:00+08:00"));
    assert.equal(accepted.reply_due_on, "2026-11-09", "the new limit applies");
    const officerClient = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "officer", siteId: gjj }])).username,
    );
    assert.equal((await officerClient.get("/admin/letters/settings")).status, 403);
  });

  it("limits submissions per IP", async () => {
    const client = p.client();
    let last = 0;
    for (let i = 0; i < 7; i++) {
      const response = await client.submit("/xj/write/", "/xj/write/", { mailbox: String(portal), type: "" });
      last = response.status;
    }
    assert.equal(last, 429);
  });
});

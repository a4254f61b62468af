import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Actor } from "../src/core/auth/permissions.ts";
import { loadCalendar } from "../src/core/calendar.ts";
import { loadActor } from "../src/modules/identity/service.ts";
import { act, remindApplications, submitApplication } from "../src/modules/services/applications.ts";
import type { HttpClient } from "./support/http.ts";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";
import { itemByRef, PDF, registerCitizen } from "./support/services.ts";

const pdf = (name: string) => [{ name, data: PDF, type: "application/pdf" }];

import { databaseSnapshot } from "./support/snapshot.ts";

describe("政务服务: online applications on the working-day clock", () => {
  let p: TestPlatform;
  let citizen: HttpClient;
  let citizenActor: Actor;
  let officerClient: HttpClient;
  let headClient: HttpClient;
  let officer: Actor;
  let head: Actor;
  const PHONE = "13900001111";

  before(async () => {
    p = await startTestPlatform("demo");
    citizen = await registerCitizen(p, PHONE, "王小明");
    const user = await p.ctx.db
      .selectFrom("users")
      .select("id")
      .where("display_name", "=", "王小明")
      .executeTakeFirstOrThrow();
    citizenActor = (await loadActor(p.ctx, user.id)) as Actor;
    const gaj = await siteId(p.ctx, "gaj");
    const scjgj = await siteId(p.ctx, "scjgj");
    const o = await staffWith(
      p.ctx,
      [
        { role: "officer", siteId: gaj },
        { role: "officer", siteId: scjgj },
      ],
      "officer",
    );
    const h = await staffWith(
      p.ctx,
      [
        { role: "site_admin", siteId: gaj },
        { role: "site_admin", siteId: scjgj },
      ],
      "head",
    );
    officer = (await loadActor(p.ctx, o.id)) as Actor;
    head = (await loadActor(p.ctx, h.id)) as Actor;
    officerClient = await staffClient(p, o.username);
    headClient = await staffClient(p, h.username);
  });
  after(() => p.close());

  const caseRow = (number: string) =>
    p.ctx.db
      .selectFrom("service_applications")
      .selectAll()
      .where("number", "=", number)
      .executeTakeFirstOrThrow();
  const officerAct = (id: number, fields: Record<string, string>, client = officerClient) =>
    client.submit(`/admin/services/cases/${id}`, `/admin/services/cases/${id}/act`, fields);

  let licenceNumber = "";
  let firstNumber = "";

  it("takes an application from a signed-in citizen, with profile data filled in and clear messages for bad input", async () => {
    const item = await itemByRef(p, "svc-027");
    const applyUrl = `/sites/scjgj/bsfw/item/${item.code}/apply`;
    assert.equal((await p.client().get(applyUrl)).status, 303, "signing in is required");
    const form = await citizen.get(applyUrl);
    assert.equal(form.status, 200);
    assert.ok(form.text.includes('value="王小明"'), "name from the profile");
    assert.ok(form.text.includes(`value="${PHONE}"`), "phone from the profile");

    const before = await databaseSnapshot(p.ctx.db);
    const bad = await citizen.submit(applyUrl, applyUrl, {
      orgName: "青禾示例科技有限公司",
      creditCode: "123",
      applicantName: "王小明",
      phone: PHONE,
      delivery: "网上下载（电子证照）",
    });
    assert.equal(bad.status, 400);
    assert.ok(bad.text.includes("请填写正确的 18 位统一社会信用代码"));
    assert.ok(bad.text.includes("请上传“公司章程”"));
    assert.ok(bad.text.includes('value="青禾示例科技有限公司"'), "typed values are kept");
    assert.deepEqual(await databaseSnapshot(p.ctx.db), before, "nothing is written");

    const wrongType = await citizen.submit(
      applyUrl,
      applyUrl,
      {
        orgName: "青禾示例科技有限公司",
        creditCode: "91999900MA00000019",
        applicantName: "王小明",
        phone: PHONE,
        delivery: "网上下载（电子证照）",
      },
      {
        m1: [
          { name: "章程.pdf", data: Buffer.from("<html><script>alert(1)</script>"), type: "application/pdf" },
        ],
      },
    );
    assert.equal(wrongType.status, 400);
    assert.ok(wrongType.text.includes("内容与扩展名不符"));

    const files = Object.fromEntries(
      item.materials.flatMap((m, i) => (m.required ? [[`m${i}`, pdf(`${m.name}.pdf`)] as const] : [])),
    );
    const ok = await citizen.submit(
      applyUrl,
      applyUrl,
      {
        orgName: "青禾示例科技有限公司",
        creditCode: "91999900MA00000019",
        applicantName: "王小明",
        phone: PHONE,
        delivery: "网上下载（电子证照）",
      },
      files,
    );
    assert.equal(ok.status, 200, ok.text.slice(0, 500));
    const number = /<strong class="code">([A-Z0-9]+)<\/strong>/.exec(ok.text)?.[1] ?? "";
    assert.match(number, /^BJ\d{8}[A-Z0-9]{6}$/);
    firstNumber = number;
    const row = await caseRow(number);
    assert.equal(row.state, "submitted");
    assert.equal(row.phone_masked, "139****1111");
    assert.ok(!row.phone_enc.toString("latin1").includes(PHONE), "the phone is encrypted");
    assert.equal(row.form_data.plain.orgName, "青禾示例科技有限公司");
    const stored = await p.ctx.db
      .selectFrom("service_application_files")
      .select("material")
      .where("application_id", "=", row.id)
      .execute();
    assert.equal(stored.length, Object.keys(files).length);
    const inbox = await citizen.get("/account/inbox");
    assert.ok(inbox.text.includes("已收到您的“企业设立登记”申请"));
    const outbound = await p.ctx.db.selectFrom("outbound_messages").selectAll().execute();
    assert.ok(
      outbound.some((m) => m.channel === "sms" && m.recipient_masked === "139****1111"),
      "the SMS log adapter recorded it",
    );
  });

  it("runs 受理 → 补正 (clock paused) → resubmission (clock resumed) → 审查 → 准予 → 办结 with a signed licence", async () => {
    const row = await caseRow(firstNumber);
    const accepted = await officerAct(row.id, { action: "accept" });
    assert.equal(accepted.status, 303);
    const afterAccept = await caseRow(firstNumber);
    assert.equal(afterAccept.state, "accepted");
    assert.ok(afterAccept.due_on, "the promised clock runs");

    const noItems = await officerAct(row.id, { action: "request_correction", items: "" });
    assert.equal(noItems.status, 400);
    assert.ok(noItems.text.includes("请一次性写明需要补正的全部材料或内容"));
    await officerAct(row.id, { action: "request_correction", items: "公司章程未签字，请重新上传公司章程" });
    const paused = await caseRow(firstNumber);
    assert.equal(paused.state, "correction");
    assert.equal(paused.due_on, null);
    assert.ok(paused.clock_paused_on);

    const mine = await citizen.get(`/account/bsfw/${firstNumber}`);
    assert.ok(mine.text.includes("补正期间暂停计时"));
    assert.ok(mine.text.includes("公司章程未签字"));
    const item = await itemByRef(p, "svc-027");
    const key = `m${item.materials.findIndex((m) => m.name === "公司章程")}`;
    const missing = await citizen.submit(
      `/account/bsfw/${firstNumber}`,
      `/account/bsfw/${firstNumber}/resubmit`,
      {},
      {},
    );
    assert.equal(missing.status, 400);
    assert.ok(missing.text.includes("请上传“公司章程”"));
    const resubmitted = await citizen.submit(
      `/account/bsfw/${firstNumber}`,
      `/account/bsfw/${firstNumber}/resubmit`,
      { comment: "已签字" },
      { [key]: pdf("章程（签字版）.pdf") },
    );
    assert.equal(resubmitted.status, 303);
    const resumed = await caseRow(firstNumber);
    assert.equal(resumed.state, "accepted");
    assert.equal(resumed.clock_paused_on, null);
    assert.ok(resumed.due_on && resumed.due_on >= (afterAccept.due_on ?? ""));

    await officerAct(row.id, { action: "review", comment: "材料齐全，符合条件" });
    const refused = await officerAct(row.id, { action: "approve" });
    assert.equal(refused.status, 403, "an officer cannot decide");
    assert.ok(refused.text.includes("审批决定须由部门负责人作出"));
    assert.equal((await caseRow(firstNumber)).state, "reviewed");
    assert.equal((await officerAct(row.id, { action: "approve" }, headClient)).status, 303);
    const result = await officerClient.submit(
      `/admin/services/cases/${row.id}`,
      `/admin/services/cases/${row.id}/act`,
      { action: "complete" },
      { result: pdf("准予设立登记通知书.pdf") },
    );
    assert.equal(result.status, 303);
    const done = await caseRow(firstNumber);
    assert.equal(done.state, "completed");
    assert.equal(done.outcome, "approved");
    const licence = await p.ctx.db
      .selectFrom("licences")
      .selectAll()
      .where("application_id", "=", row.id)
      .executeTakeFirstOrThrow();
    assert.equal(licence.name, "营业执照");
    assert.equal(licence.holder_id, citizenActor.id);
    licenceNumber = licence.number;

    const timeline = await citizen.get(`/account/bsfw/${firstNumber}`);
    for (const step of [
      "提交申请",
      "预审通过，予以受理",
      "一次性告知补正",
      "申请人补正后重新提交",
      "审查完毕，提请决定",
      "决定准予",
      "办结",
    ])
      assert.ok(timeline.text.includes(step), step);
    assert.ok(timeline.text.includes(licence.number));
    const events = await p.ctx.db
      .selectFrom("workflow_events")
      .select("action")
      .where("subject_type", "=", "service_application")
      .where("subject_id", "=", row.id)
      .orderBy("id")
      .execute();
    assert.deepEqual(
      events.map((e) => e.action),
      ["submit", "accept", "request_correction", "resubmit", "review", "approve", "complete"],
    );
    const resultFile = await p.ctx.db
      .selectFrom("service_application_files")
      .select("id")
      .where("application_id", "=", row.id)
      .where("purpose", "=", "result")
      .executeTakeFirstOrThrow();
    const download = await citizen.request(`/account/bsfw/${firstNumber}/files/${resultFile.id}`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-type"), "application/pdf");
    const other = await registerCitizen(p, "13900002222", "路人甲");
    assert.equal(
      (await other.get(`/account/bsfw/${firstNumber}`)).status,
      404,
      "another citizen sees nothing",
    );
  });

  it("verifies a licence through its QR page, detects tampering, and lets the issuing department's head revoke it", async () => {
    const page = await p.client().get(`/bsfw/zz/${licenceNumber}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes("核验结果：<strong>有效</strong>"));
    assert.ok(page.text.includes("<dd>青*********</dd>"), "the holder (the company) is masked");
    assert.ok(page.text.includes('src="data:image/gif;base64,'), "a QR code");
    await p.ctx.db
      .updateTable("licences")
      .set({ holder_name: "青禾假冒公司" })
      .where("number", "=", licenceNumber)
      .execute();
    assert.ok((await p.client().get(`/bsfw/zz/${licenceNumber}`)).text.includes("验证失败"));
    await p.ctx.db
      .updateTable("licences")
      .set({ holder_name: "青禾示例科技有限公司" })
      .where("number", "=", licenceNumber)
      .execute();
    const stored = await p.ctx.db
      .selectFrom("licences")
      .select("payload")
      .where("number", "=", licenceNumber)
      .executeTakeFirstOrThrow();
    await p.ctx.db
      .updateTable("licences")
      .set({
        holder_name: "青禾假冒公司",
        payload: stored.payload.replace("青禾示例科技有限公司", "青禾假冒公司"),
      })
      .where("number", "=", licenceNumber)
      .execute();
    assert.ok(
      (await p.client().get(`/bsfw/zz/${licenceNumber}`)).text.includes("验证失败"),
      "the signature no longer matches",
    );
    await p.ctx.db
      .updateTable("licences")
      .set({ holder_name: "青禾示例科技有限公司", payload: stored.payload })
      .where("number", "=", licenceNumber)
      .execute();
    assert.ok(
      (await p.client().get(`/bsfw/zz/${licenceNumber}`)).text.includes("核验结果：<strong>有效</strong>"),
    );

    const denied = await officerClient.submit(
      "/admin/services",
      `/admin/services/licences/${licenceNumber}/revoke`,
      { reason: "测试" },
    );
    assert.equal(denied.status, 403);
    // the citizen holds it in 我的证照 while valid
    assert.ok((await citizen.get("/account/licences")).text.includes(licenceNumber));
    assert.equal((await p.client().get("/bsfw/zz/ZZ0000NOTHING")).status, 404);
  });

  it("reuses the issued licence to satisfy a later application's material (免提交)", async () => {
    const item = await itemByRef(p, "svc-006");
    const applyUrl = `/sites/gaj/bsfw/item/${item.code}/apply`;
    const form = await citizen.get(applyUrl);
    assert.ok(form.text.includes(`免提交：已调用您的电子证照（${licenceNumber}）`));
    const idCard = item.materials.findIndex((m) => m.name === "法定代表人居民身份证");
    const r = await citizen.submit(
      applyUrl,
      applyUrl,
      {
        orgName: "青禾示例科技有限公司",
        creditCode: "91999900MA00000019",
        applicantName: "王小明",
        phone: PHONE,
        delivery: "窗口领取",
      },
      { [`m${idCard}`]: pdf("身份证.pdf") },
    );
    assert.equal(r.status, 200, r.text.slice(0, 300));
    const number = /<strong class="code">([A-Z0-9]+)<\/strong>/.exec(r.text)?.[1] ?? "";
    const row = await caseRow(number);
    const files = await p.ctx.db
      .selectFrom("service_application_files as f")
      .innerJoin("licences as l", "l.id", "f.licence_id")
      .select(["f.material", "l.number"])
      .where("f.application_id", "=", row.id)
      .execute();
    assert.deepEqual(files, [{ material: "营业执照", number: licenceNumber }]);
  });

  it("revokes a licence (head of the issuing department) and the verification page says so", async () => {
    const r = await headClient.submit("/admin/services", `/admin/services/licences/${licenceNumber}/revoke`, {
      reason: "企业申请注销登记",
    });
    assert.equal(r.status, 303);
    const page = await p.client().get(`/bsfw/zz/${licenceNumber}`);
    assert.ok(page.text.includes("核验结果：<strong>已注销</strong>"));
    assert.ok(page.text.includes("企业申请注销登记"));
  });

  it("answers 进度查询 by number and phone for anyone, and a wrong phone reveals nothing", async () => {
    const anyone = p.client();
    const found = await anyone.submit("/bsfw/cx/", "/bsfw/cx/", { number: firstNumber, phone: PHONE });
    assert.equal(found.status, 200);
    assert.ok(found.text.includes("企业设立登记"));
    assert.ok(found.text.includes("已办结"));
    assert.ok(
      !found.text.includes("王小明") && !found.text.includes("青禾示例科技有限公司"),
      "no applicant data on the public answer",
    );
    for (const attempt of [
      { number: firstNumber, phone: "13900009999" },
      { number: "BJ20260101ZZZZZZ", phone: PHONE },
    ]) {
      const miss = await anyone.submit("/bsfw/cx/", "/bsfw/cx/", attempt);
      assert.equal(miss.status, 404);
      assert.ok(miss.text.includes("办件编号或手机号码不正确"));
      assert.ok(!miss.text.includes("企业设立登记"));
      assert.ok(!miss.text.includes("已办结"));
    }
  });

  it("refuses (不予受理) and denies (不予) with a reason the applicant sees", async () => {
    const item = await itemByRef(p, "svc-004");
    const submit = () =>
      submitApplication(p.ctx, citizenActor, {
        itemId: item.id,
        values: {
          applicantName: "王小明",
          idNumber: "11010519491231002X",
          phone: PHONE,
          delivery: "邮寄送达",
        },
        uploads: (key) => (key === "m0" || key === "m3" ? [{ filename: `${key}.pdf`, data: PDF }] : []),
        accountPhone: PHONE,
      });
    const a = await submit();
    await assert.rejects(act(p.ctx, officer, a.id, "refuse", { reason: "" }), /提交的内容有误/);
    await act(p.ctx, officer, a.id, "refuse", { reason: "驾驶证未到有效期满前90日，不符合换证条件" });
    const refused = await caseRow(a.number);
    assert.equal(refused.state, "not_accepted");
    assert.ok(refused.closed_at);
    const b = await submit();
    await act(p.ctx, officer, b.id, "accept");
    await act(p.ctx, officer, b.id, "review");
    await assert.rejects(act(p.ctx, officer, b.id, "deny", { reason: "x" }), /负责人/);
    await act(p.ctx, head, b.id, "deny", { reason: "体检结论不合格" });
    await act(p.ctx, officer, b.id, "complete");
    const denied = await caseRow(b.number);
    assert.equal(denied.outcome, "denied");
    assert.equal(denied.state, "completed");
    const licences = await p.ctx.db
      .selectFrom("licences")
      .select("id")
      .where("application_id", "=", b.id)
      .execute();
    assert.equal(licences.length, 0, "no licence for a denial");
    await assert.rejects(act(p.ctx, officer, b.id, "accept"), /当前状态为“已办结”/);
    const mine = await citizen.get(`/account/bsfw/${a.number}`);
    assert.ok(mine.text.includes("驾驶证未到有效期满前90日"));
  });

  it("warns before the promised deadline and escalates after it, counting across the National Day holiday", async () => {
    const item = await itemByRef(p, "svc-040"); // 道路货物运输经营许可, 5 working days
    assert.equal(item.promised_days, 5);
    const a = await submitApplication(p.ctx, citizenActor, {
      itemId: item.id,
      values: {
        orgName: "青禾货运有限公司",
        creditCode: "91999900MA00000019",
        applicantName: "王小明",
        phone: PHONE,
        delivery: "窗口领取",
      },
      uploads: (key) => (key.startsWith("m") ? [{ filename: "材料.pdf", data: PDF }] : []),
      accountPhone: PHONE,
    });
    const jtj = await siteId(p.ctx, "jtj");
    const jtjOfficer = (await loadActor(
      p.ctx,
      (
        await staffWith(p.ctx, [{ role: "officer", siteId: jtj }], "jtjo")
      ).id,
    )) as Actor;
    const jtjHead = await staffWith(p.ctx, [{ role: "site_admin", siteId: jtj }], "jtjh");
    await act(p.ctx, jtjOfficer, a.id, "accept", {}, "2026-09-29");
    const row = await caseRow(a.number);
    const calendar = await loadCalendar(p.ctx.db);
    // 9-30 is day 1; 10-1…10-7 are holidays; 10-8, 10-9, 10-10 (调休 workday), 10-12 are days 2–5
    assert.equal(row.due_on, "2026-10-12");
    assert.equal(row.due_on, calendar.addWorkingDays("2026-09-29", 5));
    assert.deepEqual(
      await remindApplications(p.ctx, "2026-10-07"),
      { warned: 0, escalated: 0 },
      "the holiday does not count",
    );
    assert.deepEqual(await remindApplications(p.ctx, "2026-10-09"), { warned: 1, escalated: 0 });
    assert.deepEqual(
      await remindApplications(p.ctx, "2026-10-10"),
      { warned: 0, escalated: 0 },
      "warned once",
    );
    assert.deepEqual(
      await remindApplications(p.ctx, "2026-10-12"),
      { warned: 0, escalated: 0 },
      "due today is not overdue",
    );
    assert.deepEqual(await remindApplications(p.ctx, "2026-10-13"), { warned: 0, escalated: 1 });
    assert.deepEqual(
      await remindApplications(p.ctx, "2026-10-14"),
      { warned: 0, escalated: 0 },
      "escalated once",
    );
    const headInbox = await p.ctx.db
      .selectFrom("inbox_messages")
      .select("title")
      .where("user_id", "=", jtjHead.id)
      .execute();
    assert.ok(headInbox.some((m) => m.title.includes("督办")));
    const events = await p.ctx.db
      .selectFrom("workflow_events")
      .select(["action", "comment"])
      .where("subject_type", "=", "service_application")
      .where("subject_id", "=", a.id)
      .orderBy("id")
      .execute();
    assert.deepEqual(
      events.map((e) => e.action),
      ["submit", "accept", "warn", "escalate"],
    );
    const list = await officerClient.get("/admin/services");
    assert.equal(list.status, 200);
  });

  it("pauses the clock for 补正 before 受理 without starting it, and returns the case to 预审", async () => {
    const item = await itemByRef(p, "svc-004");
    const a = await submitApplication(p.ctx, citizenActor, {
      itemId: item.id,
      values: { applicantName: "王小明", idNumber: "11010519491231002X", phone: PHONE, delivery: "邮寄送达" },
      uploads: (key) => (key === "m0" || key === "m3" ? [{ filename: `${key}.pdf`, data: PDF }] : []),
      accountPhone: PHONE,
    });
    await act(
      p.ctx,
      officer,
      a.id,
      "request_correction",
      { items: "请补充近期一寸白底彩色照片" },
      "2026-11-02",
    );
    await assert.rejects(act(p.ctx, officer, a.id, "resubmit", {}), /申请人本人/);
    await act(
      p.ctx,
      citizenActor,
      a.id,
      "resubmit",
      {
        uploads: (key) =>
          key === "m3"
            ? [
                {
                  filename: "照片.jpg",
                  data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0]),
                },
              ]
            : [],
      },
      "2026-11-04",
    );
    const row = await caseRow(a.number);
    assert.equal(row.state, "submitted");
    assert.equal(row.clock_started_on, null);
    await act(p.ctx, officer, a.id, "accept", {}, "2026-11-04");
    await act(
      p.ctx,
      officer,
      a.id,
      "request_correction",
      { items: "照片不清晰，请重新上传近期一寸白底彩色照片" },
      "2026-11-05",
    );
    await act(
      p.ctx,
      citizenActor,
      a.id,
      "resubmit",
      {
        uploads: (key) =>
          key === "m3"
            ? [
                {
                  filename: "照片2.jpg",
                  data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 1]),
                },
              ]
            : [],
      },
      "2026-11-10",
    );
    const resumed = await caseRow(a.number);
    const calendar = await loadCalendar(p.ctx.db);
    // one working day limit from 11-04, plus the three working days (11-05→11-10) spent paused
    assert.equal(resumed.clock_paused_days, 3);
    assert.equal(resumed.due_on, calendar.addWorkingDays("2026-11-04", 1 + 3));
  });
});

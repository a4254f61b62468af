import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import type { Actor } from "../src/core/auth/permissions.ts";
import { loadCalendar } from "../src/core/calendar.ts";
import { loadActor } from "../src/modules/identity/service.ts";
import { act, submitApplication } from "../src/modules/services/applications.ts";
import { submitBundle } from "../src/modules/services/bundles.ts";
import { FOLLOWUP_DAYS_KEY } from "../src/modules/services/ratings.ts";
import { setAppState } from "../src/modules/sites/service.ts";
import type { HttpClient } from "./support/http.ts";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";
import { itemByRef, PDF, registerCitizen } from "./support/services.ts";

const pdf = (name: string) => [{ name, data: PDF, type: "application/pdf" }];

describe("政务服务: 一件事一次办 and 好差评", () => {
  let p: TestPlatform;
  let citizen: HttpClient;
  let citizenActor: Actor;
  const PHONE = "13700001234";

  before(async () => {
    p = await startTestPlatform("demo");
    citizen = await registerCitizen(p, PHONE, "赵新");
    const user = await p.ctx.db
      .selectFrom("users")
      .select("id")
      .where("display_name", "=", "赵新")
      .executeTakeFirstOrThrow();
    citizenActor = (await loadActor(p.ctx, user.id)) as Actor;
  });
  after(() => p.close());

  const bundleId = async (ref: string) =>
    (
      await p.ctx.db
        .selectFrom("service_bundles")
        .select("id")
        .where("ref", "=", ref)
        .executeTakeFirstOrThrow()
    ).id;
  const counts = async () => ({
    bundles: Number(
      (await sql<{ n: number }>`select count(*)::int as n from bundle_applications`.execute(p.ctx.db)).rows[0]
        ?.n,
    ),
    cases: Number(
      (await sql<{ n: number }>`select count(*)::int as n from service_applications`.execute(p.ctx.db))
        .rows[0]?.n,
    ),
  });

  it("shows a bundle with its members and the merged, deduplicated material list; /ref/yjs-02 resolves", async () => {
    const r = await p.client().get("/ref/yjs-02");
    assert.equal(r.status, 302);
    const page = await p.client().get(r.headers.get("location") ?? "");
    assert.equal(page.status, 200);
    for (const text of [
      "新生儿出生一件事",
      "出生医学证明首次签发",
      "新生儿出生登记（落户）",
      "社会保障卡申领",
      "父母双方居民身份证",
      "合并前",
    ])
      assert.ok(page.text.includes(text), text);
    const list = await p.client().get("/bsfw/yjs/");
    for (const name of [
      "开办企业一件事",
      "新生儿出生一件事",
      "二手房交易一件事",
      "退休一件事",
      "身后事一件事",
      "入学一件事",
    ])
      assert.ok(list.text.includes(name), name);
  });

  it("takes one merged form and one set of materials, and creates one case per member with one combined status", async () => {
    const id = await bundleId("yjs-02");
    const url = `/bsfw/yjs/${id}/apply`;
    const form = await citizen.get(url);
    assert.equal(form.status, 200);
    assert.equal(form.text.match(/name="idNumber"/g)?.length, 1, "each field once in the merged form");
    assert.equal(form.text.match(/name="b\d+"/g)?.length, 4, "4 merged materials");
    const before = await counts();
    const bad = await citizen.submit(url, url, {
      applicantName: "赵新",
      idNumber: "",
      phone: PHONE,
      delivery: "邮寄送达",
    });
    assert.equal(bad.status, 400);
    assert.ok(bad.text.includes("请填写居民身份证号码"));
    assert.ok(bad.text.includes("请上传“父母双方居民身份证”"));
    assert.deepEqual(await counts(), before);

    const ok = await citizen.submit(
      url,
      url,
      { applicantName: "赵新", idNumber: "11010519491231002X", phone: PHONE, delivery: "邮寄送达" },
      { b0: pdf("身份证.pdf"), b1: pdf("登记表.pdf"), b2: pdf("户口簿.pdf") },
    );
    assert.equal(ok.status, 200, ok.text.slice(0, 400));
    const number = /<strong class="code">([A-Z0-9]+)<\/strong>/.exec(ok.text)?.[1] ?? "";
    assert.match(number, /^YJS\d{8}[A-Z0-9]{6}$/);
    const cases = await p.ctx.db
      .selectFrom("service_applications as a")
      .innerJoin("bundle_applications as b", "b.id", "a.bundle_application_id")
      .innerJoin("service_items as i", "i.id", "a.item_id")
      .select(["a.id", "a.number", "i.ref", "a.site_id"])
      .where("b.number", "=", number)
      .orderBy("a.number")
      .execute();
    assert.deepEqual(
      cases.map((c) => c.ref),
      ["svc-039", "svc-001", "svc-020", "svc-016"],
    );
    // the shared ID card goes to both items that use it, the 户口簿 only to 落户
    const materials = await p.ctx.db
      .selectFrom("service_application_files")
      .select(["application_id", "material"])
      .where(
        "application_id",
        "in",
        cases.map((c) => c.id),
      )
      .execute();
    const of = (ref: string) =>
      materials
        .filter((m) => m.application_id === cases.find((c) => c.ref === ref)?.id)
        .map((m) => m.material)
        .sort();
    assert.deepEqual(of("svc-039"), ["出生医学证明首次签发登记表", "父母双方居民身份证"].sort());
    assert.deepEqual(of("svc-001"), ["父母居民户口簿", "父母双方居民身份证"].sort());

    const status = await citizen.get(`/account/bsfw/yjs/${number}`);
    assert.ok(status.text.includes("办理中（0/4 个事项已办结）"));
    const lookup = await p.client().submit("/bsfw/cx/", "/bsfw/cx/", { number, phone: PHONE });
    assert.equal(lookup.status, 200);
    assert.ok(lookup.text.includes("新生儿出生一件事"));
    assert.ok(lookup.text.includes("社会保障卡申领"));

    // members are handled by their own departments; the combined status follows
    const officer = (await loadActor(
      p.ctx,
      (
        await staffWith(p.ctx, [{ role: "site_admin", siteId: null }], "allhead")
      ).id,
    )) as Actor;
    const first = cases[0];
    assert.ok(first);
    await act(p.ctx, officer, first.id, "request_correction", { items: "请补充登记表原件照片" });
    assert.ok((await citizen.get(`/account/bsfw/yjs/${number}`)).text.includes("待补正"));
    const mine = await citizen.get("/account/bsfw/");
    assert.ok(mine.text.includes(number));
  });

  it("creates the member cases atomically: a failure on one member leaves no bundle and no case", async () => {
    const id = await bundleId("yjs-04");
    const failing = await itemByRef(p, "svc-024");
    await sql`create function refuse_member() returns trigger language plpgsql as $$
      begin raise exception 'member refused'; end $$`.execute(p.ctx.db);
    await sql
      .raw(
        `create trigger refuse_member before insert on service_applications for each row when (new.item_id = ${failing.id}) execute function refuse_member()`,
      )
      .execute(p.ctx.db);
    const before = await counts();
    await assert.rejects(
      submitBundle(p.ctx, citizenActor, {
        bundleId: id,
        values: { applicantName: "赵新", idNumber: "11010519491231002X", phone: PHONE, delivery: "邮寄送达" },
        uploads: (key) => (key.startsWith("b") ? [{ filename: `${key}.pdf`, data: PDF }] : []),
        accountPhone: PHONE,
        optional: [],
      }),
      /member refused/,
    );
    assert.deepEqual(await counts(), before, "all or none");
    await sql`drop trigger refuse_member on service_applications`.execute(p.ctx.db);
    const done = await submitBundle(p.ctx, citizenActor, {
      bundleId: id,
      values: { applicantName: "赵新", idNumber: "11010519491231002X", phone: PHONE, delivery: "邮寄送达" },
      uploads: (key) => (key.startsWith("b") ? [{ filename: `${key}.pdf`, data: PDF }] : []),
      accountPhone: PHONE,
      optional: [],
    });
    assert.equal(done.cases, 3);
    assert.deepEqual(await counts(), { bundles: before.bundles + 1, cases: before.cases + 3 });
  });

  it("passes a licence produced by one member to the later members of the same bundle (内部流转)", async () => {
    const id = await bundleId("yjs-01");
    const done = await submitBundle(p.ctx, citizenActor, {
      bundleId: id,
      values: {
        orgName: "青禾开办示例有限公司",
        creditCode: "91999900MA00000019",
        applicantName: "赵新",
        phone: PHONE,
        delivery: "网上下载（电子证照）",
      },
      uploads: (key) => (key.startsWith("b") ? [{ filename: `${key}.pdf`, data: PDF }] : []),
      accountPhone: PHONE,
      optional: [],
    });
    assert.equal(done.cases, 5);
    const cases = await p.ctx.db
      .selectFrom("service_applications as a")
      .innerJoin("service_items as i", "i.id", "a.item_id")
      .select(["a.id", "i.ref"])
      .where("a.bundle_application_id", "=", done.id)
      .execute();
    const caseOf = (ref: string) => cases.find((c) => c.ref === ref)?.id ?? 0;
    const head = (await loadActor(
      p.ctx,
      (
        await staffWith(p.ctx, [{ role: "site_admin" }], "lead")
      ).id,
    )) as Actor;
    const registration = caseOf("svc-027");
    for (const step of ["accept", "review", "approve", "complete"] as const)
      await act(p.ctx, head, registration, step);
    const licence = await p.ctx.db
      .selectFrom("licences")
      .select(["id", "holder_name"])
      .where("application_id", "=", registration)
      .executeTakeFirstOrThrow();
    assert.equal(licence.holder_name, "青禾开办示例有限公司");
    const shared = await p.ctx.db
      .selectFrom("service_application_files")
      .select("application_id")
      .where("licence_id", "=", licence.id)
      .execute();
    // 印章刻制, 单位参保 and 公积金缴存登记 list 营业执照 among their materials; 税务 lists it too
    assert.deepEqual(
      shared.map((s) => s.application_id).sort((x, y) => x - y),
      ["svc-006", "svc-042", "svc-009", "svc-026"].map(caseOf).sort((x, y) => x - y),
    );
  });

  it("rates a finished case once on five levels; a 差评 opens a follow-up due in the configured working days", async () => {
    const rsj = await siteId(p.ctx, "rsj");
    const o = await staffWith(p.ctx, [{ role: "officer", siteId: rsj }], "rsjofficer");
    const officer = (await loadActor(p.ctx, o.id)) as Actor;
    const item = await itemByRef(p, "svc-008");
    const submit = async () => {
      const a = await submitApplication(p.ctx, citizenActor, {
        itemId: item.id,
        values: { applicantName: "赵新", idNumber: "11010519491231002X", phone: PHONE, delivery: "邮寄送达" },
        uploads: (key) => (key.startsWith("m") ? [{ filename: `${key}.pdf`, data: PDF }] : []),
        accountPhone: PHONE,
      });
      return a;
    };
    const a = await submit();
    const page = `/account/bsfw/${a.number}`;
    assert.ok(!(await citizen.get(page)).text.includes("评价本次服务"), "not before the case ends");
    const early = await citizen.submit("/bsfw/cx/", `${page}/rate`, {
      score: "5",
      d0: "5",
      d1: "5",
      d2: "5",
      d3: "5",
    });
    assert.equal(early.status, 400);
    assert.ok(early.text.includes("办件办结后才能评价"));
    await act(p.ctx, officer, a.id, "refuse", { reason: "已在其他单位参保，不能重复参保" });

    const bad = await citizen.submit(page, `${page}/rate`, {
      score: "1",
      d0: "1",
      d1: "",
      d2: "2",
      d3: "1",
      comment: "",
    });
    assert.equal(bad.status, 400);
    assert.ok(bad.text.includes("请选择“办事指南精确度”的评价"));
    assert.ok(bad.text.includes("差评请写明不满意的原因"));
    await setAppState(p.ctx, FOLLOWUP_DAYS_KEY, 3);
    const rated = await citizen.submit(page, `${page}/rate`, {
      score: "1",
      d0: "1",
      d1: "2",
      d2: "2",
      d3: "3",
      comment: "窗口说法与指南不一致，来回跑了两次",
    });
    assert.equal(rated.status, 303);
    assert.equal(
      (await citizen.submit("/bsfw/cx/", `${page}/rate`, { score: "5", d0: "5", d1: "5", d2: "5", d3: "5" }))
        .status,
      400,
    );
    const followup = await p.ctx.db.selectFrom("rating_followups").selectAll().executeTakeFirstOrThrow();
    const calendar = await loadCalendar(p.ctx.db);
    assert.equal(followup.state, "open");
    const ratedOn = await p.ctx.db
      .selectFrom("service_ratings")
      .select("created_at")
      .executeTakeFirstOrThrow();
    const day = new Date(ratedOn.created_at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    assert.equal(followup.due_on, calendar.addWorkingDays(day, 3));

    const client = await staffClient(p, o.username);
    const list = await client.get("/admin/services/followups");
    assert.ok(list.text.includes(a.number));
    const url = `/admin/services/followups/${followup.id}`;
    const empty = await client.submit(url, url, { handling: "", response: "" });
    assert.equal(empty.status, 400);
    assert.ok(empty.text.includes("请选择处理方式"));
    const closed = await client.submit(url, url, {
      handling: "立行立改",
      response: "已电话回访，核实窗口告知有误，已统一口径并修改办事指南",
    });
    assert.equal(closed.status, 303);
    const after = await p.ctx.db.selectFrom("rating_followups").selectAll().executeTakeFirstOrThrow();
    assert.equal(after.state, "closed");
    assert.ok((await citizen.get("/account/inbox")).text.includes("评价已处理"));

    // a good rating opens nothing
    const b = await submit();
    await act(p.ctx, officer, b.id, "accept");
    await act(p.ctx, officer, b.id, "review");
    const head = (await loadActor(
      p.ctx,
      (
        await staffWith(p.ctx, [{ role: "site_admin", siteId: rsj }], "rsjhead")
      ).id,
    )) as Actor;
    await act(p.ctx, head, b.id, "approve");
    await act(p.ctx, officer, b.id, "complete");
    const good = await citizen.submit(`/account/bsfw/${b.number}`, `/account/bsfw/${b.number}/rate`, {
      score: "5",
      d0: "5",
      d1: "4",
      d2: "5",
      d3: "5",
      comment: "",
    });
    assert.equal(good.status, 303);
    assert.equal((await p.ctx.db.selectFrom("rating_followups").select("id").execute()).length, 1);

    const stats = await p.client().get("/bsfw/hcp/");
    assert.ok(stats.text.includes("青禾市人力资源和社会保障局"));
    assert.ok(stats.text.includes("个人参保登记（灵活就业人员）"));
    assert.ok(
      /<td class="num">2<\/td><td class="num">3\.00<\/td><td class="num">1<\/td><td class="num">1<\/td>/.test(
        stats.text,
      ),
    );
    const guide = await p.client().get(`/bsfw/item/${item.code}`);
    assert.ok(guide.text.includes("共 2 条评价，平均 3.0 分"));
  });
});

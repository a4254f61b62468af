import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Actor } from "../src/core/auth/permissions.ts";
import { loadActor } from "../src/modules/identity/service.ts";
import { completenessReport, KEY_ELEMENTS, missingElements } from "../src/modules/services/service.ts";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";

describe("政务服务: the service catalogue", () => {
  let p: TestPlatform;

  before(async () => {
    p = await startTestPlatform("demo");
  });
  after(() => p.close());

  it("imports the 45 corpus items and 6 bundles with their corpus ids, and /ref/svc-001 resolves", async () => {
    const items = await p.ctx.db.selectFrom("service_items").select(["ref"]).execute();
    assert.equal(items.length, 45);
    const bundles = await p.ctx.db.selectFrom("service_bundles").select("ref").execute();
    assert.equal(bundles.length, 6);
    const r = await p.client().get("/ref/svc-001");
    assert.equal(r.status, 302);
    assert.equal(r.headers.get("location"), "/sites/gaj/bsfw/item/999900-QR-GAJ-0001-00");
    const guide = await p.client().get(r.headers.get("location") ?? "");
    assert.equal(guide.status, 200);
    assert.ok(guide.text.includes("新生儿出生登记（落户）"));
    assert.equal((await p.client().get("/ref/svc-999")).status, 404);
  });

  it("shows the full guide: basis, conditions, materials, process, limits, fee, place, hours, phones, online level", async () => {
    const r = await p.client().get("/bsfw/item/999900-QR-GAJ-0001-00");
    assert.equal(r.status, 200);
    for (const text of [
      "999900-QR-GAJ-0001-00",
      "行政确认",
      "青禾市公安局",
      "《中华人民共和国户口登记条例》",
      "父母一方为本市户籍",
      "出生医学证明",
      "电子证照",
      "受理：派出所核验出生医学证明",
      "法定时限",
      "5 个工作日",
      "即办",
      "即办件",
      "不收费",
      "落户地公安派出所户籍窗口",
      "周一至周五 9:00",
      "0999-82330110",
      "0999-82330001；12345",
      "全程网办",
      "新生儿出生一件事",
      "在线申请",
      "常见问题",
      "新生儿上户口需要准备哪些材料？",
      "相关政策",
      'href="/ref/pol-022"',
    ]) {
      assert.ok(r.text.includes(text), text);
    }
    const print = await p.client().get("/bsfw/item/999900-QR-GAJ-0001-00/print");
    assert.equal(print.status, 200);
    assert.ok(print.text.includes("新生儿出生登记（落户） 办事指南"));
    assert.ok(!print.text.includes('class="main-nav"'), "the print page has no site navigation");
  });

  it("browses by 个人/法人, department and life-event theme, and searches", async () => {
    const client = p.client();
    const legal = await client.get(`/bsfw/?dx=${encodeURIComponent("法人")}`);
    assert.ok(legal.text.includes("企业设立登记"));
    assert.ok(!legal.text.includes("新生儿出生登记"), "personal items are not in the 法人 list");
    assert.ok(legal.text.includes("个体工商户设立登记"), "items for both audiences are in both lists");
    const gjj = await p.ctx.db
      .selectFrom("departments")
      .select("id")
      .where("ref", "=", "dept-gjj")
      .executeTakeFirstOrThrow();
    const byDept = await client.get(`/bsfw/?bm=${gjj.id}`);
    assert.ok(byDept.text.includes("共 5 项"));
    assert.ok(byDept.text.includes("住房公积金提取（租赁住房）"));
    const theme = await client.get(`/bsfw/?zt=${encodeURIComponent("生育收养")}`);
    assert.ok(theme.text.includes("共 4 项"));
    const search = await client.get(`/bsfw/?q=${encodeURIComponent("公积金")}`);
    assert.ok(search.text.includes("住房公积金个人住房贷款"));
    assert.ok(!search.text.includes("居民身份证换领"));
    const none = await client.get(`/bsfw/?q=${encodeURIComponent("%_不存在的事项")}`);
    assert.ok(none.text.includes("没有找到符合条件的事项"));
    // a department site lists its own items
    const rsj = await client.get("/sites/rsj/bsfw/");
    assert.ok(rsj.text.includes("共 10 项"));
    assert.ok(!rsj.text.includes("企业设立登记"));
    assert.ok(rsj.text.includes("社会保障（"), "its own themes");
    assert.ok(!rsj.text.includes("户籍办理（"), "not other departments' themes");
  });

  it("checks the demo catalogue against the 10 key element classes", async () => {
    const sys = await staffWith(p.ctx, [{ role: "site_admin", siteId: null }], "sys");
    const report = await completenessReport(p.ctx, (await loadActor(p.ctx, sys.id)) as Actor);
    assert.equal(report.total, 45);
    // the corpus has no 办理时间; only items handled at the 市民中心 take its published hours
    const withoutHours = await p.ctx.db
      .selectFrom("service_items")
      .select("name")
      .where("hours", "=", "")
      .execute();
    assert.ok(withoutHours.length > 0 && withoutHours.length < 45);
    const byElement = Object.fromEntries(report.byElement.map((e) => [e.element, e.missing]));
    assert.equal(byElement.办理时间, withoutHours.length);
    for (const element of KEY_ELEMENTS.filter((e) => e !== "办理时间"))
      assert.equal(byElement[element], 0, element);
    assert.equal(report.complete, 45 - withoutHours.length);

    const blank = missingElements({
      name: "测试",
      legal_basis: [],
      conditions: [" "],
      materials: [{ name: "其他材料", form: "原件", count: 1, note: "", required: true }],
      locations: [],
      department_id: 1,
      fee_charged: false,
      fee_standard: "",
      hours: "",
      consult_phone: "",
      process: [],
    });
    assert.deepEqual(blank.missing, [
      "设定依据",
      "申请条件",
      "办理地点",
      "收费标准",
      "办理时间",
      "联系电话",
      "办理流程",
    ]);
    assert.equal(blank.warnings.length, 1);

    const client = await staffClient(p, sys.username);
    const page = await client.get("/admin/services/completeness");
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(`共检查 45 个事项，要素完整 ${45 - withoutHours.length} 个`));
  });

  it("lets a department's site administrator maintain its items only, with clear messages for bad input", async () => {
    const rsjSite = await siteId(p.ctx, "rsj");
    const admin = await staffWith(p.ctx, [{ role: "site_admin", siteId: rsjSite }], "rsjadmin");
    const client = await staffClient(p, admin.username);
    const list = await client.get("/admin/services/items");
    assert.ok(list.text.includes("失业保险金申领"));
    assert.ok(!list.text.includes("企业设立登记"));
    const gaj = await p.ctx.db
      .selectFrom("service_items")
      .select("id")
      .where("ref", "=", "svc-001")
      .executeTakeFirstOrThrow();
    assert.equal((await client.get(`/admin/services/items/${gaj.id}`)).status, 403);

    const fields = {
      code: "999900-GG-RSJ-0100-00",
      name: "职业技能培训补贴申领",
      type: "行政给付",
      audience: "个人",
      siteId: String(rsjSite),
      legalBasis: "《青禾市职业技能提升行动实施方案》",
      conditions: "参加本市职业技能培训并取得证书",
      materials: "职业技能等级证书 | 电子证照 | 1 | 必要 | 在线核验",
      process: "申请\n审核\n发放",
      statutoryDays: "20",
      promisedDays: "30",
      timeLimitNote: "",
      feeStandard: "",
      feeBasis: "",
      locations: "青禾市市民中心人社综合窗口",
      hours: "工作日 9:00—17:00",
      consultPhone: "0999-82310001",
      supervisePhone: "12345",
      onlineLevel: "全程网办",
      lifeEvents: "就业创业",
      outputs: "培训补贴",
      licenceName: "",
      faqs: "",
      formFields:
        "applicantName | 申请人姓名 | text | 必填 |  | name | \ncourse | 培训项目 | select | 必填 | 电工 |  | ",
      visible: "1",
    };
    const bad = await client.submit("/admin/services/items/new", "/admin/services/items/new", fields);
    assert.equal(bad.status, 400);
    assert.ok(bad.text.includes("承诺时限不能长于法定时限"));
    assert.ok(bad.text.includes("下拉字段至少需要两个选项"));
    assert.ok(bad.text.includes("职业技能培训补贴申领"), "typed values are kept");

    const badLink = await client.submit("/admin/services/items/new", "/admin/services/items/new", {
      ...fields,
      promisedDays: "10",
      formFields: "",
      materials: "职业技能等级证书 | 电子证照 | 1 | 必要 | 在线核验 | javascript:alert(1) | ",
    });
    assert.equal(badLink.status, 400);
    assert.ok(badLink.text.includes("空表或样表地址应为本平台附件"));
    const good = await client.submit("/admin/services/items/new", "/admin/services/items/new", {
      ...fields,
      materials:
        "职业技能等级证书 | 电子证照 | 1 | 必要 | 在线核验 | /files/1/申请表.docx | https://zwfw.qinghe.example/yb.pdf",
      promisedDays: "10",
      formFields:
        "applicantName | 申请人姓名 | text | 必填 |  | name | \ncourse | 培训项目 | select | 必填 | 电工、焊工 |  | ",
    });
    assert.equal(good.status, 303);
    const id = Number(/items\/(\d+)/.exec(good.location)?.[1]);
    const saved = await p.ctx.db
      .selectFrom("service_items")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(saved.form_fields[1], {
      name: "course",
      label: "培训项目",
      kind: "select",
      required: true,
      options: ["电工", "焊工"],
    });
    assert.equal(saved.fee_standard, "不收费");
    const guide = await p.client().get("/sites/rsj/bsfw/item/999900-GG-RSJ-0100-00");
    assert.ok(guide.text.includes("职业技能等级证书"));
    assert.ok(guide.text.includes('href="/files/1/申请表.docx">空白表格'));
    assert.ok(guide.text.includes('href="https://zwfw.qinghe.example/yb.pdf">示例样表'));

    const edited = await client.submit(`/admin/services/items/${id}`, `/admin/services/items/${id}`, {
      ...fields,
      promisedDays: "5",
      formFields: "",
      name: "职业技能培训补贴申领（个人）",
    });
    assert.equal(edited.status, 303);
    const versions = await p.ctx.db
      .selectFrom("service_item_versions")
      .select("version")
      .where("item_id", "=", id)
      .orderBy("version")
      .execute();
    assert.deepEqual(
      versions.map((v) => v.version),
      [1, 2],
    );
    const moved = await client.submit(`/admin/services/items/${id}`, `/admin/services/items/${id}`, {
      ...fields,
      promisedDays: "5",
      formFields: "",
      siteId: String(await siteId(p.ctx, "gaj")),
    });
    assert.equal(moved.status, 403, "an item cannot be moved to a department the admin does not manage");

    const deleted = await client.submit(
      `/admin/services/items/${id}`,
      `/admin/services/items/${id}/delete`,
      {},
    );
    assert.equal(deleted.status, 303);
    assert.equal((await p.client().get("/sites/rsj/bsfw/item/999900-GG-RSJ-0100-00")).status, 404);
  });
});

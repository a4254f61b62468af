import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import type { Actor } from "../src/core/auth/permissions.ts";
import { disclosureTable, reportReminders, requestTable } from "../src/modules/disclosure/annual-report.ts";
import { act, submitRequest } from "../src/modules/disclosure/requests.ts";
import { loadActor } from "../src/modules/identity/service.ts";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";

const PERSON = {
  applicantType: "person",
  orgCategory: "",
  applicantName: "李四",
  contactPerson: "",
  idType: "居民身份证",
  idNumber: "11010519491231002X",
  phone: "13812345678",
  email: "",
  address: "",
  description: "请提供本市养老服务补贴发放标准的文件",
  documentHint: "",
  carrier: "电子文档",
  delivery: "网上查阅下载",
};
const FIRM = {
  ...PERSON,
  applicantType: "organisation",
  orgCategory: "法律服务机构",
  applicantName: "青禾某律师事务所",
  contactPerson: "王律师",
  idType: "统一社会信用代码",
  idNumber: "91350100M000100Y43",
};

describe("政府信息公开工作年度报告", () => {
  let p: TestPlatform;
  let www: number;
  let officer: Actor;

  before(async () => {
    p = await startTestPlatform("demo");
    www = await siteId(p.ctx, "www");
    officer = (await loadActor(
      p.ctx,
      (
        await staffWith(p.ctx, [{ role: "officer", siteId: www }], "officer")
      ).id,
    )) as Actor;
    const apply = (input: typeof PERSON) => submitRequest(p.ctx, { siteId: www, citizenId: null, ...input });
    const setDates = (id: number, submitted: string, closed?: string) =>
      p.ctx.db
        .updateTable("info_requests")
        .set({
          submitted_at: new Date(`${submitted}T10:00:00+08:00`),
          ...(closed ? { closed_at: new Date(`${closed}T10:00:00+08:00`) } : {}),
        })
        .where("id", "=", id)
        .execute();
    // closed within 2025: not in the 2026 report at all
    const old = await apply(PERSON);
    await act(p.ctx, officer, old.id, "register", {}, "2025-11-03");
    await act(p.ctx, officer, old.id, "answer", { outcome: "public", reason: "" }, "2025-11-10");
    await setDates(old.id, "2025-11-01", "2025-11-10");
    // carried in from 2025, answered in 2026 (部分公开)
    const carried = await apply(PERSON);
    await act(p.ctx, officer, carried.id, "register", {}, "2025-12-29");
    await act(
      p.ctx,
      officer,
      carried.id,
      "answer",
      { outcome: "partial", reason: "涉及个人隐私部分不予公开" },
      "2026-01-15",
    );
    await setDates(carried.id, "2025-12-28", "2026-01-15");
    // new in 2026: answered (信息不存在), withheld (过程性信息), lapsed 补正 by a firm, and one still open
    const missing = await apply(PERSON);
    await act(p.ctx, officer, missing.id, "register", {}, "2026-03-02");
    await act(
      p.ctx,
      officer,
      missing.id,
      "answer",
      { outcome: "unable_not_held", reason: "经检索未制作" },
      "2026-03-10",
    );
    const process = await apply(FIRM);
    await act(p.ctx, officer, process.id, "register", {}, "2026-04-01");
    await act(
      p.ctx,
      officer,
      process.id,
      "answer",
      { outcome: "withheld_process", reason: "属于讨论记录" },
      "2026-04-08",
    );
    const lapsed = await apply(FIRM);
    await act(p.ctx, officer, lapsed.id, "register", {}, "2026-05-11");
    await act(
      p.ctx,
      officer,
      lapsed.id,
      "request_correction",
      { items: "请写明文件名称", days: 5 },
      "2026-05-12",
    );
    await act(p.ctx, officer, lapsed.id, "correction_lapsed", {}, "2026-05-25");
    const open = await apply(PERSON);
    await act(p.ctx, officer, open.id, "register", {}, "2026-11-20");
  });
  after(() => p.close());

  it("fills table 三 from the cases, and 一 + 二 = 三(七) + 四 holds in every column", async () => {
    const table = await requestTable(p.ctx, www, 2026);
    const row = (key: string) => table.rows.find((r) => r.key === key)?.values ?? [];
    // columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
    assert.deepEqual(row("new"), [2, 0, 0, 0, 2, 0, 4]);
    assert.deepEqual(row("carried_in"), [1, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(row("部分公开"), [1, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(row("unable_not_held"), [1, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(row("withheld_process"), [0, 0, 0, 0, 1, 0, 1]);
    assert.deepEqual(row("other_no_correction"), [0, 0, 0, 0, 1, 0, 1]);
    assert.deepEqual(row("handled_total"), [2, 0, 0, 0, 2, 0, 4]);
    assert.deepEqual(row("carried_out"), [1, 0, 0, 0, 0, 0, 1]);
    assert.equal(table.balanced, true);
    for (let c = 0; c < table.columns.length; c++) {
      const v = (key: string) => row(key)[c] ?? 0;
      assert.equal(
        v("new") + v("carried_in"),
        v("handled_total") + v("carried_out"),
        `column ${table.columns[c]}`,
      );
    }
    const last = await requestTable(p.ctx, www, 2025);
    assert.equal(last.balanced, true);
    assert.deepEqual(
      last.rows.find((r) => r.key === "carried_out")?.values.at(-1),
      1,
      "the December case is carried into 2026",
    );
  });

  it("lets staff write the narrative, then publishes the report as a document through the column's review", async () => {
    const author = await staffWith(p.ctx, [{ role: "site_admin", siteId: www }], "reportAuthor");
    const client = await staffClient(p, author.username);
    const page = `/admin/disclosure/annual-reports/${www}/2026`;
    const shown = await client.get(page);
    assert.equal(shown.status, 200);
    assert.match(shown.text, /本表数据的勾稽关系/);
    const bad = await client.submit(page, page, {
      overview: "总体情况良好。",
      licences: "-3",
      intent: "save",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /应为不小于 0 的整数/);
    const saved = await client.submit(page, page, {
      overview: "2026年，本机关坚持以公开为常态。",
      problems: "政策解读形式还不够丰富。",
      other: "",
      licences: "1200",
      review0: "1",
      intent: "publish",
    });
    assert.equal(saved.status, 303, saved.text.slice(0, 300));
    const documentId = Number(/\/admin\/documents\/(\d+)/.exec(saved.location)?.[1]);
    const version = await p.ctx.db
      .selectFrom("document_versions")
      .select(["title", "status", "body_html"])
      .where("document_id", "=", documentId)
      .executeTakeFirstOrThrow();
    assert.equal(version.status, "in_review", "goes through the 年报 column's review chain");
    assert.equal(version.title, "青禾市人民政府办公室2026年政府信息公开工作年度报告");
    assert.match(version.body_html, /一、总体情况/);
    assert.match(version.body_html, /2026年，本机关坚持以公开为常态。/);
    assert.match(version.body_html, /<td>1200<\/td>/);
    assert.match(version.body_html, /本年度发出收费通知0件/);
  });

  it("explains when a site has no 年报 column yet", async () => {
    const rsj = await siteId(p.ctx, "rsj");
    await p.ctx.db
      .updateTable("columns")
      .set({ column_type: "工作动态" })
      .where("site_id", "=", rsj)
      .where("column_type", "=", "信息公开年报")
      .execute();
    const author = await staffWith(p.ctx, [{ role: "site_admin", siteId: rsj }], "deptAuthor");
    const client = await staffClient(p, author.username);
    const page = `/admin/disclosure/annual-reports/${rsj}/2026`;
    const r = await client.submit(page, page, { overview: "", intent: "publish" });
    assert.equal(r.status, 400);
    assert.match(r.text, /还没有“政府信息公开年报”栏目/);
  });

  it("reminds a site's administrators of a report that is due, then overdue, and stops once it is public", async () => {
    const jyj = await siteId(p.ctx, "jyj");
    const staff = await staffWith(p.ctx, [{ role: "site_admin", siteId: jyj }], "jyjAdmin");
    const admin = (await loadActor(p.ctx, staff.id)) as Actor;
    const levels = async (today: string) =>
      (await reportReminders(p.ctx, admin, today)).map((r) => `${r.level} ${r.href}`);
    // the demo published every site's 2025 report; 2026's is not written yet
    assert.deepEqual(await levels("2026-06-01"), []);
    assert.deepEqual(await levels("2026-12-10"), [`notice /admin/disclosure/annual-reports/${jyj}/2026`]);
    assert.deepEqual(await levels("2027-01-20"), [`warning /admin/disclosure/annual-reports/${jyj}/2026`]);
    assert.deepEqual(await levels("2027-02-01"), [`overdue /admin/disclosure/annual-reports/${jyj}/2026`]);
    assert.deepEqual(await levels("2027-07-01"), [`overdue /admin/disclosure/annual-reports/${jyj}/2026`]);
    // nobody else's site, and the officer of the portal manages no site
    assert.deepEqual(await reportReminders(p.ctx, officer, "2027-02-01"), []);

    // the dashboard shows it: withdraw jyj's 2025 report, which is then overdue whatever today is
    const report = await p.ctx.db
      .selectFrom("annual_reports")
      .select("document_id")
      .where("site_id", "=", jyj)
      .where("year", "=", 2025)
      .executeTakeFirstOrThrow();
    await p.ctx.db
      .updateTable("documents")
      .set({ live_version_id: null })
      .where("id", "=", report.document_id)
      .execute();
    const client = await staffClient(p, staff.username);
    const dashboard = await client.get("/admin");
    assert.match(dashboard.text, /待办提醒/);
    assert.match(dashboard.text, /已逾期/);
    assert.match(dashboard.text, /市教育局2025年政府信息公开工作年度报告已超过/);
  });

  it("table 二 counts a 规范性文件 whose 有效期 ran out in the year as lapsed, not in force", async () => {
    const normative = await p.ctx.db
      .selectFrom("documents as d")
      .innerJoin("document_versions as v", "v.id", "d.live_version_id")
      .select(["d.site_id", "v.id as versionId", "v.metadata"])
      .where("d.type", "=", "policy")
      .where(sql<boolean>`v.metadata->>'normative' = 'true' and v.metadata->>'validity' = '有效'`)
      .where(sql<boolean>`v.metadata->>'written_date' < '2026-01-01'`)
      .executeTakeFirstOrThrow();
    const row = async () =>
      (await disclosureTable(p.ctx, normative.site_id, 2026)).regulations.find(
        (r) => r.label === "行政规范性文件",
      );
    const before = await row();
    await p.ctx.db
      .updateTable("document_versions")
      .set({ metadata: JSON.stringify({ ...normative.metadata, valid_to: "2026-06-30" }) as never })
      .where("id", "=", normative.versionId)
      .execute();
    const after = await row();
    assert.equal(after?.repealed, (before?.repealed ?? 0) + 1);
    assert.equal(after?.inForce, (before?.inForce ?? 0) - 1);
  });
});

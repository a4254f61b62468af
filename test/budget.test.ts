import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { BUDGET_CSV_HEADER } from "../src/modules/disclosure/budget.ts";
import { PROJECT_CSV_HEADER } from "../src/modules/disclosure/projects.ts";
import type { HttpClient } from "./support/http.ts";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";
import { databaseSnapshot } from "./support/snapshot.ts";

const SUMMARY = "提交的内容有误，请按提示修改后重新提交";

/** Text of an HTML fragment: tags dropped, entities of the escaper undone, space collapsed. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The cells of each row of the table whose caption has `captionId`, as text. */
function tableRows(html: string, captionId: string): string[][] {
  const start = html.indexOf(`<caption id="${captionId}"`);
  assert.ok(start > 0, `表格 ${captionId} 不存在`);
  const table = html.slice(start, html.indexOf("</table>", start));
  return table
    .split(/<tr\b/)
    .slice(1)
    .map((row) => [...row.matchAll(/<t[hd]\b[^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) => text(m[1] ?? "")));
}

function rowNamed(rows: string[][], name: string): string[] {
  const row = rows.find((r) => r.slice(0, 2).some((cell) => cell.endsWith(name)));
  assert.ok(row, `没有“${name}”一行`);
  return row;
}

/** One section of the budget form: rows of [code, name, amount]. */
function section(key: string, rows: [string, string, string][]): Record<string, string[]> {
  return {
    [`${key}.code`]: rows.map((r) => r[0]),
    [`${key}.name`]: rows.map((r) => r[1]),
    [`${key}.amount`]: rows.map((r) => r[2]),
  };
}

describe("财政预决算 and 重大建设项目", () => {
  let p: TestPlatform;
  let jtj: number;
  let portal: number;
  let jtjAdmin: HttpClient;
  let otherEditor: HttpClient;
  let sysadmin: HttpClient;
  const visitor = () => p.client();

  /** Row counts and digests of the disclosure tables plus every table a form could touch. */
  async function snapshot(): Promise<Record<string, string>> {
    const result = await databaseSnapshot(p.ctx.db);
    for (const table of ["budget_reports", "budget_lines", "projects", "project_milestones"]) {
      const { rows } = await sql<{ n: string; digest: string }>`
        select count(*)::text as n, coalesce(md5(string_agg(t::text, '|' order by t.id)), '') as digest
        from ${sql.table(table)} t`.execute(p.ctx.db);
      result[table] = `${rows[0]?.n}:${rows[0]?.digest}`;
    }
    return result;
  }

  const editPath = (site: number, year: number, stage = "budget") =>
    `/admin/disclosure/budget/${site}/${year}/${stage}`;
  const saveBudget = (
    client: HttpClient,
    site: number,
    year: number,
    fields: Record<string, string | string[]>,
  ) => client.submit(editPath(site, year), editPath(site, year), fields);

  before(async () => {
    p = await startTestPlatform("demo");
    jtj = await siteId(p.ctx, "jtj");
    portal = await siteId(p.ctx, "www");
    jtjAdmin = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "site_admin", siteId: jtj }], "jtj")).username,
    );
    otherEditor = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "editor", siteId: await siteId(p.ctx, "rsj") }], "rsjeditor"))
        .username,
    );
    sysadmin = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "sysadmin" }, { role: "site_admin" }], "root")).username,
    );
    // 市交通局 enters two years through the form: known round numbers to check the arithmetic against
    const y2025 = await saveBudget(jtjAdmin, jtj, 2025, {
      ...section("gi", [
        ["", "财政拨款收入", "900"],
        ["", "上年结转结余", "100"],
      ]),
      ...section("gs", [
        ["214", "交通运输支出", "800"],
        ["208", "社会保障和就业支出", "200"],
      ]),
      ...section("sg", [["", "公务接待费", "10"]]),
      note: "",
      published: "1",
    });
    assert.equal(y2025.status, 303, y2025.text.slice(0, 800));
    const y2026 = await saveBudget(jtjAdmin, jtj, 2026, {
      ...section("gi", [
        ["", "财政拨款收入", "1,080.50"],
        ["", "上年结转结余", "１１９.５"],
        ["", "", ""],
      ]),
      ...section("gs", [
        ["214", "交通运输支出", "1000"],
        ["208", "社会保障和就业支出", "150.00"],
        ["221", "住房保障支出", "50"],
      ]),
      ...section("sg", [["", "公务接待费", "8"]]),
      note: "测试数据",
      published: "1",
    });
    assert.equal(y2026.status, 303, y2026.text.slice(0, 800));
  });
  after(() => p.close());

  it("the portal's columns lead to the pages; charts are SVG with role=img, each with its data table, no script", async () => {
    const column = await visitor().get("/col/czyjs/");
    assert.equal(column.status, 302);
    assert.equal(column.headers.get("location"), "/czyjs/");
    const projects = await visitor().get("/col/zdjsxm/");
    assert.equal(projects.status, 302);
    assert.equal(projects.headers.get("location"), "/zdxm/");

    const page = await visitor().get("/czyjs/");
    assert.equal(page.status, 200);
    // the only scripts are the 无障碍 toolbar's and the 智能问答 widget's, shared by every page: the charts need none
    assert.doesNotMatch(
      page.text,
      /<script(?![^>]*src="\/assets\/islands\/(?:a11y|assistant-widget)\.)/i,
      "no script for the charts",
    );
    assert.doesNotMatch(page.text, /<style/i, "no inline style blocks (CSP style-src 'self')");
    assert.doesNotMatch(page.text, /\sstyle="/i, "no style attributes (CSP style-src 'self')");
    const svgs = [...page.text.matchAll(/<svg\b([^>]*)>\s*<title>([^<]+)<\/title>/g)];
    assert.equal(svgs.length, 3, "bar, pie and Sankey");
    for (const [, attrs, title] of svgs) {
      assert.match(attrs ?? "", /role="img"/);
      assert.match(attrs ?? "", /aria-label="[^"]{6,}"/);
      assert.ok((title ?? "").length > 5);
    }
    assert.match(svgs[2]?.[2] ?? "", /钱从哪里来、到哪里去/);
    // each chart is followed by its table: caption and header cells with scope
    for (const id of ["t-spending", "t-income", "t-flow"]) {
      const at = page.text.indexOf(`<caption id="${id}"`);
      assert.ok(at > 0, id);
      const table = page.text.slice(page.text.lastIndexOf("<table", at), page.text.indexOf("</table>", at));
      assert.match(table, /<th scope="col"/);
      assert.match(table, /<th scope="row"/);
    }
    assert.match(page.text, /青禾市为虚构城市/, "the demo data says it is fictional");
    for (const year of [2026, 2025, 2024]) assert.ok(page.text.includes(`href="/czyjs/${year}/"`), `${year}`);
    assert.ok(page.text.includes('href="/sites/jyj/czyjs/"'), "links to department budgets");
    assert.ok(page.text.includes('href="/czyjs/2026.csv"'));
    assert.match(page.text, /<meta name="ColumnName" content="财政预决算"/);

    // a department's page and its year pages
    assert.equal((await visitor().get("/sites/jyj/czyjs/")).status, 200);
    assert.equal((await visitor().get("/czyjs/2024/")).status, 200);
    assert.equal((await visitor().get("/czyjs/2019/")).status, 404);
    const bare = await visitor().get("/czyjs/2025");
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get("location"), "/czyjs/2025/");
  });

  it("shows totals, 增减额 and 增减率 against last year, and the 决算 beside the 预算", async () => {
    const page = await visitor().get("/sites/jtj/czyjs/2026/");
    assert.equal(page.status, 200);
    const spending = tableRows(page.text, "t-spending");
    assert.deepEqual(spending[0], ["科目", "2025年预算数", "2026年预算数", "增减额", "增减率"]);
    assert.deepEqual(rowNamed(spending, "交通运输支出"), [
      "214 交通运输支出",
      "800.00",
      "1,000.00",
      "+200.00",
      "+25.0%",
    ]);
    assert.deepEqual(rowNamed(spending, "社会保障和就业支出"), [
      "208 社会保障和就业支出",
      "200.00",
      "150.00",
      "-50.00",
      "-25.0%",
    ]);
    assert.deepEqual(rowNamed(spending, "住房保障支出"), ["221 住房保障支出", "—", "50.00", "+50.00", "—"]);
    assert.deepEqual(rowNamed(spending, "合计"), ["合计", "1,000.00", "1,200.00", "+200.00", "+20.0%"]);
    const income = tableRows(page.text, "t-income");
    assert.deepEqual(rowNamed(income, "财政拨款收入"), [
      "财政拨款收入",
      "900.00",
      "1,080.50",
      "+180.50",
      "+20.1%",
    ]);
    assert.deepEqual(rowNamed(income, "上年结转结余"), [
      "上年结转结余",
      "100.00",
      "119.50",
      "+19.50",
      "+19.5%",
    ]);
    assert.deepEqual(rowNamed(income, "合计"), ["合计", "1,000.00", "1,200.00", "+200.00", "+20.0%"]);
    assert.deepEqual(rowNamed(tableRows(page.text, "t-sangong"), "公务接待费"), [
      "公务接待费",
      "10.00",
      "8.00",
      "-2.00",
      "-20.0%",
    ]);
    const flow = tableRows(page.text, "t-flow");
    assert.deepEqual(rowNamed(flow, "交通运输支出"), ["去向", "214 交通运输支出", "1,000.00", "83.3%"]);
    assert.match(page.text, /支出比上年[\s\S]{0,80}\+20\.0%/);
    assert.match(page.text, /测试数据/);

    // the portal's 2025 page: its 决算 beside its 预算, totals equal to the sums stored
    const portalPage = await visitor().get("/czyjs/2025/");
    const execution = tableRows(portalPage.text, "t-execution");
    const sums = await sql<{ stage: string; total: string }>`
      select r.stage, sum(l.amount)::text as total from budget_lines l join budget_reports r on r.id = l.report_id
      where r.site_id = ${portal} and r.year = 2025 and l.fund = 'general' and l.direction = 'spending'
      group by r.stage`.execute(p.ctx.db);
    const fmt = (v: string | undefined) =>
      new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(
        Number(v),
      );
    const budget = sums.rows.find((r) => r.stage === "budget")?.total;
    const final = sums.rows.find((r) => r.stage === "final")?.total;
    const total = rowNamed(execution, "合计");
    assert.equal(total[1], fmt(budget));
    assert.equal(total[2], fmt(final));
    assert.equal(total[3], `${((Number(final) / Number(budget)) * 100).toFixed(1)}%`);
  });

  it("offers every year as CSV (UTF-8 with BOM) and JSON with the same numbers", async () => {
    const response = await visitor().request("/sites/jtj/czyjs/2026.csv");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/csv; charset=utf-8/);
    assert.match(
      response.headers.get("content-disposition") ?? "",
      /attachment; filename="jtj-czyjs-2026\.csv"/,
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "byte-order mark");
    const lines = bytes.subarray(3).toString("utf8").trimEnd().split("\r\n");
    assert.equal(lines[0], BUDGET_CSV_HEADER.join(","));
    assert.ok(lines.includes("2026,预算,部门收支,支出,214,交通运输支出,1000,800,200,25"), lines.join("\n"));
    assert.ok(
      lines.includes("2026,预算,部门收支,支出,221,住房保障支出,50,,50,"),
      "no last-year amount, no rate",
    );
    assert.ok(lines.includes("2026,预算,部门收支,收入,,财政拨款收入,1080.5,900,180.5,20.1"));
    assert.ok(lines.includes("2026,预算,“三公”经费,支出,,公务接待费,8,10,-2,-20"));
    assert.equal(lines.length, 1 + 2 + 3 + 1);

    const json = (await (await visitor().request("/sites/jtj/czyjs/2026.json")).json()) as {
      year: number;
      unit: string;
      reports: {
        stage: string;
        totals: Record<string, number>;
        lines: {
          name: string;
          amount: number;
          previousAmount: number | null;
          change: number;
          changeRate: number;
        }[];
      }[];
    };
    assert.equal(json.year, 2026);
    assert.equal(json.unit, "万元");
    const report = json.reports[0];
    assert.equal(report?.stage, "budget");
    assert.equal(report?.totals["general.spending"], 1200);
    assert.equal(report?.totals["general.income"], 1200);
    assert.deepEqual(
      report?.lines.find((l) => l.name === "交通运输支出"),
      {
        fund: "general",
        fundName: "部门收支",
        direction: "spending",
        directionName: "支出",
        code: "214",
        name: "交通运输支出",
        amount: 1000,
        previousAmount: 800,
        change: 200,
        changeRate: 25,
      },
    );

    // the portal's demo year: CSV lines add up to the JSON totals and to what is stored
    const portalCsv = (await visitor().get("/czyjs/2026.csv")).text.replace(/^\uFEFF/, "");
    const portalJson = (await (await visitor().request("/czyjs/2026.json")).json()) as {
      reports: { totals: Record<string, number> }[];
    };
    const csvSum = portalCsv
      .trimEnd()
      .split("\r\n")
      .slice(1)
      .map((l) => l.split(","))
      .filter((c) => c[2] === "一般公共预算" && c[3] === "支出")
      .reduce((s, c) => s + Math.round(Number(c[6]) * 100), 0);
    const stored = await sql<{ total: string }>`
      select sum(l.amount)::text as total from budget_lines l join budget_reports r on r.id = l.report_id
      where r.site_id = ${portal} and r.year = 2026 and r.stage = 'budget'
        and l.fund = 'general' and l.direction = 'spending'`.execute(p.ctx.db);
    assert.equal(csvSum, Math.round(Number(stored.rows[0]?.total) * 100));
    assert.equal(Math.round((portalJson.reports[0]?.totals["general.spending"] ?? 0) * 100), csvSum);

    // projects
    const projects = await visitor().request("/zdxm.csv");
    const projectBytes = Buffer.from(await projects.arrayBuffer());
    assert.deepEqual([...projectBytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const projectLines = projectBytes.subarray(3).toString("utf8").trimEnd().split("\r\n");
    assert.equal(projectLines[0], PROJECT_CSV_HEADER.join(","));
    const published = await p.ctx.db
      .selectFrom("projects")
      .select(["name", "total_investment"])
      .where("site_id", "=", portal)
      .where("published", "=", true)
      .execute();
    assert.equal(projectLines.length - 1, published.length);
    for (const row of published)
      assert.ok(
        projectLines.some(
          (l) => l.includes(`,${row.name},`) && l.includes(`,${Number(row.total_investment)},`),
        ),
        row.name,
      );
    const projectsJson = (await (await visitor().request("/zdxm.json")).json()) as {
      projects: { name: string; totalInvestment: number; milestones: { date: string }[] }[];
    };
    assert.equal(projectsJson.projects.length, published.length);
    for (const item of projectsJson.projects) {
      const dates = item.milestones.map((m) => m.date);
      assert.deepEqual(dates, [...dates].sort(), `${item.name} 的建设节点按日期排列`);
    }
  });

  it("refuses bad budget input with Chinese messages and writes nothing", async () => {
    const refuse = async (fields: Record<string, string | string[]>, messages: string[]) => {
      const before = await snapshot();
      const r = await saveBudget(jtjAdmin, jtj, 2026, fields);
      assert.equal(r.status, 400, r.text.slice(0, 500));
      assert.match(r.text, /class="error-summary"/);
      assert.ok(r.text.includes(SUMMARY));
      for (const m of messages) assert.ok(r.text.includes(m), `message “${m}”`);
      assert.match(r.text, /name="_csrf" value="[^"]+"/, "the form is shown again");
      assert.deepEqual(await snapshot(), before, "nothing written");
      return r;
    };
    // income and spending do not balance
    await refuse(
      {
        ...section("gi", [["", "财政拨款收入", "900"]]),
        ...section("gs", [["214", "交通运输支出", "1000"]]),
        note: "",
        published: "1",
      },
      ["部门收支收入合计 900.00 万元与支出合计 1,000.00 万元不相等"],
    );
    // malformed lines, each named by its row; what was typed comes back
    const r = await refuse(
      {
        ...section("gi", [["", "财政拨款收入", "12.345"]]),
        ...section("gs", [
          ["21", "交通运输支出", "abc"],
          ["", "", "30"],
          ["", "交通运输支出", "5"],
        ]),
        ...section("sg", [["", "公务接待费", "-3"]]),
        note: "",
        published: "1",
      },
      [
        "部门收支收入第 1 行：金额应为不小于零的数字，单位万元，最多两位小数",
        "部门收支支出第 1 行：科目编码应为 3—9 位数字",
        "部门收支支出第 2 行：请填写科目名称",
        "部门收支支出第 3 行：科目“交通运输支出”重复，每个科目只填一行",
        "“三公”经费支出第 1 行：金额应为不小于零的数字",
      ],
    );
    assert.match(r.text, /value="12\.345"/, "typed values shown again");
    assert.match(r.text, /id="f-gs-1-name"[^>]*aria-invalid="true"/, "the field is marked");
    assert.match(r.text, /href="#f-gs-1-name"/, "the summary links to the field");
    // without a CSRF token nothing is even read
    const before = await snapshot();
    const forged = await jtjAdmin.post(editPath(jtj, 2026), { ...section("gs", [["", "x", "1"]]), note: "" });
    assert.equal(forged.status, 403);
    assert.deepEqual(await snapshot(), before);
  });

  it("refuses bad project input with Chinese messages and writes nothing", async () => {
    const before = await snapshot();
    const r = await sysadmin.submit("/admin/disclosure/projects/new", "/admin/disclosure/projects/new", {
      siteId: String(portal),
      name: "测试项目",
      unit: "",
      location: "",
      status: "building",
      total: "100",
      planYear: "26",
      annual: "",
      completed: "120",
      startDate: "2026-02-30",
      endDate: "",
      description: "",
      "ms.date": ["2026-01-01", ""],
      "ms.text": ["", "没有日期"],
      published: "1",
    });
    assert.equal(r.status, 400, r.text.slice(0, 500));
    for (const m of [
      SUMMARY,
      "请填写项目单位",
      "已完成投资不能超过总投资",
      "计划年度应为 2000—2100 之间的四位年份",
      "开工日期应为真实的日期",
      "建设节点第 1 行：请填写节点内容",
      "建设节点第 2 行：请填写日期",
    ])
      assert.ok(r.text.includes(m), m);
    assert.match(r.text, /value="测试项目"/);
    assert.deepEqual(await snapshot(), before, "nothing written");
  });

  it("lets only the site's own staff edit: an editor of another site gets 403 and writes nothing", async () => {
    const before = await snapshot();
    assert.equal((await otherEditor.get(editPath(jtj, 2026))).status, 403);
    const page = await otherEditor.get("/admin/disclosure/budget");
    assert.equal(page.status, 200, "their own site's budget list");
    assert.ok(!page.text.includes(editPath(jtj, 2026)), "another site's reports are not listed");
    // posting with a token taken from a page they may see
    const token = /name="_csrf" value="([^"]+)"/.exec(
      (await otherEditor.get("/admin/disclosure/projects")).text,
    )?.[1];
    assert.ok(token);
    const post = await otherEditor.post(editPath(jtj, 2026), {
      _csrf: token,
      ...section("gs", [["", "交通运输支出", "1"]]),
      ...section("gi", [["", "财政拨款收入", "1"]]),
      note: "",
      published: "1",
    });
    assert.equal(post.status, 403);
    assert.equal(
      (await otherEditor.get(`/admin/disclosure/budget/open?site=${jtj}&year=2026&stage=budget`)).status,
      403,
    );
    const project = await p.ctx.db
      .selectFrom("projects")
      .select("id")
      .where("ref", "=", "prj-001")
      .executeTakeFirstOrThrow();
    assert.equal((await otherEditor.get(`/admin/disclosure/projects/${project.id}`)).status, 403);
    const projectPost = await otherEditor.post(`/admin/disclosure/projects/${project.id}`, {
      _csrf: token,
      name: "改名",
      unit: "x",
      status: "building",
      total: "1",
      planYear: "2026",
    });
    assert.equal(projectPost.status, 403);
    const create = await otherEditor.post("/admin/disclosure/projects/new", {
      _csrf: token,
      siteId: String(portal),
      name: "越权项目",
      unit: "x",
      status: "building",
      total: "1",
      planYear: "2026",
    });
    assert.equal(create.status, 403);
    assert.deepEqual(await snapshot(), before, "nothing written");
    // a visitor is sent to the sign-in page
    const anonymous = await visitor().get(editPath(jtj, 2026));
    assert.equal(anonymous.status, 303);
  });

  it("shows a project's milestones in date order as an ordered list; drafts stay private", async () => {
    const created = await jtjAdmin.submit(
      "/admin/disclosure/projects/new",
      "/admin/disclosure/projects/new",
      {
        siteId: String(jtj),
        name: "青禾港疏港公路改建工程",
        unit: "青禾市交通运输局",
        location: "山南县",
        status: "building",
        total: "52,000",
        planYear: "2026",
        annual: "18000",
        completed: "21000.5",
        startDate: "2025-03-01",
        endDate: "2027-06-30",
        description: "全长18公里。\n按一级公路标准改建。",
        "ms.date": ["2026-05-01", "2025-03-01", "2025-09-15", ""],
        "ms.text": ["路基工程完成", "开工建设", "完成征地拆迁", ""],
        published: "",
      },
    );
    assert.equal(created.status, 303, created.text.slice(0, 500));
    const id = Number(/\/admin\/disclosure\/projects\/(\d+)/.exec(created.location)?.[1]);
    assert.ok(id > 0);
    // not yet public
    assert.equal((await visitor().get(`/sites/jtj/zdxm/${id}/`)).status, 404);
    assert.ok(!(await visitor().get("/sites/jtj/zdxm/")).text.includes("青禾港疏港公路改建工程"));
    assert.ok(!(await visitor().get("/sites/jtj/zdxm.csv")).text.includes("青禾港疏港公路改建工程"));
    // publish
    const edit = await jtjAdmin.get(`/admin/disclosure/projects/${id}`);
    assert.equal(edit.status, 200);
    const published = await jtjAdmin.submit(
      `/admin/disclosure/projects/${id}`,
      `/admin/disclosure/projects/${id}`,
      {
        name: "青禾港疏港公路改建工程",
        unit: "青禾市交通运输局",
        location: "山南县",
        status: "building",
        total: "52000",
        planYear: "2026",
        annual: "18000",
        completed: "21000.50",
        startDate: "2025-03-01",
        endDate: "2027-06-30",
        description: "全长18公里。\n按一级公路标准改建。",
        "ms.date": ["2026-05-01", "2025-03-01", "2025-09-15"],
        "ms.text": ["路基工程完成", "开工建设", "完成征地拆迁"],
        published: "1",
      },
    );
    assert.equal(published.status, 303, published.text.slice(0, 500));
    const page = await visitor().get(`/sites/jtj/zdxm/${id}/`);
    assert.equal(page.status, 200);
    const list = /<ol class="timeline">([\s\S]*?)<\/ol>/.exec(page.text)?.[1] ?? "";
    const items = [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => text(m[1] ?? ""));
    assert.deepEqual(items, ["2025-03-01 开工建设", "2025-09-15 完成征地拆迁", "2026-05-01 路基工程完成"]);
    assert.match(list, /<time dateTime="2025-03-01">|<time datetime="2025-03-01">/);
    assert.match(page.text, /40\.4%/, "投资完成率 21000.50 / 52000");
    assert.match(page.text, /<meta name="ArticleTitle" content="青禾港疏港公路改建工程"/);
    // another site's address does not show it
    assert.equal((await visitor().get(`/zdxm/${id}/`)).status, 404);
  });

  it("filters projects by status", async () => {
    const all = await visitor().get("/zdxm/");
    assert.equal(all.status, 200);
    const completed = await visitor().get("/zdxm/?status=completed");
    const names = (html: string) =>
      tableRows(html, "t-projects")
        .slice(1, -1)
        .map((r) => r[0]);
    const statuses = (html: string) =>
      tableRows(html, "t-projects")
        .slice(1, -1)
        .map((r) => r[2]);
    assert.ok(names(all.text).length >= 4 && names(all.text).length <= 6, "4—6 demo projects");
    assert.ok(names(completed.text).length > 0);
    assert.ok(names(completed.text).length < names(all.text).length);
    assert.deepEqual([...new Set(statuses(completed.text))], ["竣工"]);
    assert.match(completed.text, /<option value="completed" selected/);
    assert.match(completed.text, /href="\/zdxm\.csv\?status=completed"/);
    const csv = (await visitor().get("/zdxm.csv?status=preparing")).text.trimEnd().split("\r\n");
    assert.ok(csv.slice(1).every((l) => l.includes(",前期,")));
  });

  it("escapes what staff type, in the tables and inside the SVG", async () => {
    const evil = `<img src=x onerror=alert(1)>"`;
    const r = await saveBudget(jtjAdmin, jtj, 2024, {
      ...section("gi", [["", evil, "10"]]),
      ...section("gs", [["", evil, "10"]]),
      note: "<script>alert(2)</script>",
      published: "1",
    });
    assert.equal(r.status, 303, r.text.slice(0, 500));
    const page = await visitor().get("/sites/jtj/czyjs/2024/");
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes("<img src=x"), "no raw markup");
    assert.ok(!page.text.includes("<script>alert(2)"));
    assert.match(page.text, /&lt;img src=x onerror=alert\(1\)&gt;/);
    const csv = (await visitor().get("/sites/jtj/czyjs/2024.csv")).text;
    assert.ok(csv.includes(`"<img src=x onerror=alert(1)>"""`), "CSV quoting");
  });

  it("imports a balanced fictional dataset: 市本级 2024—2026, departments, projects", async () => {
    const reports = await sql<{
      code: string;
      year: number;
      stage: string;
      fund: string;
      income: string;
      spending: string;
    }>`
      select s.code, r.year, r.stage, l.fund,
        coalesce(sum(l.amount) filter (where l.direction = 'income'), 0)::text as income,
        coalesce(sum(l.amount) filter (where l.direction = 'spending'), 0)::text as spending
      from budget_reports r join sites s on s.id = r.site_id join budget_lines l on l.report_id = r.id
      where r.note like '演示数据%'
      group by s.code, r.year, r.stage, l.fund`.execute(p.ctx.db);
    for (const r of reports.rows.filter((x) => x.fund !== "sangong"))
      assert.equal(r.income, r.spending, `${r.code} ${r.year} ${r.stage} ${r.fund} 收支平衡`);
    const portalYears = new Set(
      reports.rows.filter((r) => r.code === "www").map((r) => `${r.year}${r.stage}`),
    );
    for (const key of ["2024budget", "2024final", "2025budget", "2025final", "2026budget"])
      assert.ok(portalYears.has(key), key);
    assert.ok(new Set(reports.rows.filter((r) => r.code !== "www").map((r) => r.code)).size >= 2);
    const projects = await p.ctx.db
      .selectFrom("projects")
      .select("ref")
      .where("ref", "like", "prj-%")
      .execute();
    assert.ok(projects.length >= 4 && projects.length <= 6);
  });
});

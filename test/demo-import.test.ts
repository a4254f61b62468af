import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { DEMO_DIR } from "../src/demo/import.ts";
import { startTestPlatform, type TestPlatform } from "./support/platform.ts";

const corpus = async <T>(file: string) => JSON.parse(await readFile(path.join(DEMO_DIR, file), "utf8")) as T;

describe("demo city import", () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform("demo");
  });
  after(() => p.close());

  it("imports every department, a site per department, the portal columns, policies and interpretations", async () => {
    const site = await corpus<{ departments: unknown[]; columns: unknown[] }>("site.json");
    const policies = await corpus<{ policies: unknown[]; interpretations: unknown[] }>("policies.json");
    const count = async (table: "departments" | "sites", where?: [string, string]) => {
      let q = p.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n"));
      if (where) q = q.where(where[0] as never, "=", where[1] as never);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };
    assert.equal(await count("departments"), site.departments.length);
    assert.equal(await count("sites", ["kind", "department"]), site.departments.length);
    assert.equal(await count("sites", ["kind", "portal"]), 1);
    const portalColumns = await p.ctx.db
      .selectFrom("columns")
      .innerJoin("sites", "sites.id", "columns.site_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("sites.kind", "=", "portal")
      .executeTakeFirstOrThrow();
    assert.equal(Number(portalColumns.n), site.columns.length);
    const byType = await p.ctx.db
      .selectFrom("documents")
      .select(["type", (eb) => eb.fn.countAll<number>().as("n")])
      .where("ref", "is not", null)
      .groupBy("type")
      .execute();
    const n = (t: string) => Number(byType.find((r) => r.type === t)?.n ?? 0);
    assert.equal(n("policy"), policies.policies.length);
    assert.equal(n("interpretation"), policies.interpretations.length);
  });

  it("keeps corpus ids as refs, and /ref/{ref} leads to the public page", async () => {
    const client = p.client();
    const redirect = await client.get("/ref/pol-001");
    assert.equal(redirect.status, 302);
    const location = redirect.headers.get("location") ?? "";
    assert.match(location, /^\/sites\/rsj\/art\/\d+\.html$/);
    const page = await client.get(location);
    assert.equal(page.status, 200);
    assert.match(page.text, /关于公布2024年度社会保险缴费基数上下限的通知/);
    assert.match(page.text, /青人社发〔2024〕21号/);
    assert.match(page.text, /本文件已失效/);
    for (const ref of ["jd-001", "dept-rsj", "col-zwgk-zcwj"]) {
      const r = await client.get(`/ref/${ref}`);
      assert.equal(r.status, 302, ref);
      assert.equal((await client.get(r.headers.get("location") ?? "")).status, 200, ref);
    }
    assert.equal((await client.get("/ref/pol-999")).status, 404);
  });

  it("shows department policies in the portal's 政策文件 column by reference", async () => {
    const list = await p.client().get("/col/zcwj/");
    assert.equal(list.status, 200);
    assert.match(list.text, /共 60 条/);
    const stored = await p.ctx.db
      .selectFrom("documents")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("ref", "=", "pol-001")
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), 1, "stored once");
  });

  it("gives every department site the national 政府信息公开 column with its guide, rules, catalogue and 2025 report", async () => {
    const client = p.client();
    const catalogue = await client.get("/sites/rsj/col/zfxxgk/");
    assert.equal(catalogue.status, 200);
    for (const name of [
      "政府信息公开指南",
      "政府信息公开制度",
      "法定主动公开内容",
      "政府信息公开年报",
      "依申请公开",
    ])
      assert.match(catalogue.text, new RegExp(name), name);
    const guide = await client.get("/sites/rsj/col/xxgkzn/");
    assert.match(guide.text, /工作机构/);
    assert.match(guide.text, /href="\/sites\/rsj\/ysqgk\/"/);
    const statutory = await client.get("/sites/rsj/col/fdzdgknr/");
    for (const name of ["机构职能", "政策文件", "政策解读", "财政预决算"])
      assert.match(statutory.text, new RegExp(name), name);
    const reports = await client.get("/sites/rsj/col/xxgknb/");
    const link = reports.text.match(
      /href="(\/sites\/rsj\/art\/\d+\.html)"[^>]*>[^<]*2025年政府信息公开工作年度报告/,
    );
    assert.ok(link, "the 2025 report is listed");
    const report = await client.get(link[1] as string);
    assert.match(report.text, /收到和处理政府信息公开申请情况/);
    assert.equal((await client.get("/sites/rsj/ysqgk/")).status, 200);
    const sites = await p.ctx.db.selectFrom("sites").select("id").execute();
    const published = await p.ctx.db
      .selectFrom("annual_reports")
      .innerJoin("documents", "documents.id", "annual_reports.document_id")
      .select("annual_reports.site_id")
      .where("annual_reports.year", "=", 2025)
      .where("documents.live_version_id", "is not", null)
      .execute();
    assert.equal(published.length, sites.length);
  });
});

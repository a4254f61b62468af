import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import type { Browser } from "playwright-core";
import { audit, verifyAuditChain } from "../src/core/audit.ts";
import { recordEvent } from "../src/core/workflow.ts";
import { requestMachine, submitRequest } from "../src/modules/disclosure/requests.ts";
import { assertAccessible, launchBrowser } from "./support/browser.ts";
import type { HttpClient } from "./support/http.ts";
import {
  siteId,
  staffClient,
  staffWith,
  startTestPlatform,
  TEST_PASSWORD,
  type TestPlatform,
} from "./support/platform.ts";

/**
 * 安全审计 over real HTTP and PostgreSQL: sign-ins, failures and grants are recorded with actor,
 * object, result and source IP; only the 安全审计员 reads and exports them; nobody can change a
 * record, and the SM3 chain exposes any record altered or deleted behind the database's back.
 */
describe("audit log", () => {
  let p: TestPlatform;
  let auditor: HttpClient;
  let auditorName: string;
  let security: HttpClient;
  let sysadmin: HttpClient;
  let rsj: number;
  let browser: Browser | undefined;

  const records = (action: string) =>
    p.ctx.db.selectFrom("audit_log").selectAll().where("action", "=", action).orderBy("seq").execute();

  before(async () => {
    p = await startTestPlatform("demo");
    rsj = await siteId(p.ctx, "rsj");
    const a = await staffWith(p.ctx, [{ role: "auditor" }], "auditor");
    auditorName = a.username;
    auditor = await staffClient(p, a.username);
    security = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "security_admin" }], "secadmin")).username,
    );
    sysadmin = await staffClient(p, (await staffWith(p.ctx, [{ role: "sysadmin" }], "root")).username);
  });
  after(async () => {
    await browser?.close();
    await p.close();
  });

  it("records successful and failed sign-ins with the source IP", async () => {
    const { username } = await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "signin");
    const client = p.client();
    const bad = await client.submit("/admin/login", "/admin/login", { username, password: "wrong-Passw0rd" });
    assert.equal(bad.status, 401);
    const nobody = await client.submit("/admin/login", "/admin/login", {
      username: "nobody-here",
      password: "x",
    });
    assert.equal(nobody.status, 401);
    await staffClient(p, username);
    const failures = (await records("auth.login_failed")).filter((r) =>
      [username, "nobody-here"].includes(r.target),
    );
    assert.equal(failures.length, 2);
    assert.deepEqual(
      failures.map((r) => [r.result, r.detail.reason, r.ip]),
      [
        ["failure", "wrong_password", "127.0.0.1"],
        ["failure", "unknown_account", "127.0.0.1"],
      ],
    );
    assert.equal(failures[1]?.actor_id, null);
    const logins = (await records("auth.login")).filter((r) => r.target === username);
    assert.equal(logins.length, 1);
    assert.equal(logins[0]?.result, "success");
    // the password typed is never recorded
    const all = await p.ctx.db.selectFrom("audit_log").select("detail").execute();
    assert.ok(!JSON.stringify(all).includes("wrong-Passw0rd"));
    assert.ok(!JSON.stringify(all).includes(TEST_PASSWORD));
  });

  it("records grants, revocations and refused grants", async () => {
    const target = await staffWith(p.ctx, [], "grantee");
    const page = `/admin/users/${target.id}`;
    const ok = await security.submit(page, `${page}/grants`, { role: "editor", scope: `site:${rsj}` });
    assert.equal(ok.status, 303, ok.text.slice(0, 400));
    const [added] = (await records("grant.added")).filter((r) => r.target.startsWith(`user:${target.id} `));
    assert.equal(added?.target, `user:${target.id} editor@site:${rsj}`);
    assert.equal(added?.ip, "127.0.0.1");
    // the system administrator creates accounts but grants nothing (三员分立)
    const refused = await sysadmin.submit(page, `${page}/grants`, { role: "editor", scope: `site:${rsj}` });
    assert.equal(refused.status, 403);
    const denied = (await records("grant.refused")).filter((r) => r.target.startsWith(`user:${target.id} `));
    assert.equal(denied.length, 1);
    assert.equal(denied[0]?.result, "denied");
    const grant = await p.ctx.db
      .selectFrom("grants")
      .select("id")
      .where("user_id", "=", target.id)
      .executeTakeFirstOrThrow();
    const revoked = await security.submit(page, `${page}/grants/${grant.id}/delete`, {});
    assert.equal(revoked.status, 303);
    assert.equal((await records("grant.revoked")).length, 1);
  });

  it("records every workflow transition, committed or rolled back with it", async () => {
    const { id } = await submitRequest(p.ctx, {
      siteId: rsj,
      citizenId: null,
      applicantType: "person",
      orgCategory: "",
      applicantName: "赵六",
      contactPerson: "",
      idType: "居民身份证",
      idNumber: "11010519491231002X",
      phone: "13812345678",
      email: "",
      address: "",
      description: "请提供本局办公用房面积的统计资料",
      documentHint: "",
      carrier: "电子文档",
      delivery: "网上查阅下载",
    });
    const [submitted] = (await records("info_request.submit")).filter(
      (r) => r.target === `info_request:${id}`,
    );
    assert.deepEqual(submitted?.detail, { from: null, label: null, to: "submitted" });
    // a transition whose transaction fails leaves no audit record either
    const before = (await records("info_request.register")).length;
    await assert.rejects(
      p.ctx.db.transaction().execute(async (trx) => {
        await recordEvent(trx, requestMachine, {
          subjectId: id,
          action: "register",
          from: "submitted",
          to: "registered",
          actorId: null,
        });
        throw new Error("rolled back");
      }),
      /rolled back/,
    );
    assert.equal((await records("info_request.register")).length, before);
    assert.equal((await verifyAuditChain(p.ctx)).ok, true);
  });

  it("records configuration changes by the system administrator", async () => {
    const ok = await sysadmin.submit("/admin/calendar", "/admin/calendar", {
      day: "2027-10-08",
      kind: "holiday",
      name: "国庆节",
      source: "",
    });
    assert.equal(ok.status, 303);
    const site = await sysadmin.get(`/admin/sites/${rsj}`);
    assert.equal(site.status, 200);
    const [set] = await records("config.calendar_set");
    assert.equal(set?.target, "2027-10-08");
    assert.equal(set?.actor_name, "root");
    assert.equal(set?.ip, "127.0.0.1");
  });

  it("shows the log only to the audit administrator", async () => {
    for (const [who, client] of [
      ["sysadmin", sysadmin],
      ["security", security],
    ] as const) {
      for (const path of ["/admin/audit", "/admin/audit.csv", "/admin/audit/verify"]) {
        assert.equal((await client.get(path)).status, 403, `${who} ${path}`);
      }
    }
    assert.equal((await p.client().get("/admin/audit")).status, 303);
    const page = await auditor.get("/admin/audit");
    assert.equal(page.status, 200);
    assert.match(page.text, /登录失败/);
    assert.match(page.text, /授权/);
    // the auditor has nothing else: no user administration
    assert.equal((await auditor.get("/admin/users")).status, 403);
  });

  it("filters by action, result, actor and date", async () => {
    const failed = await auditor.get("/admin/audit?action=auth.login_failed");
    assert.match(failed.text, /nobody-here/);
    assert.doesNotMatch(failed.text, /editor@site/);
    const denied = await auditor.get("/admin/audit?result=denied");
    assert.match(denied.text, /越权授权被拒绝/);
    assert.doesNotMatch(denied.text, /nobody-here/);
    // the auditor's own sign-in is the only record under that name so far
    const byActor = await auditor.get("/admin/audit?actor=auditor");
    assert.match(byActor.text, /共 1 条记录/);
    const future = await auditor.get("/admin/audit?from=2999-01-01");
    assert.match(future.text, /没有符合条件的审计记录/);
    const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
    const todays = await auditor.get(`/admin/audit?from=${today}&to=${today}&action=auth.login_failed`);
    assert.match(todays.text, /nobody-here/);
  });

  it("exports CSV and records the export", async () => {
    const response = await auditor.request("/admin/audit.csv?action=auth.login_failed");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/csv/);
    assert.match(response.headers.get("content-disposition") ?? "", /attachment/);
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await response.arrayBuffer());
    assert.match(text, /^\uFEFF序号,时间,操作人/);
    assert.match(text, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    assert.match(text, /nobody-here/);
    assert.doesNotMatch(text, /grant\.added/);
    const [exported] = await records("audit.exported");
    assert.equal(exported?.actor_name, "auditor");
    assert.equal(exported?.detail.records, 2);
  });

  it("the audit pages pass axe in Chromium", async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ baseURL: p.baseUrl, locale: "zh-CN", bypassCSP: true });
    const page = await context.newPage();
    await page.goto("/admin/login");
    await page.getByLabel("用户名").fill(auditorName);
    await page.getByLabel("密码").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL(/\/admin/);
    for (const path of [
      "/admin/audit",
      "/admin/audit?action=auth.login_failed&page=1",
      "/admin/audit/verify",
    ]) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 200, path);
      await assertAccessible(page, path);
    }
    await context.close();
  });

  it("refuses to alter or delete records, for every database account", async () => {
    await assert.rejects(
      sql`update audit_log set actor_name = 'x' where seq = 1`.execute(p.ctx.db),
      /只能追加/,
    );
    await assert.rejects(sql`delete from audit_log where seq = 1`.execute(p.ctx.db), /只能追加/);
    await assert.rejects(sql`truncate audit_log`.execute(p.ctx.db), /只能追加/);
    assert.equal((await verifyAuditChain(p.ctx)).ok, true);
  });

  it("keeps one unbroken chain under concurrent appends", async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => audit(p.ctx, null, "test.concurrent", `n${i}`, { i })),
    );
    const report = await verifyAuditChain(p.ctx);
    assert.equal(report.ok, true);
    const total = await p.ctx.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(report.checked, Number(total.n));
    const page = await auditor.get("/admin/audit/verify");
    assert.match(page.text, /审计链完整/);
  });

  it("detects a record altered or deleted behind the database's back", async () => {
    // an attacker with the database owner's rights switches the guard off
    const tamper = async (statement: ReturnType<typeof sql>) => {
      await sql`alter table audit_log disable trigger user`.execute(p.ctx.db);
      await statement.execute(p.ctx.db);
      await sql`alter table audit_log enable trigger user`.execute(p.ctx.db);
    };
    const [victim] = await records("grant.added");
    assert.ok(victim);
    await tamper(sql`update audit_log set target = 'user:0 nothing' where seq = ${victim.seq}`);
    let report = await verifyAuditChain(p.ctx);
    assert.equal(report.ok, false);
    assert.equal(report.broken?.seq, Number(victim.seq));
    assert.match(report.broken?.reason ?? "", /篡改/);
    const page = await auditor.get("/admin/audit/verify");
    assert.match(page.text, /审计链已被破坏/);

    // restoring the text but deleting an earlier record is found too
    await tamper(sql`update audit_log set target = ${victim.target} where seq = ${victim.seq}`);
    assert.equal((await verifyAuditChain(p.ctx)).ok, true);
    await tamper(sql`delete from audit_log where seq = 2`);
    report = await verifyAuditChain(p.ctx);
    assert.equal(report.ok, false);
    assert.equal(report.broken?.seq, 3);
    assert.match(report.broken?.reason ?? "", /缺少第 2 条/);

    // renumbering after a deletion breaks the hash links instead
    await tamper(sql`update audit_log set seq = seq + 1000000 where seq > 2`);
    await tamper(sql`update audit_log set seq = seq - 1000001 where seq > 1000000`);
    report = await verifyAuditChain(p.ctx);
    assert.equal(report.ok, false);
    assert.equal(report.broken?.seq, 2);
  });
});

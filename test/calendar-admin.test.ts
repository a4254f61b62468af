import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadCalendar } from "../src/core/calendar.ts";
import { staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";

describe("the working-day calendar, edited by administrators", () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform("empty");
  });
  after(() => p.close());

  it("is seeded from the State Council notices", async () => {
    const calendar = await loadCalendar(p.ctx.db);
    assert.equal(calendar.isWorkingDay("2025-01-26"), true, "2025 春节调休上班 Sunday");
    assert.equal(calendar.isWorkingDay("2025-10-08"), false, "2025 国庆中秋 8 days");
    assert.equal(calendar.isWorkingDay("2026-02-28"), true, "2026 春节调休上班 Saturday");
    assert.equal(calendar.isWorkingDay("2027-02-08"), false, "2027 春节 (provisional)");
  });

  it("lets a system administrator add a 调休 day that every deadline then uses", async () => {
    const admin = await staffWith(p.ctx, [{ role: "sysadmin" }], "calendarAdmin");
    const client = await staffClient(p, admin.username);
    const page = await client.get("/admin/calendar?year=2027");
    assert.equal(page.status, 200);
    assert.match(page.text, /暂定/);
    const bad = await client.submit("/admin/calendar", "/admin/calendar", {
      day: "2027-02-30",
      kind: "holiday",
      name: "",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /请选择日期/);
    const ok = await client.submit("/admin/calendar", "/admin/calendar", {
      day: "2027-02-09",
      kind: "holiday",
      name: "春节",
      source: "国务院办公厅关于2027年部分节假日安排的通知",
    });
    assert.equal(ok.status, 303);
    assert.equal((await loadCalendar(p.ctx.db)).isWorkingDay("2027-02-09"), false);
    const removed = await client.submit("/admin/calendar?year=2027", "/admin/calendar/remove", {
      day: "2027-02-09",
    });
    assert.equal(removed.status, 303);
    assert.equal((await loadCalendar(p.ctx.db)).isWorkingDay("2027-02-09"), true);
  });

  it("is refused to everyone else", async () => {
    const www = await p.ctx.db
      .insertInto("sites")
      .values({ code: "www", name: "门户", kind: "portal", settings: JSON.stringify({}) as never })
      .returning("id")
      .executeTakeFirstOrThrow();
    const siteAdmin = await staffWith(p.ctx, [{ role: "site_admin", siteId: www.id }], "notCalendar");
    const client = await staffClient(p, siteAdmin.username);
    assert.equal((await client.get("/admin/calendar")).status, 403);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WorkingCalendar } from "./calendar.ts";
import { addWorkingHours } from "./working-hours.ts";

const calendar = new WorkingCalendar([
  ["2026-10-01", "holiday"],
  ["2026-10-02", "holiday"],
  ["2026-10-05", "holiday"],
  ["2026-10-06", "holiday"],
  ["2026-10-07", "holiday"],
  ["2026-10-10", "workday"],
]);
const at = (s: string) => new Date(s).toISOString();

describe("working hours", () => {
  it("counts office hours only: 09:00–12:00 and 13:00–17:00 China time on working days", () => {
    assert.equal(
      addWorkingHours(calendar, new Date("2026-11-02T09:00:00+08:00"), 1).toISOString(),
      at("2026-11-02T10:00:00+08:00"),
    );
    assert.equal(
      addWorkingHours(calendar, new Date("2026-11-02T11:30:00+08:00"), 1).toISOString(),
      at("2026-11-02T13:30:00+08:00"),
    );
    assert.equal(
      addWorkingHours(calendar, new Date("2026-11-02T07:00:00+08:00"), 2).toISOString(),
      at("2026-11-02T11:00:00+08:00"),
    );
    assert.equal(
      addWorkingHours(calendar, new Date("2026-11-06T16:30:00+08:00"), 1).toISOString(),
      at("2026-11-09T09:30:00+08:00"),
    );
    assert.equal(
      addWorkingHours(calendar, new Date("2026-11-02T09:00:00+08:00"), 7).toISOString(),
      at("2026-11-02T17:00:00+08:00"),
    );
  });

  it("skips holidays and works on 调休 weekends", () => {
    assert.equal(
      addWorkingHours(calendar, new Date("2026-09-30T16:30:00+08:00"), 1).toISOString(),
      at("2026-10-08T09:30:00+08:00"),
    );
    assert.equal(
      addWorkingHours(calendar, new Date("2026-10-09T17:30:00+08:00"), 1).toISOString(),
      at("2026-10-10T10:00:00+08:00"),
    );
  });
});

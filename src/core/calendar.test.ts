import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chinaDay, WorkingCalendar } from "./calendar.ts";
import { clockState, daysLeft, dueOn, extendClock, pauseClock, resumeClock, startClock } from "./deadline.ts";

// The 2026 arrangement (国务院办公厅, 2025-11-04), as migration 0002 seeds it.
const holidays2026 = [
  "2026-01-01",
  "2026-01-02",
  "2026-01-03",
  ...Array.from({ length: 9 }, (_, i) => `2026-02-${String(15 + i).padStart(2, "0")}`),
  "2026-04-04",
  "2026-04-05",
  "2026-04-06",
  "2026-05-01",
  "2026-05-02",
  "2026-05-03",
  "2026-05-04",
  "2026-05-05",
  "2026-06-19",
  "2026-06-20",
  "2026-06-21",
  "2026-09-25",
  "2026-09-26",
  "2026-09-27",
  ...Array.from({ length: 7 }, (_, i) => `2026-10-0${1 + i}`),
];
const workdays2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"];
const calendar = new WorkingCalendar([
  ...holidays2026.map((d): [string, "holiday"] => [d, "holiday"]),
  ...workdays2026.map((d): [string, "workday"] => [d, "workday"]),
]);

describe("working-day calendar", () => {
  it("knows weekends, 法定节假日 and 调休 workdays", () => {
    assert.equal(calendar.isWorkingDay("2026-11-23"), true, "a Monday");
    assert.equal(calendar.isWorkingDay("2026-11-22"), false, "a Sunday");
    assert.equal(calendar.isWorkingDay("2026-02-16"), false, "春节 Monday");
    assert.equal(calendar.isWorkingDay("2026-02-14"), true, "调休 Saturday");
    assert.equal(calendar.isWorkingDay("2026-10-10"), true, "调休 Saturday after 国庆");
  });

  it("counts 20 working days across the Spring Festival break", () => {
    // received Thursday 12 February: 13th, the 调休 14th, then nothing until the 24th, the 调休 28th …
    assert.equal(calendar.addWorkingDays("2026-02-12", 20), "2026-03-18");
    assert.equal(calendar.workingDaysBetween("2026-02-12", "2026-03-18"), 20);
  });

  it("counts a 调休 Saturday as a working day", () => {
    assert.equal(calendar.addWorkingDays("2026-09-30", 1), "2026-10-08");
    assert.equal(calendar.addWorkingDays("2026-09-30", 3), "2026-10-10");
    assert.equal(calendar.addWorkingDays("2026-11-20", 0), "2026-11-20");
  });

  it("measures backwards as negative and finds the next working day", () => {
    assert.equal(calendar.workingDaysBetween("2026-11-27", "2026-11-23"), -4);
    assert.equal(calendar.nextWorkingDay("2026-10-03"), "2026-10-08");
  });

  it("takes the China date of a moment", () => {
    assert.equal(chinaDay(new Date("2026-11-23T16:30:00Z")), "2026-11-24");
    assert.equal(chinaDay(new Date("2026-11-23T15:59:00Z")), "2026-11-23");
  });
});

describe("statutory clock", () => {
  it("runs 20 working days, extends by 20, and shows its state", () => {
    let clock = startClock("2026-11-02", 20);
    assert.equal(dueOn(clock, calendar), "2026-11-30");
    assert.equal(clockState(clock, calendar, "2026-11-10"), "running");
    assert.equal(clockState(clock, calendar, "2026-11-26"), "due_soon");
    assert.equal(clockState(clock, calendar, "2026-12-01"), "overdue");
    clock = extendClock(clock, 20);
    assert.equal(dueOn(clock, calendar), "2026-12-28");
    assert.equal(daysLeft(clock, calendar, "2026-12-21"), 5);
  });

  it("stops while paused and moves the due day by the paused working days", () => {
    let clock = startClock("2026-11-02", 20);
    clock = pauseClock(clock, "2026-11-09");
    assert.equal(clockState(clock, calendar, "2026-12-20"), "paused");
    clock = resumeClock(clock, "2026-11-16", calendar);
    assert.equal(clock.pausedDays, 5);
    assert.equal(dueOn(clock, calendar), "2026-12-07");
    // pausing twice adds up
    clock = resumeClock(pauseClock(clock, "2026-11-20"), "2026-11-23", calendar);
    assert.equal(clock.pausedDays, 6);
  });
});

import type { WorkingCalendar } from "./calendar.ts";

/**
 * A statutory clock counted in working days: it starts on a day, runs for a limit, can be extended,
 * paused (third-party consultation, 补正 …) and resumed, or restarted. It is a plain value the
 * domain stores in its own row; these functions only compute. Counting follows 期间开始之日不计算在内:
 * the start day itself is not counted.
 */
export interface Clock {
  startedOn: string;
  limitDays: number;
  extensionDays: number;
  /** The day a pause began; null while running. */
  pausedOn: string | null;
  /** Working days spent paused in earlier pauses. */
  pausedDays: number;
}

export type ClockState = "running" | "due_soon" | "overdue" | "paused";

export function startClock(startedOn: string, limitDays: number): Clock {
  return { startedOn, limitDays, extensionDays: 0, pausedOn: null, pausedDays: 0 };
}

/** The last day to act; while paused, the day it would be if the pause ended today. */
export function dueOn(clock: Clock, calendar: WorkingCalendar, today?: string): string {
  const paused =
    clock.pausedOn && today ? Math.max(0, calendar.workingDaysBetween(clock.pausedOn, today)) : 0;
  return calendar.addWorkingDays(
    clock.startedOn,
    clock.limitDays + clock.extensionDays + clock.pausedDays + paused,
  );
}

export function pauseClock(clock: Clock, today: string): Clock {
  if (clock.pausedOn) return clock;
  return { ...clock, pausedOn: today };
}

export function resumeClock(clock: Clock, today: string, calendar: WorkingCalendar): Clock {
  if (!clock.pausedOn) return clock;
  const spent = Math.max(0, calendar.workingDaysBetween(clock.pausedOn, today));
  return { ...clock, pausedOn: null, pausedDays: clock.pausedDays + spent };
}

export function extendClock(clock: Clock, days: number): Clock {
  return { ...clock, extensionDays: clock.extensionDays + days };
}

/** Working days left until the due day (0 on the due day, negative once overdue). */
export function daysLeft(clock: Clock, calendar: WorkingCalendar, today: string): number {
  return calendar.workingDaysBetween(today, dueOn(clock, calendar, today));
}

export function clockState(clock: Clock, calendar: WorkingCalendar, today: string, soonDays = 3): ClockState {
  if (clock.pausedOn) return "paused";
  const left = daysLeft(clock, calendar, today);
  if (left < 0) return "overdue";
  return left <= soonDays ? "due_soon" : "running";
}

export const CLOCK_STATE_LABELS: Record<ClockState, string> = {
  running: "正常",
  due_soon: "即将到期",
  overdue: "已超期",
  paused: "计时暂停",
};

/** How a case row stores its clock (the same columns in every module that runs one). */
export interface ClockColumns {
  clock_started_on: string | null;
  clock_limit_days: number | null;
  clock_extension_days: number;
  clock_paused_on: string | null;
  clock_paused_days: number;
}

export function clockFromColumns(row: ClockColumns): Clock | null {
  if (!row.clock_started_on || row.clock_limit_days === null) return null;
  return {
    startedOn: row.clock_started_on,
    limitDays: row.clock_limit_days,
    extensionDays: row.clock_extension_days,
    pausedOn: row.clock_paused_on,
    pausedDays: row.clock_paused_days,
  };
}

/** The columns to store for a clock, with its due day (none while paused: it is not running). */
export function clockToColumns(
  clock: Clock,
  calendar: WorkingCalendar,
): ClockColumns & { due_on: string | null } {
  return {
    clock_started_on: clock.startedOn,
    clock_limit_days: clock.limitDays,
    clock_extension_days: clock.extensionDays,
    clock_paused_on: clock.pausedOn,
    clock_paused_days: clock.pausedDays,
    due_on: clock.pausedOn ? null : dueOn(clock, calendar),
  };
}

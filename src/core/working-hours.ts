import { addCalendarDays, chinaDay, type WorkingCalendar } from "./calendar.ts";

/**
 * Working hours on top of the working-day calendar, for limits such as 1 个工作小时内受理. Office
 * hours are 09:00–12:00 and 13:00–17:00 China time on working days; time outside them does not
 * count, so a letter written on Friday evening is due at 10:00 on the next working day.
 */
export const OFFICE_HOURS: readonly (readonly [number, number])[] = [
  [9 * 60, 12 * 60],
  [13 * 60, 17 * 60],
];

const CHINA_OFFSET_MS = 8 * 3_600_000;
const MINUTE_MS = 60_000;

function chinaMinuteOfDay(at: Date): number {
  const local = new Date(at.getTime() + CHINA_OFFSET_MS);
  return local.getUTCHours() * 60 + local.getUTCMinutes() + local.getUTCSeconds() / 60;
}

/** The moment `minute` minutes after midnight China time on `day`. */
function atChinaMinute(day: string, minute: number): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - CHINA_OFFSET_MS + minute * MINUTE_MS);
}

/** The moment `hours` working hours after `from`. */
export function addWorkingHours(calendar: WorkingCalendar, from: Date, hours: number): Date {
  if (!(hours > 0)) throw new Error(`working hours must be positive: ${hours}`);
  let left = hours * 60;
  let day = chinaDay(from);
  let minute = chinaMinuteOfDay(from);
  for (let guard = 0; guard < 3660; guard++) {
    if (calendar.isWorkingDay(day)) {
      for (const [start, end] of OFFICE_HOURS) {
        const begin = Math.max(start, minute);
        if (begin >= end) continue;
        if (end - begin >= left) return atChinaMinute(day, begin + left);
        left -= end - begin;
      }
    }
    day = addCalendarDays(day, 1);
    minute = 0;
  }
  throw new Error("working hours beyond ten years");
}

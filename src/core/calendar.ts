import type { Db } from "./db/database.ts";

/**
 * The one working-day calendar. Monday to Friday are working days, except the exceptions an
 * administrator keeps in `calendar_days`: 法定节假日 (and the days joined to them by 调休) are off,
 * and 调休 weekends are worked. Days are "YYYY-MM-DD" strings in China time, so arithmetic never
 * trips over time zones. Every deadline in every module counts with this.
 */
export type DayKind = "holiday" | "workday";

const DAY_MS = 86_400_000;

function toUtc(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
  return Date.parse(`${day}T00:00:00Z`);
}

function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addCalendarDays(day: string, n: number): string {
  return fromUtc(toUtc(day) + n * DAY_MS);
}

/** The calendar day of a moment in China (UTC+8, no daylight saving). */
export function chinaDay(at: Date = new Date()): string {
  return fromUtc(at.getTime() + 8 * 3_600_000);
}

export class WorkingCalendar {
  readonly exceptions: ReadonlyMap<string, DayKind>;

  constructor(exceptions: Iterable<[string, DayKind]>) {
    this.exceptions = new Map(exceptions);
  }

  isWorkingDay(day: string): boolean {
    const exception = this.exceptions.get(day);
    if (exception) return exception === "workday";
    const weekday = new Date(toUtc(day)).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /**
   * The day on which `n` working days have passed after `start` (the start day itself is not
   * counted, as in 自收到申请之日起20个工作日内). n = 0 returns `start`.
   */
  addWorkingDays(start: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new Error(`working days must be a whole number ≥ 0: ${n}`);
    let day = start;
    for (let left = n; left > 0; ) {
      day = addCalendarDays(day, 1);
      if (this.isWorkingDay(day)) left -= 1;
    }
    return day;
  }

  /** Working days after `from` up to and including `to`; negative when `to` is earlier. */
  workingDaysBetween(from: string, to: string): number {
    if (to < from) return -this.workingDaysBetween(to, from);
    let count = 0;
    for (let day = addCalendarDays(from, 1); day <= to; day = addCalendarDays(day, 1)) {
      if (this.isWorkingDay(day)) count += 1;
    }
    return count;
  }

  /** The first working day on or after `day`. */
  nextWorkingDay(day: string): string {
    let d = day;
    while (!this.isWorkingDay(d)) d = addCalendarDays(d, 1);
    return d;
  }
}

let cached: { at: number; calendar: WorkingCalendar } | undefined;
const CACHE_MS = 60_000;

/** The calendar as stored; cached briefly per process and dropped at once when edited here. */
export async function loadCalendar(db: Db): Promise<WorkingCalendar> {
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.calendar;
  const rows = await db.selectFrom("calendar_days").select(["day", "kind"]).execute();
  const calendar = new WorkingCalendar(rows.map((r) => [r.day, r.kind]));
  cached = { at: Date.now(), calendar };
  return calendar;
}

export function forgetCalendar(): void {
  cached = undefined;
}

export interface CalendarEntry {
  day: string;
  kind: DayKind;
  name: string;
  source: string;
  provisional: boolean;
}

export async function calendarYear(db: Db, year: number): Promise<CalendarEntry[]> {
  return db
    .selectFrom("calendar_days")
    .select(["day", "kind", "name", "source", "provisional"])
    .where("day", ">=", `${year}-01-01`)
    .where("day", "<=", `${year}-12-31`)
    .orderBy("day")
    .execute();
}

export async function setCalendarDay(db: Db, entry: Omit<CalendarEntry, "provisional">): Promise<void> {
  await db
    .insertInto("calendar_days")
    .values({ ...entry, provisional: false })
    .onConflict((oc) =>
      oc.column("day").doUpdateSet({
        kind: entry.kind,
        name: entry.name,
        source: entry.source,
        provisional: false,
        updated_at: new Date(),
      }),
    )
    .execute();
  forgetCalendar();
}

export async function removeCalendarDay(db: Db, day: string): Promise<void> {
  await db.deleteFrom("calendar_days").where("day", "=", day).execute();
  forgetCalendar();
}

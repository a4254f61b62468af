import type { Actor } from "./auth/permissions.ts";
import type { AppContext } from "./context.ts";

/** A line on a staff member's 工作台: something of theirs that is due or overdue. */
export interface Reminder {
  level: "notice" | "warning" | "overdue";
  text: string;
  href: string;
}

export type ReminderSource = (ctx: AppContext, actor: Actor, today: string) => Promise<Reminder[]>;

const sources = new Map<string, ReminderSource>();

/** Modules add what they need staff to act on; the dashboard asks every source. Keyed, so re-registering replaces. */
export function addReminderSource(name: string, source: ReminderSource): void {
  sources.set(name, source);
}

export async function remindersFor(ctx: AppContext, actor: Actor, today: string): Promise<Reminder[]> {
  const lists = await Promise.all([...sources.values()].map((source) => source(ctx, actor, today)));
  const order = { overdue: 0, warning: 1, notice: 2 };
  return lists.flat().sort((a, b) => order[a.level] - order[b.level]);
}

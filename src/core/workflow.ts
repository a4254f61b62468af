import type { Kysely, Transaction } from "kysely";
import { appendAudit } from "./audit.ts";
import type { Database } from "./db/tables.ts";
import { UserError } from "./errors.ts";

/**
 * The one workflow core. A machine names its states and, per action, the states it may start from,
 * a guard (who may do it, returning a Chinese refusal or null) and the resulting state. Domains
 * (editorial review now; letters, 依申请公开 and applications later) declare their machine with it
 * and persist the outcome; every transition lands in `workflow_events`.
 */
export interface ActionSpec<State extends string, Ctx> {
  label: string;
  from: readonly State[];
  to: State | ((ctx: Ctx) => State);
  guard?: (ctx: Ctx) => string | null;
}

/** A refused transition: 409 when the state does not allow it, 403 when the person may not. */
export class WorkflowError extends UserError {
  override name = "WorkflowError";
}

export interface Machine<State extends string, Action extends string, Ctx> {
  subject: string;
  states: Record<State, string>;
  actions: Record<Action, ActionSpec<State, Ctx>>;
  /** Checks the action and returns the state it leads to, or throws a WorkflowError. */
  next(action: Action, from: State, ctx: Ctx): State;
  /** The actions this context may take from a state (for showing buttons). */
  available(from: State, ctx: Ctx): Action[];
}

export function defineMachine<State extends string, Action extends string, Ctx>(
  subject: string,
  states: Record<State, string>,
  actions: Record<Action, ActionSpec<State, Ctx>>,
): Machine<State, Action, Ctx> {
  const refusal = (action: Action, from: State, ctx: Ctx): WorkflowError | null => {
    const spec = actions[action];
    if (!spec.from.includes(from))
      return new WorkflowError(`当前状态为“${states[from]}”，不能执行“${spec.label}”`, 409);
    const denied = spec.guard?.(ctx);
    return denied ? new WorkflowError(denied, 403) : null;
  };
  return {
    subject,
    states,
    actions,
    next(action, from, ctx) {
      const problem = refusal(action, from, ctx);
      if (problem) throw problem;
      const to = actions[action].to;
      return typeof to === "function" ? to(ctx) : to;
    },
    available(from, ctx) {
      return (Object.keys(actions) as Action[]).filter((a) => refusal(a, from, ctx) === null);
    },
  };
}

export interface WorkflowEvent {
  subjectId: number;
  action: string;
  from: string | null;
  to: string;
  actorId: number | null;
  comment?: string;
}

export async function recordEvent(
  db: Kysely<Database> | Transaction<Database>,
  machine: { subject: string; actions?: Record<string, { label: string }> },
  event: WorkflowEvent,
): Promise<void> {
  await db
    .insertInto("workflow_events")
    .values({
      subject_type: machine.subject,
      subject_id: event.subjectId,
      action: event.action,
      from_state: event.from,
      to_state: event.to,
      actor_id: event.actorId,
      comment: event.comment ?? "",
    })
    .execute();
  // every content and case transition is also a 安全审计 record, committed with the transition
  const actor = event.actorId
    ? await db
        .selectFrom("users")
        .select(["id", "display_name as name"])
        .where("id", "=", event.actorId)
        .executeTakeFirst()
    : undefined;
  await appendAudit(
    db,
    actor ?? null,
    `${machine.subject}.${event.action}`,
    `${machine.subject}:${event.subjectId}`,
    { label: machine.actions?.[event.action]?.label ?? null, from: event.from, to: event.to },
  );
}

export async function eventHistory(db: Kysely<Database>, subject: string, subjectId: number) {
  return db
    .selectFrom("workflow_events")
    .leftJoin("users", "users.id", "workflow_events.actor_id")
    .select([
      "workflow_events.id",
      "workflow_events.action",
      "workflow_events.from_state",
      "workflow_events.to_state",
      "workflow_events.comment",
      "workflow_events.created_at",
      "users.display_name as actor_name",
    ])
    .where("subject_type", "=", subject)
    .where("subject_id", "=", subjectId)
    .orderBy("workflow_events.id")
    .execute();
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineMachine, WorkflowError } from "./workflow.ts";

type State = "open" | "paused" | "closed";
interface Ctx {
  role: "clerk" | "visitor";
  pending: number;
}

const machine = defineMachine<State, "pause" | "resume" | "close", Ctx>(
  "sample",
  { open: "办理中", paused: "已暂停", closed: "已办结" },
  {
    pause: {
      label: "暂停",
      from: ["open"],
      to: "paused",
      guard: (c) => (c.role === "clerk" ? null : "只有经办人可以暂停"),
    },
    resume: { label: "恢复", from: ["paused"], to: "open" },
    close: { label: "办结", from: ["open"], to: (c) => (c.pending > 0 ? "open" : "closed") },
  },
);

describe("workflow core", () => {
  it("moves between allowed states and computes dynamic targets", () => {
    assert.equal(machine.next("pause", "open", { role: "clerk", pending: 0 }), "paused");
    assert.equal(machine.next("resume", "paused", { role: "visitor", pending: 0 }), "open");
    assert.equal(machine.next("close", "open", { role: "clerk", pending: 2 }), "open");
    assert.equal(machine.next("close", "open", { role: "clerk", pending: 0 }), "closed");
  });

  it("refuses a transition from the wrong state with 409 and a Chinese reason", () => {
    assert.throws(
      () => machine.next("resume", "closed", { role: "clerk", pending: 0 }),
      (e: unknown) => e instanceof WorkflowError && e.statusCode === 409 && /已办结.*恢复/.test(e.message),
    );
  });

  it("refuses a guarded transition with 403 and the guard's message", () => {
    assert.throws(
      () => machine.next("pause", "open", { role: "visitor", pending: 0 }),
      (e: unknown) =>
        e instanceof WorkflowError && e.statusCode === 403 && e.message === "只有经办人可以暂停",
    );
  });

  it("lists the actions available to a context", () => {
    assert.deepEqual(machine.available("open", { role: "clerk", pending: 0 }), ["pause", "close"]);
    assert.deepEqual(machine.available("open", { role: "visitor", pending: 0 }), ["close"]);
    assert.deepEqual(machine.available("closed", { role: "clerk", pending: 0 }), []);
  });
});

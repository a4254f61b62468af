import { type Actor, can } from "../../core/auth/permissions.ts";
import { defineMachine } from "../../core/workflow.ts";
import type { VersionStatus } from "./schema.ts";

/** What the review machine needs to know about one version and the person acting on it. */
export interface ReviewContext {
  actor: Actor;
  siteId: number;
  columnPath: number[];
  steps: string[];
  level: number;
  authorId: number | null;
}

function mayEdit(c: ReviewContext): string | null {
  return can(c.actor, "document.edit", { siteId: c.siteId, columnPath: c.columnPath })
    ? null
    : "您没有编辑该栏目的权限";
}

function mayDecide(c: ReviewContext): string | null {
  if (!can(c.actor, "document.review", { siteId: c.siteId, columnPath: c.columnPath, level: c.level })) {
    return `您没有“${c.steps[c.level - 1] ?? "审核"}”的权限`;
  }
  // four eyes: nobody approves or rejects what they wrote themselves
  if (c.authorId === c.actor.id) return "不能审核自己撰写的稿件";
  return null;
}

/**
 * Editorial review, declared on the workflow core: a version is submitted, passes the column's
 * 0–3 review steps in order, and ends approved (live now or at its scheduled time) or rejected.
 */
export const reviewMachine = defineMachine<VersionStatus, "submit" | "approve" | "reject", ReviewContext>(
  "document_version",
  { draft: "草稿", in_review: "审核中", approved: "已通过", rejected: "已退回", superseded: "已被替代" },
  {
    submit: {
      label: "提交审核",
      from: ["draft"],
      to: (c) => (c.steps.length === 0 ? "approved" : "in_review"),
      guard: mayEdit,
    },
    approve: {
      label: "审核通过",
      from: ["in_review"],
      to: (c) => (c.level < c.steps.length ? "in_review" : "approved"),
      guard: mayDecide,
    },
    reject: { label: "退回修改", from: ["in_review"], to: "rejected", guard: mayDecide },
  },
);

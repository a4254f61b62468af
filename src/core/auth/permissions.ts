import type { Role } from "../../modules/identity/schema.ts";

/**
 * The one permission check. Each grant gives a role over all sites, one site, or one column
 * (and its sub-columns). `can` answers "may this actor do X here"; `scopeFor` answers "where may
 * they do X", which list queries turn into a filter, so routes, lists and the admin agree.
 */
export type Action =
  | "platform.manage" // 系统管理员: create sites and staff accounts, account status, configuration
  | "security.manage" // 安全管理员: grant any role, unlock accounts, reset MFA, security policy
  | "audit.read" // 安全审计员: read and export the audit log, verify its chain
  | "site.grant" // grant editor/reviewer/officer/site_admin within the site (delegated administration)
  | "pii.reveal" // see a citizen's personal identifier in full (each reveal is audited)
  | "site.manage" // site settings, columns, grants within the site
  | "document.edit" // write drafts, submit, attach, place references
  | "document.review" // decide a review step (the level must match for reviewers)
  | "document.publish" // withdraw, restore to published
  | "case.handle" // register and answer citizens' cases (依申请公开 …)
  | "case.approve" // approve what the law reserves for the head of the office (延期答复 …)
  | "service.manage" // maintain the 办事指南 of a department's service items and bundles
  | "search.manage" // 站内搜索: synonyms, hot words, search analytics
  | "faq.manage"; // 智能问答: the knowledge base and the review of unanswered questions

export interface GrantScope {
  role: Role;
  siteId: number | null;
  columnId: number | null;
  reviewLevel: number | null;
}

export interface Actor {
  id: number;
  kind: "staff" | "citizen";
  name: string;
  grants: GrantScope[];
}

export interface Target {
  siteId: number;
  /** The column and its ancestors, nearest first; empty for site-level objects. */
  columnPath?: number[];
  /** For document.review: the step of the chain being decided. */
  level?: number;
}

/** 三员分立: these three roles are held by three different people (see `adminRoleConflict`). */
export const ADMIN_ROLES: readonly Role[] = ["sysadmin", "security_admin", "auditor"];

const ROLE_ACTIONS: Record<Role, readonly Action[]> = {
  sysadmin: ["platform.manage", "site.manage"],
  security_admin: ["security.manage"],
  auditor: ["audit.read"],
  site_admin: [
    "site.manage",
    "site.grant",
    "pii.reveal",
    "document.edit",
    "document.review",
    "document.publish",
    "case.handle",
    "case.approve",
    "service.manage",
    "search.manage",
    "faq.manage",
  ],
  editor: ["document.edit"],
  reviewer: ["document.review", "document.publish"],
  officer: ["case.handle", "pii.reveal"],
};

/** Roles whose powers are platform-wide, whatever site a grant names. */
const PLATFORM_ACTIONS: readonly Action[] = ["platform.manage", "security.manage", "audit.read"];

/**
 * 三员分立: nobody holds two of the three administrator roles, and the security administrator and
 * the auditor hold nothing else (the system administrator may also administer sites' content).
 * Returns a Chinese explanation when adding `role` to `held` would break that, or null.
 */
export function adminRoleConflict(held: readonly Role[], role: Role): string | null {
  const admin = held.find((r) => ADMIN_ROLES.includes(r) && r !== role);
  if (ADMIN_ROLES.includes(role) && admin)
    return "三员分立：系统管理员、安全管理员、安全审计员不能由同一人兼任";
  const exclusive = (r: Role) => r === "security_admin" || r === "auditor";
  if (held.some((r) => exclusive(r) && r !== role) || (exclusive(role) && held.some((r) => r !== role)))
    return "三员分立：安全管理员和安全审计员不能兼任其他角色";
  return null;
}

function grantAllows(grant: GrantScope, action: Action, target: Target | undefined): boolean {
  if (!ROLE_ACTIONS[grant.role].includes(action)) return false;
  if (PLATFORM_ACTIONS.includes(action)) return grant.siteId === null;
  if (!target) return false;
  if (grant.siteId !== null && grant.siteId !== target.siteId) return false;
  if (grant.columnId !== null && !(target.columnPath ?? []).includes(grant.columnId)) return false;
  if (action === "document.review" && grant.role === "reviewer" && target.level !== undefined) {
    return grant.reviewLevel === target.level;
  }
  return true;
}

export function can(actor: Actor | null, action: Action, target?: Target): boolean {
  if (actor?.kind !== "staff") return false;
  return actor.grants.some((g) => grantAllows(g, action, target));
}

export type Scope = { all: true } | { all: false; siteIds: number[]; columnIds: number[] };

/** Where the actor may do `action`: everywhere, or these whole sites plus these columns' subtrees. */
export function scopeFor(actor: Actor | null, action: Action): Scope {
  const siteIds = new Set<number>();
  const columnIds = new Set<number>();
  for (const g of actor?.kind === "staff" ? actor.grants : []) {
    if (!ROLE_ACTIONS[g.role].includes(action)) continue;
    if (g.siteId === null) return { all: true };
    if (g.columnId === null) siteIds.add(g.siteId);
    else columnIds.add(g.columnId);
  }
  return { all: false, siteIds: [...siteIds], columnIds: [...columnIds] };
}

export function isStaff(actor: Actor | null): actor is Actor {
  return actor?.kind === "staff";
}

export interface ReviewReach {
  siteId: number | null;
  columnId: number | null;
  /** The chain step decided there; null = every step (site administrators). */
  level: number | null;
}

/** Where, and at which step, the actor may decide reviews: for the "待我审核" queue as a query filter. */
export function reviewReach(actor: Actor | null): ReviewReach[] {
  if (actor?.kind !== "staff") return [];
  return actor.grants
    .filter((g) => ROLE_ACTIONS[g.role].includes("document.review"))
    .map((g) => ({
      siteId: g.siteId,
      columnId: g.columnId,
      level: g.role === "reviewer" ? g.reviewLevel : null,
    }));
}

import type { Generated } from "kysely";
import type { AssistantTables } from "../../modules/assistant/schema.ts";
import type { ContentTables } from "../../modules/content/schema.ts";
import type { RequestTables } from "../../modules/disclosure/request-schema.ts";
import type { BudgetTables, CatalogueTables } from "../../modules/disclosure/schema.ts";
import type { IdentityTables } from "../../modules/identity/schema.ts";
import type { InteractionTables } from "../../modules/interaction/schema.ts";
import type { SearchTables } from "../../modules/search/schema.ts";
import type { ServiceTables } from "../../modules/services/schema.ts";
import type { SitesTables } from "../../modules/sites/schema.ts";
import type { AuditTables } from "../audit.ts";
import type { ChangeTables } from "../changes.ts";
import type { InboxTables } from "../inbox.ts";

export interface WorkflowEventsTable {
  id: Generated<number>;
  subject_type: string;
  subject_id: number;
  action: string;
  from_state: string | null;
  to_state: string;
  actor_id: number | null;
  comment: Generated<string>;
  created_at: Generated<Date>;
}

export interface CalendarDaysTable {
  /** YYYY-MM-DD; read back as a string (see the date parser in database.ts). */
  day: string;
  kind: "holiday" | "workday";
  name: string;
  source: Generated<string>;
  provisional: Generated<boolean>;
  updated_at: Generated<Date>;
}

/** Every table, as Kysely sees it. Each module owns the shape of its own tables. */
export interface Database extends SitesTables, ContentTables, IdentityTables, RequestTables {
  workflow_events: WorkflowEventsTable;
  calendar_days: CalendarDaysTable;
}

/** 财政预决算 and 重大建设项目 (disclosure module), merged into Database. */
export interface Database extends BudgetTables {}

/** 政府信息公开目录: the 索引号 counter (disclosure module), merged into Database. */
export interface Database extends CatalogueTables {}

/** 政务服务 (services module) and the site inbox (core), merged into Database. */
export interface Database extends ServiceTables, InboxTables {}
/** 政民互动: letters, consultations, surveys (interaction module), merged into Database. */
export interface Database extends InteractionTables {}
/** 安全审计 (core/audit.ts), merged into Database. */
export interface Database extends AuditTables {}
/** 站内搜索 (search module) and 智能问答 (assistant module), merged into Database. */
export interface Database extends SearchTables, AssistantTables {}
/** The public change feed (core/changes.ts), merged into Database. */
export interface Database extends ChangeTables {}

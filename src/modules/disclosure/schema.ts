import type { ColumnType, Generated } from "kysely";

/** numeric(14,2): PostgreSQL returns a string; written as a string or number. Amounts are in 万元. */
type Amount = ColumnType<string, string | number, string | number>;
/** date: read back as Date or text depending on the pool's parser; queries here select `to_char(...)`. */
type Day = ColumnType<Date | string | null, string | null, string | null>;

export const BUDGET_STAGES = ["budget", "final"] as const;
export type BudgetStage = (typeof BUDGET_STAGES)[number];
export const STAGE_LABELS: Record<BudgetStage, string> = { budget: "预算", final: "决算" };

export const BUDGET_FUNDS = ["general", "fund", "sangong"] as const;
export type BudgetFund = (typeof BUDGET_FUNDS)[number];

export const BUDGET_DIRECTIONS = ["income", "spending"] as const;
export type BudgetDirection = (typeof BUDGET_DIRECTIONS)[number];
export const DIRECTION_LABELS: Record<BudgetDirection, string> = { income: "收入", spending: "支出" };

export const PROJECT_STATUSES = ["preparing", "building", "completed"] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
export const PROJECT_STATUS_LABELS: Record<ProjectStatus, string> = {
  preparing: "前期",
  building: "在建",
  completed: "竣工",
};

export interface BudgetReportsTable {
  id: Generated<number>;
  site_id: number;
  year: number;
  stage: BudgetStage;
  note: Generated<string>;
  published: Generated<boolean>;
  published_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  updated_by: number | null;
}

export interface BudgetLinesTable {
  id: Generated<number>;
  report_id: number;
  fund: BudgetFund;
  direction: BudgetDirection;
  code: Generated<string>;
  name: string;
  amount: Amount;
  position: Generated<number>;
}

export interface ProjectsTable {
  id: Generated<number>;
  ref: string | null;
  site_id: number;
  name: string;
  unit: string;
  location: Generated<string>;
  status: ProjectStatus;
  total_investment: Amount;
  plan_year: number;
  annual_investment: Amount;
  completed_investment: Amount;
  start_date: Day;
  end_date: Day;
  description: Generated<string>;
  published: Generated<boolean>;
  published_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  updated_by: number | null;
}

export interface ProjectMilestonesTable {
  id: Generated<number>;
  project_id: number;
  date: ColumnType<Date | string, string, string>;
  text: string;
  position: Generated<number>;
}

/** 财政预决算 and 重大建设项目 tables of the disclosure module. */
export interface BudgetTables {
  budget_reports: BudgetReportsTable;
  budget_lines: BudgetLinesTable;
  projects: ProjectsTable;
  project_milestones: ProjectMilestonesTable;
}

/* ------------------------------------------------------------------------------------------------
 * 政府信息公开目录 (catalogue): the 索引号 counter. Owned by catalogue.ts; the number itself is
 * documents.index_no and the publishing organisation's code is departments.org_code.
 * ---------------------------------------------------------------------------------------------- */

export interface IndexCountersTable {
  /** 前段码: the publishing organisation's 统一社会信用代码. */
  prefix: string;
  year: number;
  last_serial: number;
  updated_at: Generated<Date>;
}

/** 索引号 tables of the disclosure module. */
export interface CatalogueTables {
  index_counters: IndexCountersTable;
}

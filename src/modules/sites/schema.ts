import type { Generated, Selectable } from "kysely";

export interface SiteSettings {
  /** 政府网站标识码 */
  idCode?: string;
  /** ICP备案编号 */
  icp?: string;
  /** 公安机关备案号 */
  psb?: string;
  /** 主办单位 */
  sponsor?: string;
  /** 承办单位 */
  organizer?: string;
  phone?: string;
  address?: string;
  email?: string;
  /** Public domain, e.g. www.qinghe.gov.cn; emitted as SiteDomain */
  domain?: string;
  description?: string;
}

export const COLUMN_KINDS = ["list", "single", "link", "catalog"] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

export const COLUMN_KIND_LABELS: Record<ColumnKind, string> = {
  list: "列表栏目",
  single: "单页栏目",
  link: "外链栏目",
  catalog: "目录栏目",
};

/** ColumnType values of the national web page specification (国办发〔2017〕47号 附件). */
export const NATIONAL_COLUMN_TYPES = [
  "首页",
  "概况信息",
  "机构职能",
  "负责人信息",
  "工作动态",
  "政策文件",
  "信息公开指南",
  "信息公开目录",
  "信息公开年报",
  "依法申请公开",
  "数据发布",
  "数据开放",
  "政策解读",
  "回应关切",
  "办事服务",
  "咨询投诉",
  "征集调查",
  "在线访谈",
] as const;

export interface DepartmentsTable {
  id: Generated<number>;
  ref: string | null;
  name: string;
  short_name: string;
  category: Generated<string>;
  duties: Generated<string>;
  phone: Generated<string>;
  address: Generated<string>;
  created_at: Generated<Date>;
  /** 统一社会信用代码: the 前段码 of the 索引号 of what this department publishes (migration 0003). */
  org_code: string | null;
}

export interface SitesTable {
  id: Generated<number>;
  ref: string | null;
  code: string;
  name: string;
  kind: "portal" | "department" | "topic";
  department_id: number | null;
  host: string | null;
  settings: SiteSettings;
  position: Generated<number>;
  created_at: Generated<Date>;
}

export interface ColumnsTable {
  id: Generated<number>;
  site_id: number;
  parent_id: number | null;
  ref: string | null;
  slug: string;
  name: string;
  type: ColumnKind;
  column_type: Generated<string>;
  description: Generated<string>;
  keywords: Generated<string>;
  link_url: string | null;
  update_days: number | null;
  review_steps: Generated<string[]>;
  position: Generated<number>;
  in_nav: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface AppStateTable {
  key: string;
  value: unknown;
  updated_at: Generated<Date>;
}

export interface SitesTables {
  departments: DepartmentsTable;
  sites: SitesTable;
  columns: ColumnsTable;
  app_state: AppStateTable;
}

export type Department = Selectable<DepartmentsTable>;
export type Site = Selectable<SitesTable>;
export type Column = Selectable<ColumnsTable>;

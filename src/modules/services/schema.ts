import type { Generated, Selectable } from "kysely";
import type { PolicyRulesTable } from "./matching.ts";

/** 事项类型 of the national 权责清单 practice. */
export const ITEM_TYPES = [
  "行政许可",
  "行政处罚",
  "行政强制",
  "行政征收",
  "行政给付",
  "行政检查",
  "行政确认",
  "行政奖励",
  "行政裁决",
  "其他行政权力",
  "公共服务",
] as const;

export const AUDIENCES = ["个人", "法人", "both"] as const;
export type Audience = (typeof AUDIENCES)[number];
export const AUDIENCE_LABELS: Record<Audience, string> = { 个人: "个人", 法人: "法人", both: "个人、法人" };

export const ONLINE_LEVELS = ["全程网办", "部分网办", "窗口办理"] as const;
export type OnlineLevel = (typeof ONLINE_LEVELS)[number];

export const MATERIAL_FORMS = ["原件", "复印件", "电子证照"] as const;

export interface Material {
  name: string;
  form: string;
  count: number;
  note: string;
  /** false for materials needed only in some situations (the note says when). */
  required: boolean;
  /** 来源渠道: 申请人自备, 政府部门核发 … */
  source?: string;
  /** Attachment ids (content module's /files/) of the blank form and the filled sample, if any. */
  blankUrl?: string;
  sampleUrl?: string;
}

export interface Faq {
  question: string;
  answer: string;
}

export const FIELD_KINDS = [
  "text",
  "textarea",
  "select",
  "date",
  "number",
  "idnumber",
  "phone",
  "creditcode",
] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** One field of an item's application form, defined as data. */
export interface FormField {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  options?: string[];
  hint?: string;
  /** Filled from the signed-in citizen's profile. */
  profile?: "name" | "phone";
}

export interface ServiceItemsTable {
  id: Generated<number>;
  ref: string | null;
  code: string;
  name: string;
  type: string;
  audience: Audience;
  department_id: number;
  site_id: number;
  legal_basis: string[];
  conditions: string[];
  materials: Material[];
  process: string[];
  statutory_days: number;
  promised_days: number;
  time_limit_note: Generated<string>;
  fee_charged: boolean;
  fee_standard: Generated<string>;
  fee_basis: Generated<string>;
  locations: string[];
  hours: Generated<string>;
  consult_phone: Generated<string>;
  supervise_phone: Generated<string>;
  online_level: OnlineLevel;
  life_events: string[];
  outputs: string[];
  licence_name: Generated<string>;
  faqs: Faq[];
  form_fields: FormField[];
  related_policies: string[];
  visible: Generated<boolean>;
  version: Generated<number>;
  updated_at: Generated<Date>;
}

export interface ServiceItemVersionsTable {
  id: Generated<number>;
  item_id: number;
  version: number;
  data: unknown;
  saved_by: number | null;
  saved_at: Generated<Date>;
}

export interface BundleMaterial {
  name: string;
  form: string;
  count: number;
  note: string;
  condition: string | null;
  /** Codes of the member items that need it. */
  usedBy: string[];
}

export interface SharedMaterial {
  name: string;
  producedBy: string;
  usedBy: string[];
}

export interface ServiceBundlesTable {
  id: Generated<number>;
  ref: string | null;
  name: string;
  description: Generated<string>;
  audience: Audience;
  lead_department_id: number | null;
  entry: Generated<string>;
  online_level: Generated<string>;
  promised_days: Generated<number>;
  merged_materials: BundleMaterial[];
  shared_materials: SharedMaterial[];
  material_count_before: Generated<number>;
}

export interface ServiceBundleMembersTable {
  bundle_id: number;
  item_id: number;
  position: number;
  optional: Generated<boolean>;
}

export interface BundleApplicationsTable {
  id: Generated<number>;
  number: string;
  bundle_id: number;
  citizen_id: number;
  phone_index: Buffer;
  submitted_at: Generated<Date>;
}

export const APPLICATION_STATES = {
  submitted: "待预审",
  not_accepted: "不予受理",
  accepted: "已受理",
  correction: "待补正",
  reviewed: "审查完毕，待决定",
  decided: "已决定，待办结",
  completed: "已办结",
} as const;
export type ApplicationState = keyof typeof APPLICATION_STATES;

export const OUTCOME_LABELS = { approved: "准予", denied: "不予" } as const;
export type Outcome = keyof typeof OUTCOME_LABELS;

/** Form values as stored: plain fields, and personal identifiers sealed (base64 of the cipher). */
export interface StoredForm {
  plain: Record<string, string>;
  sealed: Record<string, string>;
  masked: Record<string, string>;
}

export interface ServiceApplicationsTable {
  id: Generated<number>;
  number: string;
  item_id: number;
  site_id: number;
  bundle_application_id: number | null;
  citizen_id: number;
  applicant_name: string;
  phone_enc: Buffer;
  phone_index: Buffer;
  phone_masked: string;
  form_data: StoredForm;
  state: ApplicationState;
  submitted_at: Generated<Date>;
  accepted_on: string | null;
  clock_started_on: string | null;
  clock_limit_days: number | null;
  clock_extension_days: Generated<number>;
  clock_paused_on: string | null;
  clock_paused_days: Generated<number>;
  due_on: string | null;
  correction_items: Generated<string>;
  outcome: Outcome | null;
  outcome_reason: Generated<string>;
  warned_at: Date | null;
  escalated_at: Date | null;
  closed_at: Date | null;
}

export interface ServiceApplicationFilesTable {
  id: Generated<number>;
  application_id: number;
  material: string;
  purpose: "material" | "result";
  filename: Generated<string>;
  mime: Generated<string>;
  size: Generated<number>;
  sha256: Generated<string>;
  storage_key: Generated<string>;
  licence_id: number | null;
  created_at: Generated<Date>;
}

export interface LicencesTable {
  id: Generated<number>;
  number: string;
  name: string;
  holder_id: number;
  holder_name: string;
  item_id: number | null;
  application_id: number | null;
  issuer: string;
  issued_on: string;
  payload: string;
  signature: Buffer;
  status: Generated<"valid" | "revoked">;
  revoked_at: Date | null;
  revoke_reason: Generated<string>;
}

/** 好差评: the five levels and the national online dimensions. */
export const SCORE_LABELS: Record<number, string> = {
  5: "非常满意",
  4: "满意",
  3: "基本满意",
  2: "不满意",
  1: "非常不满意",
};
export const RATING_DIMENSIONS = ["办事效率", "办事指南精确度", "办事便捷度", "平台操作性"] as const;

export interface ServiceRatingsTable {
  id: Generated<number>;
  application_id: number;
  item_id: number;
  department_id: number;
  site_id: number;
  citizen_id: number;
  score: number;
  dimensions: Record<string, number>;
  comment: Generated<string>;
  created_at: Generated<Date>;
}

export interface RatingFollowupsTable {
  id: Generated<number>;
  rating_id: number;
  site_id: number;
  due_on: string;
  state: Generated<"open" | "closed">;
  handling: Generated<string>;
  response: Generated<string>;
  closed_by: number | null;
  closed_at: Date | null;
}

export interface ServiceTables {
  service_items: ServiceItemsTable;
  service_item_versions: ServiceItemVersionsTable;
  service_bundles: ServiceBundlesTable;
  service_bundle_members: ServiceBundleMembersTable;
  bundle_applications: BundleApplicationsTable;
  service_applications: ServiceApplicationsTable;
  service_application_files: ServiceApplicationFilesTable;
  licences: LicencesTable;
  service_ratings: ServiceRatingsTable;
  rating_followups: RatingFollowupsTable;
  policy_rules: PolicyRulesTable;
}

export type ServiceItem = Selectable<ServiceItemsTable>;
export type ServiceBundle = Selectable<ServiceBundlesTable>;
export type ServiceApplication = Selectable<ServiceApplicationsTable>;
export type Licence = Selectable<LicencesTable>;

/** jsonb values go to pg as JSON text (pg would send a JS array as a PostgreSQL array). */
export function asJson<T>(value: T): T {
  return JSON.stringify(value) as unknown as T;
}

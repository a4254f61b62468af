import type { Generated, Selectable } from "kysely";

export const REQUEST_STATES = {
  submitted: "待登记",
  processing: "办理中",
  awaiting_correction: "待申请人补正",
  consulting: "征求第三方意见",
  awaiting_payment: "待缴纳信息处理费",
  answered: "已答复",
  ended: "已终止",
} as const;
export type RequestState = keyof typeof REQUEST_STATES;

/**
 * How a request ended, one per row of the annual report's table 三 (国办公开办函〔2021〕30号):
 * group is the row heading, item its numbered line. Art 36's answer types map onto these.
 */
export const OUTCOMES = {
  public_already: {
    group: "予以公开",
    item: "",
    label: "已主动公开，告知获取方式和途径",
    notice: "已主动公开政府信息告知书",
  },
  public: { group: "予以公开", item: "", label: "予以公开", notice: "政府信息公开告知书" },
  partial: { group: "部分公开", item: "", label: "部分公开（区分处理）", notice: "政府信息部分公开告知书" },
  withheld_secret: { group: "不予公开", item: "1", label: "属于国家秘密", notice: "政府信息不予公开告知书" },
  withheld_law: {
    group: "不予公开",
    item: "2",
    label: "其他法律行政法规禁止公开",
    notice: "政府信息不予公开告知书",
  },
  withheld_safety: {
    group: "不予公开",
    item: "3",
    label: "危及“三安全一稳定”",
    notice: "政府信息不予公开告知书",
  },
  withheld_third_party: {
    group: "不予公开",
    item: "4",
    label: "保护第三方合法权益",
    notice: "政府信息不予公开告知书",
  },
  withheld_internal: {
    group: "不予公开",
    item: "5",
    label: "属于三类内部事务信息",
    notice: "政府信息不予公开告知书",
  },
  withheld_process: {
    group: "不予公开",
    item: "6",
    label: "属于四类过程性信息",
    notice: "政府信息不予公开告知书",
  },
  withheld_enforcement: {
    group: "不予公开",
    item: "7",
    label: "属于行政执法案卷",
    notice: "政府信息不予公开告知书",
  },
  withheld_query: {
    group: "不予公开",
    item: "8",
    label: "属于行政查询事项",
    notice: "政府信息不予公开告知书",
  },
  unable_not_held: {
    group: "无法提供",
    item: "1",
    label: "本机关不掌握相关政府信息",
    notice: "政府信息不存在告知书",
  },
  unable_not_ours: {
    group: "无法提供",
    item: "1",
    label: "非本机关负责公开，告知负责机关",
    notice: "非本机关政府信息告知书",
  },
  unable_needs_creation: {
    group: "无法提供",
    item: "2",
    label: "没有现成信息需要另行制作",
    notice: "政府信息无法提供告知书",
  },
  unable_unclear: {
    group: "无法提供",
    item: "3",
    label: "补正后申请内容仍不明确",
    notice: "政府信息无法提供告知书",
  },
  ignored_petition: { group: "不予处理", item: "1", label: "信访举报投诉类申请", notice: "不予处理告知书" },
  ignored_repeat: { group: "不予处理", item: "2", label: "重复申请", notice: "重复申请告知书" },
  ignored_publication: {
    group: "不予处理",
    item: "3",
    label: "要求提供公开出版物",
    notice: "不予处理告知书",
  },
  ignored_excessive: {
    group: "不予处理",
    item: "4",
    label: "无正当理由大量反复申请",
    notice: "不予处理告知书",
  },
  ignored_confirm: {
    group: "不予处理",
    item: "5",
    label: "要求行政机关确认或重新出具已获取信息",
    notice: "不予处理告知书",
  },
  other_no_correction: {
    group: "其他处理",
    item: "1",
    label: "申请人无正当理由逾期不补正、行政机关不再处理",
    notice: "",
  },
  other_no_fee: {
    group: "其他处理",
    item: "2",
    label: "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理",
    notice: "",
  },
  other: { group: "其他处理", item: "3", label: "其他", notice: "政府信息公开申请答复告知书" },
} as const;
export type Outcome = keyof typeof OUTCOMES;

/** Outcomes an officer may choose when answering (the two "other" lapses are reached by the clock). */
export const ANSWER_OUTCOMES = (Object.keys(OUTCOMES) as Outcome[]).filter(
  (o) => o !== "other_no_correction" && o !== "other_no_fee",
);

export const ORG_CATEGORIES = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"] as const;
export const ID_TYPES = [
  "居民身份证",
  "港澳居民来往内地通行证",
  "台湾居民来往大陆通行证",
  "护照",
  "统一社会信用代码",
] as const;
export const CARRIERS = ["纸质", "电子文档", "光盘", "其他"] as const;
export const DELIVERIES = ["邮寄", "电子邮件", "当面领取", "网上查阅下载"] as const;

export interface InfoRequestsTable {
  id: Generated<number>;
  tracking_no: string;
  query_code_hash: Buffer;
  site_id: number;
  department_id: number | null;
  citizen_id: number | null;
  applicant_type: "person" | "organisation";
  org_category: (typeof ORG_CATEGORIES)[number] | null;
  applicant_name: string;
  contact_person: Generated<string>;
  id_type: string;
  id_number_enc: Buffer;
  id_number_index: Buffer;
  id_number_masked: string;
  phone_enc: Buffer;
  phone_masked: string;
  email: Generated<string>;
  address_enc: Buffer | null;
  address_masked: Generated<string>;
  description: string;
  document_hint: Generated<string>;
  carrier: string;
  delivery: string;
  state: RequestState;
  submitted_at: Generated<Date>;
  received_on: string | null;
  clock_started_on: string | null;
  clock_limit_days: number | null;
  clock_extension_days: Generated<number>;
  clock_paused_on: string | null;
  clock_paused_days: Generated<number>;
  due_on: string | null;
  correction_requested: Generated<boolean>;
  correction_due_on: string | null;
  consultation_due_on: string | null;
  fee_method: "per_request" | "per_page" | null;
  fee_amount: string | null;
  fee_due_on: string | null;
  outcome: Outcome | null;
  outcome_reason: Generated<string>;
  escalated_at: Date | null;
  closed_at: Date | null;
}

export interface InfoRequestNoticesTable {
  id: Generated<number>;
  request_id: number;
  kind: string;
  number: string;
  title: string;
  body_html: string;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface NoticeCountersTable {
  site_id: number;
  year: number;
  last: number;
}

export interface AnnualReportsTable {
  id: Generated<number>;
  site_id: number;
  year: number;
  narrative: Generated<Record<string, string>>;
  manual: Generated<Record<string, number>>;
  document_id: number | null;
  updated_by: number | null;
  updated_at: Generated<Date>;
}

/** 依申请公开 and the annual report built from it. */
export interface RequestTables {
  info_requests: InfoRequestsTable;
  info_request_notices: InfoRequestNoticesTable;
  notice_counters: NoticeCountersTable;
  annual_reports: AnnualReportsTable;
}

export type InfoRequest = Selectable<InfoRequestsTable>;
export type InfoRequestNotice = Selectable<InfoRequestNoticesTable>;

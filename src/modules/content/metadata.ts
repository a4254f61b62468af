import { Problems } from "../../core/errors.ts";
import type { DocumentType } from "./schema.ts";

/**
 * Typed metadata per document type: what each type carries besides title, summary and body. One
 * mechanism for every type: the admin form, validation and the public metadata block all read
 * these declarations. Values are stored as strings in the version's metadata.
 */
export type FieldKind =
  | "text"
  /** YYYY-MM-DD, a real calendar day */
  | "date"
  /** a checkbox: stored as FLAG_TRUE when ticked, absent otherwise */
  | "flag"
  /** several lines of plain text */
  | "longtext"
  /** an http(s) address, shown as a link */
  | "url"
  /** another document chosen from a list: stored as its ref, or its id when it has none */
  | "link";

export interface MetadataField {
  key: string;
  label: string;
  kind?: FieldKind;
  required?: boolean;
  /** Required only while another field holds one of these values. */
  requiredWhen?: { key: string; values: readonly string[] };
  pattern?: RegExp;
  hint?: string;
  options?: readonly string[];
  /** Stored when the field is left empty. */
  defaultValue?: string;
  maxLength?: number;
  /** For kind "link": the type of the document chosen. */
  linkType?: DocumentType;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A document key: a corpus ref such as pol-003, or a document id. */
const DOCUMENT_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
export const FLAG_TRUE = "true";

function isRealDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export const VALIDITY = ["有效", "失效", "废止"] as const;

/** 公开属性 ([条例] Art 5, 14–16): 不予公开 needs a reason and is never published on the site. */
export const DISCLOSURE = ["主动公开", "依申请公开", "不予公开"] as const;

/**
 * 主题分类: the State Council's subject classification of government documents (as used by the
 * gov.cn 政策文件库). The demo city's vocabulary (demo/site.json policy_themes) is a subset.
 */
export const POLICY_THEMES = [
  "国务院组织机构",
  "综合政务",
  "国民经济管理、国有资产监管",
  "财政、金融、审计",
  "国土资源、能源",
  "农业、林业、水利",
  "工业、交通",
  "商贸、海关、旅游",
  "市场监管、安全生产监管",
  "城乡建设、环境保护",
  "科技、教育",
  "文化、广电、新闻出版",
  "卫生、体育",
  "人口与计划生育、妇女儿童工作",
  "劳动、人事、监察",
  "公安、安全、司法",
  "民政、扶贫、救灾",
  "民族、宗教",
  "对外事务",
  "港澳台侨工作",
  "国防",
  "其他",
] as const;

/** 体裁分类, grouped as the demo corpus groups them. */
export const DOC_FORMS = [
  "规章",
  "办法/规定/细则",
  "通知/意见/方案",
  "决定",
  "通告",
  "公告",
  "其他",
] as const;

/** 解读形式: 文字, 图解 (images with a text alternative), 视频 (a link, never an embed), 问答. */
export const INTERPRETATION_FORMS = ["文字解读", "图解", "视频", "问答"] as const;

const disclosureFields: MetadataField[] = [
  {
    key: "disclosure",
    label: "公开属性",
    options: DISCLOSURE,
    defaultValue: "主动公开",
    hint: "不填为主动公开；不予公开的信息不能在网站发布",
  },
  {
    key: "disclosure_reason",
    label: "不予公开理由",
    kind: "longtext",
    maxLength: 500,
    requiredWhen: { key: "disclosure", values: ["不予公开"] },
    hint: "公开属性为不予公开时必填，写明所依据的条款",
  },
];

export const METADATA_FIELDS: Record<DocumentType, MetadataField[]> = {
  policy: [
    { key: "issuer", label: "发文机关", required: true, hint: "联合发文的，用顿号分隔各机关全称" },
    { key: "doc_number", label: "文号", hint: "如 青人社发〔2026〕17号" },
    {
      key: "written_date",
      label: "成文日期",
      kind: "date",
      required: true,
      pattern: DATE,
      hint: "YYYY-MM-DD",
    },
    { key: "theme", label: "主题分类", options: POLICY_THEMES },
    { key: "doc_form", label: "体裁分类", options: DOC_FORMS },
    {
      key: "normative",
      label: "是否行政规范性文件",
      kind: "flag",
      hint: "行政规范性文件应与政策解读同步发布（三同步）",
    },
    { key: "validity", label: "有效性", required: true, options: VALIDITY },
    { key: "valid_from", label: "生效日期", kind: "date", pattern: DATE, hint: "YYYY-MM-DD，选填" },
    {
      key: "valid_to",
      label: "失效或废止日期",
      kind: "date",
      pattern: DATE,
      requiredWhen: { key: "validity", values: ["失效", "废止"] },
      hint: "YYYY-MM-DD；有效性为失效或废止时必填",
    },
    {
      key: "replaced_by",
      label: "替代本文件的文件",
      kind: "link",
      linkType: "policy",
      hint: "本文件被新文件替代或废止时选择该文件；文件页会显示“已被《…》替代/废止”",
    },
    ...disclosureFields,
  ],
  interpretation: [
    { key: "interpreter", label: "解读机关", required: true },
    {
      key: "policy_ref",
      label: "所解读的政策",
      kind: "link",
      linkType: "policy",
      hint: "选择本解读对应的政策文件；政策页面和解读页面会互相链接",
    },
    { key: "form", label: "解读形式", options: INTERPRETATION_FORMS, defaultValue: "文字解读" },
    {
      key: "video_url",
      label: "视频地址",
      kind: "url",
      maxLength: 500,
      requiredWhen: { key: "form", values: ["视频"] },
      hint: "视频解读必填，以 https:// 开头；页面显示为链接，不嵌入播放器",
    },
    {
      key: "alt_text",
      label: "图解文字说明",
      kind: "longtext",
      maxLength: 5000,
      requiredWhen: { key: "form", values: ["图解"] },
      hint: "图解必填：用文字完整说明图片内容，供读屏软件用户和无法查看图片的读者阅读；图片作为附件上传",
    },
    {
      key: "qa",
      label: "问答内容",
      kind: "longtext",
      maxLength: 20000,
      requiredWhen: { key: "form", values: ["问答"] },
      hint: "问答解读必填：每个问题另起一行以“问：”开头，下一行以“答：”开头写回答；回答可写多行",
    },
    ...disclosureFields,
  ],
  news: [
    { key: "source", label: "来源" },
    { key: "author", label: "作者" },
  ],
  notice: [{ key: "source", label: "来源" }],
  page: [],
  report: [],
};

/** The value of a flag field as stored, from whatever a checkbox or an import sends. */
function flagValue(value: string): string | undefined {
  return ["true", "1", "on", "是", "yes"].includes(value.toLowerCase()) ? FLAG_TRUE : undefined;
}

/**
 * 有效性 on `today` (YYYY-MM-DD): a document marked 有效 whose 有效期 has run out (valid_to before
 * today) has lapsed by itself, without anyone editing it.
 */
export function validityOn(metadata: Record<string, string>, today: string): string | undefined {
  if (metadata.validity === "有效" && metadata.valid_to && metadata.valid_to < today) return "失效";
  return metadata.validity;
}

export function isNormative(metadata: Record<string, string>): boolean {
  return metadata.normative === FLAG_TRUE;
}

/**
 * Keeps only the type's fields, trimmed, and checks each one and the rules between them; throws a
 * UserError listing problems. Whether a "link" field names an existing document of the right type
 * is checked by the content service, which can read the database.
 */
export function cleanMetadata(type: DocumentType, raw: Record<string, unknown>): Record<string, string> {
  const problems = new Problems();
  const clean: Record<string, string> = {};
  const fields = METADATA_FIELDS[type];
  for (const field of fields) {
    let value = String(raw[field.key] ?? "").trim();
    if (field.kind === "flag") {
      const flag = flagValue(value);
      if (flag) clean[field.key] = flag;
      continue;
    }
    if (!value && field.defaultValue) value = field.defaultValue;
    if (!value) continue;
    const max = field.maxLength ?? 200;
    if (value.length > max) problems.add(`meta.${field.key}`, `${field.label}不超过 ${max} 字`);
    if (field.pattern === DATE && field.pattern.test(value) && !isRealDate(value)) {
      problems.add(`meta.${field.key}`, `${field.label}格式不正确：${value} 不是有效日期`);
    } else if (field.pattern && !field.pattern.test(value)) {
      problems.add(`meta.${field.key}`, `${field.label}格式不正确${field.hint ? `（${field.hint}）` : ""}`);
    }
    if (field.options && !field.options.includes(value))
      problems.add(`meta.${field.key}`, `请选择${field.label}`);
    if (field.kind === "url" && !isWebAddress(value))
      problems.add(`meta.${field.key}`, `${field.label}须为以 http:// 或 https:// 开头的网址`);
    if (field.kind === "link" && !DOCUMENT_KEY.test(value))
      problems.add(`meta.${field.key}`, `请从列表中选择${field.label}`);
    clean[field.key] = value;
  }
  for (const field of fields) {
    if (clean[field.key]) continue;
    const when = field.requiredWhen;
    if (field.required || when?.values.includes(clean[when.key] ?? "")) {
      problems.add(`meta.${field.key}`, `请填写${field.label}`);
    }
  }
  if (type === "policy") {
    const { valid_from: from, valid_to: to, validity, replaced_by: replacedBy } = clean;
    if (from && to && DATE.test(from) && DATE.test(to) && to < from)
      problems.add("meta.valid_to", "失效或废止日期不能早于生效日期");
    if (replacedBy && validity === "有效")
      problems.add("meta.replaced_by", "已被其他文件替代的，有效性应为失效或废止");
  }
  if (type === "interpretation" && clean.qa) {
    const qa = parseQa(clean.qa);
    if ("problem" in qa) problems.add("meta.qa", qa.problem);
  }
  problems.throwIfAny();
  return clean;
}

export interface QaPair {
  question: string;
  /** The answer's lines, the first without its “答：”. */
  answer: string[];
}

const QUESTION = /^问[：:]\s*/;
const ANSWER = /^答[：:]\s*/;

/**
 * The pairs of a 问答 interpretation, typed as lines “问：…” and “答：…” (an answer may run over
 * several lines), or why they cannot be read.
 */
export function parseQa(value: string): { pairs: QaPair[] } | { problem: string } {
  const pairs: QaPair[] = [];
  for (const line of value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    const current = pairs.at(-1);
    if (QUESTION.test(line)) pairs.push({ question: line.replace(QUESTION, ""), answer: [] });
    else if (!current) return { problem: "问答内容须以“问：”开头的问题开始" };
    else if (ANSWER.test(line) && current.answer.length === 0) current.answer.push(line.replace(ANSWER, ""));
    else if (current.answer.length > 0) current.answer.push(line);
    else current.question += line;
  }
  if (pairs.length === 0) return { problem: "问答内容须以“问：”开头的问题开始" };
  if (pairs.some((p) => p.answer.length === 0 || !p.question))
    return { problem: "问答内容格式不正确：每个问题后须有以“答：”开头的回答" };
  return { pairs };
}

function isWebAddress(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Fields of a type that name another document. */
export function linkFields(type: DocumentType): MetadataField[] {
  return METADATA_FIELDS[type].filter((f) => f.kind === "link");
}

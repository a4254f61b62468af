import { Problems } from "../../core/errors.ts";
import type { DocumentType } from "./schema.ts";

/** Typed metadata per document type: what each type carries besides title, summary and body. */
export interface MetadataField {
  key: string;
  label: string;
  required?: boolean;
  pattern?: RegExp;
  hint?: string;
  options?: readonly string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export const VALIDITY = ["有效", "失效", "废止"] as const;

export const METADATA_FIELDS: Record<DocumentType, MetadataField[]> = {
  policy: [
    { key: "index_no", label: "索引号", hint: "发布机构代码/年份-5位流水号" },
    { key: "issuer", label: "发文机关", required: true },
    { key: "doc_number", label: "文号", hint: "如 青人社发〔2026〕17号" },
    { key: "written_date", label: "成文日期", required: true, pattern: DATE, hint: "YYYY-MM-DD" },
    { key: "theme", label: "主题分类" },
    { key: "doc_form", label: "体裁分类" },
    { key: "validity", label: "有效性", required: true, options: VALIDITY },
  ],
  interpretation: [
    { key: "interpreter", label: "解读机关", required: true },
    { key: "policy_ref", label: "所解读的政策", hint: "政策编号，如 pol-001" },
  ],
  news: [
    { key: "source", label: "来源" },
    { key: "author", label: "作者" },
  ],
  notice: [{ key: "source", label: "来源" }],
  page: [],
  report: [],
};

/** Keeps only the type's fields, trimmed, and checks them; throws a UserError listing problems. */
export function cleanMetadata(type: DocumentType, raw: Record<string, unknown>): Record<string, string> {
  const problems = new Problems();
  const clean: Record<string, string> = {};
  for (const field of METADATA_FIELDS[type]) {
    const value = String(raw[field.key] ?? "").trim();
    if (!value) {
      if (field.required) problems.add(`meta.${field.key}`, `请填写${field.label}`);
      continue;
    }
    if (value.length > 200) problems.add(`meta.${field.key}`, `${field.label}不超过 200 字`);
    if (field.pattern === DATE && field.pattern.test(value) && !isRealDate(value)) {
      problems.add(`meta.${field.key}`, `${field.label}格式不正确：${value} 不是有效日期`);
    } else if (field.pattern && !field.pattern.test(value)) {
      problems.add(`meta.${field.key}`, `${field.label}格式不正确${field.hint ? `（${field.hint}）` : ""}`);
    }
    if (field.options && !field.options.includes(value))
      problems.add(`meta.${field.key}`, `请选择${field.label}`);
    clean[field.key] = value;
  }
  problems.throwIfAny();
  return clean;
}

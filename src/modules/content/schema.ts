import type { Generated, Selectable } from "kysely";

export const DOCUMENT_TYPES = ["news", "notice", "policy", "interpretation", "page", "report"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const DOCUMENT_TYPE_LABELS: Record<DocumentType, string> = {
  news: "新闻动态",
  notice: "通知公告",
  policy: "政策文件",
  interpretation: "政策解读",
  page: "单页",
  report: "年度报告",
};

export type VersionStatus = "draft" | "in_review" | "approved" | "rejected" | "superseded";

export const VERSION_STATUS_LABELS: Record<VersionStatus, string> = {
  draft: "草稿",
  in_review: "审核中",
  approved: "已通过",
  rejected: "已退回",
  superseded: "已被替代",
};

export interface DocumentsTable {
  id: Generated<number>;
  ref: string | null;
  type: DocumentType;
  site_id: number;
  department_id: number | null;
  created_by: number | null;
  created_at: Generated<Date>;
  live_version_id: number | null;
  first_published_at: Date | null;
  live_changed_at: Date | null;
  withdrawn_at: Date | null;
  withdrawn_reason: string | null;
  /** 索引号, given once at first publication (policies and interpretations); never changed. */
  index_no: string | null;
}

export interface DocumentVersionsTable {
  id: Generated<number>;
  document_id: number;
  number: number;
  title: string;
  summary: Generated<string>;
  body_html: Generated<string>;
  metadata: Generated<Record<string, string>>;
  attachment_ids: Generated<number[]>;
  author_id: number | null;
  created_at: Generated<Date>;
  status: Generated<VersionStatus>;
  review_level: number | null;
  publish_at: Date | null;
  submitted_at: Date | null;
  approved_at: Date | null;
  /** When this version became the live one (null: not yet, or never). */
  went_live_at: Generated<Date | null>;
}

export interface PlacementsTable {
  document_id: number;
  column_id: number;
  is_primary: Generated<boolean>;
  placed_by: number | null;
  placed_at: Generated<Date>;
  /** Kept by triggers (0026): the column's site, and whether and when the document is public. */
  site_id: Generated<number>;
  live: Generated<boolean>;
  published_at: Generated<Date | null>;
}

export interface AttachmentsTable {
  id: Generated<number>;
  document_id: number;
  filename: string;
  mime: string;
  size: number;
  sha256: string;
  storage_key: string;
  uploaded_by: number | null;
  created_at: Generated<Date>;
}

export interface ReviewDecisionsTable {
  id: Generated<number>;
  version_id: number;
  level: number;
  step_name: string;
  decision: "approve" | "reject";
  comment: Generated<string>;
  reviewer_id: number;
  created_at: Generated<Date>;
}

export interface ContentTables {
  documents: DocumentsTable;
  document_versions: DocumentVersionsTable;
  placements: PlacementsTable;
  attachments: AttachmentsTable;
  review_decisions: ReviewDecisionsTable;
}

export type DocumentRow = Selectable<DocumentsTable>;
export type VersionRow = Selectable<DocumentVersionsTable>;
export type AttachmentRow = Selectable<AttachmentsTable>;

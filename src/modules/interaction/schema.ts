import type { Generated, Selectable } from "kysely";

export const LETTER_TYPES = ["咨询", "投诉", "建议", "求助"] as const;
export type LetterType = (typeof LETTER_TYPES)[number];

export const RATINGS = ["非常满意", "满意", "基本满意", "不满意"] as const;
export type Rating = (typeof RATINGS)[number];

export const LETTER_STATES = {
  submitted: "待受理",
  accepted: "已受理",
  assigned: "已转办，承办中",
  reviewing: "答复审核中",
  replied: "已答复，待评价",
  closed: "已办结",
  rejected: "不予受理",
} as const;
export type LetterState = keyof typeof LETTER_STATES;

export interface Suggestion {
  siteId: number;
  ref: string;
  name: string;
  score: number;
}

export interface LetterSlasTable {
  type: LetterType;
  accept_hours: number;
  handle_days: number;
  reply_days: number;
  updated_at: Generated<Date>;
}

export interface LetterRoutingTermsTable {
  department_id: number;
  terms: Generated<string>;
  updated_at: Generated<Date>;
}

export interface LettersTable {
  id: Generated<number>;
  ref: string | null;
  tracking_no: string;
  query_code_hash: Buffer;
  mailbox_site_id: number;
  handling_site_id: number | null;
  citizen_id: number | null;
  type: LetterType;
  title: string;
  body: string;
  contact_name_enc: Buffer;
  contact_name_masked: string;
  phone_enc: Buffer;
  phone_index: Buffer | null;
  phone_masked: string;
  email_enc: Buffer | null;
  publish_consent: Generated<boolean>;
  suggestions: Generated<Suggestion[]>;
  state: LetterState;
  submitted_at: Generated<Date>;
  accept_due_at: Date | null;
  accepted_at: Date | null;
  reject_reason: Generated<string>;
  clock_started_on: string | null;
  clock_limit_days: number | null;
  handle_due_on: string | null;
  reply_due_on: string | null;
  first_reply_due_on: string | null;
  first_replied_at: Date | null;
  reopened: Generated<boolean>;
  escalated_at: Date | null;
  alarmed_at: Date | null;
  closed_at: Date | null;
  published_at: Date | null;
}

export interface LetterAttachmentsTable {
  id: Generated<number>;
  letter_id: number;
  filename: string;
  mime: string;
  size: number;
  sha256: string;
  storage_key: string;
  created_at: Generated<Date>;
}

export interface LetterRepliesTable {
  id: Generated<number>;
  letter_id: number;
  round: number;
  site_id: number;
  body: string;
  status: "in_review" | "returned" | "sent";
  drafted_by: number | null;
  reviewed_by: number | null;
  review_comment: Generated<string>;
  created_at: Generated<Date>;
  sent_at: Date | null;
  rating: Rating | null;
  rating_comment: Generated<string>;
  rated_at: Date | null;
}

export type Letter = Selectable<LettersTable>;
export type LetterReply = Selectable<LetterRepliesTable>;
export type LetterSla = Selectable<LetterSlasTable>;

export interface InteractionTables extends ConsultationTables, SurveyTables, InterviewTables {
  letter_slas: LetterSlasTable;
  letter_routing_terms: LetterRoutingTermsTable;
  letters: LettersTable;
  letter_attachments: LetterAttachmentsTable;
  letter_replies: LetterRepliesTable;
}

/* ------------------------------------------------------------------ 民意征集 and moderation */

export interface ModerationWordsTable {
  word: string;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface ConsultationsTable {
  id: Generated<number>;
  site_id: number;
  title: string;
  summary: Generated<string>;
  opens_on: string;
  closes_on: string;
  published_at: Date | null;
  adoption_report: Generated<string>;
  adoption_published_at: Date | null;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface ConsultationSectionsTable {
  id: Generated<number>;
  consultation_id: number;
  position: number;
  heading: string;
  body: Generated<string>;
}

export type CommentStatus = "visible" | "held" | "rejected";

export interface ConsultationCommentsTable {
  id: Generated<number>;
  consultation_id: number;
  section_id: number | null;
  citizen_id: number;
  body: string;
  status: CommentStatus;
  held_words: Generated<string[]>;
  reject_reason: Generated<string>;
  moderated_by: number | null;
  moderated_at: Date | null;
  created_at: Generated<Date>;
}

export interface ConsultationVotesTable {
  section_id: number;
  citizen_id: number;
  stance: "support" | "oppose";
  created_at: Generated<Date>;
}

export type Consultation = Selectable<ConsultationsTable>;
export type ConsultationSection = Selectable<ConsultationSectionsTable>;

export interface ConsultationTables {
  moderation_words: ModerationWordsTable;
  consultations: ConsultationsTable;
  consultation_sections: ConsultationSectionsTable;
  consultation_comments: ConsultationCommentsTable;
  consultation_votes: ConsultationVotesTable;
}

/* ------------------------------------------------------------------ 调查问卷 */

export const QUESTION_KINDS = {
  single: "单选",
  multiple: "多选",
  text: "填空",
  rating: "评分",
  matrix: "矩阵",
} as const;
export type QuestionKind = keyof typeof QUESTION_KINDS;

export interface SurveysTable {
  id: Generated<number>;
  site_id: number;
  title: string;
  intro: Generated<string>;
  opens_on: string;
  closes_on: string;
  response_rule: "account" | "browser";
  results_public: Generated<boolean>;
  source: string;
  published_at: Date | null;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface SurveyQuestionsTable {
  id: Generated<number>;
  survey_id: number;
  position: number;
  kind: QuestionKind;
  prompt: string;
  required: Generated<boolean>;
  options: Generated<string[]>;
  rows: Generated<string[]>;
  jumps: Generated<(number | null)[]>;
}

export type SurveyAnswer = number | number[] | string | Record<string, number>;

export interface SurveyResponsesTable {
  id: Generated<number>;
  survey_id: number;
  citizen_id: number | null;
  browser_hash: Buffer | null;
  answers: Record<string, SurveyAnswer>;
  created_at: Generated<Date>;
}

export type Survey = Selectable<SurveysTable>;
export type SurveyQuestion = Selectable<SurveyQuestionsTable>;

export interface SurveyTables {
  surveys: SurveysTable;
  survey_questions: SurveyQuestionsTable;
  survey_responses: SurveyResponsesTable;
}

/* ------------------------------------------------------------------ 在线访谈 */

export interface InterviewsTable {
  id: Generated<number>;
  site_id: number;
  title: string;
  topic: Generated<string>;
  guests: Generated<string>;
  scheduled_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  video_url: Generated<string>;
  published_at: Date | null;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface InterviewQuestionsTable {
  id: Generated<number>;
  interview_id: number;
  citizen_id: number | null;
  nickname: string;
  body: string;
  status: "pending" | "answered" | "rejected";
  held_words: Generated<string[]>;
  reject_reason: Generated<string>;
  moderated_by: number | null;
  created_at: Generated<Date>;
}

export interface InterviewEntriesTable {
  id: Generated<number>;
  interview_id: number;
  speaker: string;
  question: Generated<string>;
  asker: Generated<string>;
  body: string;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface InterviewPhotosTable {
  id: Generated<number>;
  interview_id: number;
  filename: string;
  mime: string;
  size: number;
  storage_key: string;
  caption: Generated<string>;
  created_at: Generated<Date>;
}

export type Interview = Selectable<InterviewsTable>;
export type InterviewEntry = Selectable<InterviewEntriesTable>;

export interface InterviewTables {
  interviews: InterviewsTable;
  interview_questions: InterviewQuestionsTable;
  interview_entries: InterviewEntriesTable;
  interview_photos: InterviewPhotosTable;
}

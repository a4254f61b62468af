import type { Generated, Selectable } from "kysely";

export interface FaqsTable {
  id: Generated<number>;
  ref: string | null;
  question: string;
  answer: string;
  department_id: number | null;
  refs: Generated<string[]>;
  tags: Generated<string[]>;
  published: Generated<boolean>;
  updated_by: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type QuestionOutcome = "answered" | "clarify" | "unknown" | "refused";

export const OUTCOME_LABELS: Record<QuestionOutcome, string> = {
  answered: "已回答",
  clarify: "追问",
  unknown: "未能回答",
  refused: "超出范围",
};

export interface AssistantQuestionsTable {
  id: Generated<number>;
  question: string;
  outcome: QuestionOutcome;
  top_ref: string | null;
  rating: number | null;
  resolved_at: Date | null;
  resolved_by: number | null;
  faq_id: number | null;
  created_at: Generated<Date>;
}

export interface AssistantTables {
  faqs: FaqsTable;
  assistant_questions: AssistantQuestionsTable;
}

export type FaqRow = Selectable<FaqsTable>;

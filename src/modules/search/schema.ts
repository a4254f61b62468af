import type { Generated, Selectable } from "kysely";

export const RECORD_TYPES = ["policy", "interpretation", "service", "faq", "letter", "news"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const RECORD_TYPE_LABELS: Record<RecordType, string> = {
  policy: "政策文件",
  interpretation: "政策解读",
  service: "办事服务",
  faq: "问答",
  letter: "互动",
  news: "新闻",
};

export interface SearchRecordsTable {
  id: Generated<number>;
  source: string;
  key: string;
  ref: string | null;
  type: RecordType;
  title: string;
  body: Generated<string>;
  url: string;
  site_ids: Generated<number[]>;
  department: Generated<string>;
  published_at: Date | null;
  validity: string | null;
  tsv: unknown;
  title_tsv: unknown;
  updated_at: Generated<Date>;
}

export interface SearchTermsTable {
  term: string;
  pinyin: string;
  df: Generated<number>;
}

export type SynonymKind = "equivalent" | "related" | "replace";

export interface SearchSynonymsTable {
  id: Generated<number>;
  kind: SynonymKind;
  words: string[];
  created_at: Generated<Date>;
}

export interface SearchHotWordsTable {
  id: Generated<number>;
  word: string;
  position: Generated<number>;
  created_at: Generated<Date>;
}

export interface SearchQueriesTable {
  id: Generated<number>;
  query: string;
  corrected: string | null;
  site_id: number | null;
  result_count: number;
  created_at: Generated<Date>;
}

export interface SearchClicksTable {
  id: Generated<number>;
  query_id: number;
  record_id: number;
  position: number;
  created_at: Generated<Date>;
}

export interface SearchTables {
  search_records: SearchRecordsTable;
  search_terms: SearchTermsTable;
  search_synonyms: SearchSynonymsTable;
  search_hot_words: SearchHotWordsTable;
  search_queries: SearchQueriesTable;
  search_clicks: SearchClicksTable;
}

export type SynonymRow = Selectable<SearchSynonymsTable>;
export type SearchRecordRow = Selectable<SearchRecordsTable>;

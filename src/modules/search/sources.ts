import { faqSearchSource } from "../assistant/faq-source.ts";
import { contentSearchSource } from "../content/search-source.ts";
import { registerSearchSource } from "./registry.ts";

/**
 * Every module whose public records are searchable registers its source here, once. A module then
 * calls indexRecord(db, "<name>", key) where it publishes or withdraws one record.
 */
registerSearchSource(contentSearchSource);
registerSearchSource(faqSearchSource);

export { indexRecord, rebuildSearchIndex } from "./registry.ts";

import { faqSearchSource } from "../assistant/faq-source.ts";
import { contentSearchSource } from "../content/search-source.ts";
import { letterSearchSource } from "../interaction/search-source.ts";
import { serviceSearchSource } from "../services/search-source.ts";
import { registerSearchSource } from "./registry.ts";

/**
 * Every module whose public records are searchable registers its source here, once, and calls
 * indexRecord(db, "<name>", key) in the transaction where it publishes or withdraws one record.
 * A source lists its public records and loads one by key (undefined when not public); records of
 * the demo corpus carry their corpus id as `ref` (svc-001 ...). The services module, for example:
 *
 *   registerSearchSource(serviceSearchSource);                  // here, next to the others
 *   await indexRecord(trx, "services", String(serviceId));      // in its publish and withdraw
 *
 * with type "service" and url the 办事指南 page; `npm run zhengwu -- seed` or 后台“重建索引”
 * fills the index for records imported without going through publish.
 */
registerSearchSource(contentSearchSource);
registerSearchSource(faqSearchSource);
registerSearchSource(serviceSearchSource);
registerSearchSource(letterSearchSource);

export { indexRecord, rebuildSearchIndex } from "./registry.ts";

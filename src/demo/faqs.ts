import { readFile } from "node:fs/promises";
import path from "node:path";
import type { AppContext } from "../core/context.ts";
import { rebuildSearchIndex } from "../modules/search/sources.ts";

interface CorpusFaq {
  id: string;
  question: string;
  answer: string;
  department: string | null;
  refs: string[];
  tags: string[];
}

/** The 220 常见问题 of demo/faqs.json into the assistant's knowledge base, then the whole search index. */
export async function importFaqsAndIndex(
  ctx: AppContext,
  progress: (message: string) => void,
): Promise<void> {
  const file = path.resolve(import.meta.dirname, "../../demo/faqs.json");
  const { faqs } = JSON.parse(await readFile(file, "utf8")) as { faqs: CorpusFaq[] };
  const departments = new Map(
    (await ctx.db.selectFrom("departments").select(["id", "ref"]).execute()).map((d) => [d.ref, d.id]),
  );
  await ctx.db
    .insertInto("faqs")
    .values(
      faqs.map((f) => ({
        ref: f.id,
        question: f.question,
        answer: f.answer,
        department_id: (f.department && departments.get(f.department)) || null,
        refs: f.refs,
        tags: f.tags,
        updated_by: null,
      })),
    )
    .onConflict((oc) => oc.column("ref").doNothing())
    .execute();
  progress(`常见问题 ${faqs.length} 条`);
  const indexed = await rebuildSearchIndex(ctx.db);
  progress(`站内搜索索引 ${indexed} 条`);
}

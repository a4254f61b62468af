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

/** The platform's own answer about 长辈版, so its other names (关怀版, 长者模式) find it too. */
const ELDER_MODE_FAQ = {
  ref: null,
  question: "网站有没有方便老年人使用的长辈版（关怀版、长者模式）？",
  answer:
    "有。每个页面顶部都有“长辈版”入口，点一下即可切换：字号放大到 18 磅以上、按钮更大，首页先列出常用服务，没有弹窗和动画；再点“退出长辈版”恢复。页面顶部的“无障碍”还可以调大字号、切换高对比度或深色、加大行距、使用大鼠标，并能朗读正文。设置会自动记住，不需要登录。",
  department_id: null,
  refs: [],
  tags: ["长辈版", "关怀版", "长者模式", "适老化", "老年人", "无障碍", "大字版"],
  updated_by: null,
};

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
  await ctx.db.insertInto("faqs").values(ELDER_MODE_FAQ).execute();
  progress(`常见问题 ${faqs.length + 1} 条`);
  const indexed = await rebuildSearchIndex(ctx.db);
  progress(`站内搜索索引 ${indexed} 条`);
}

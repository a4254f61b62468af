/**
 * Routing accuracy on an evaluation set of the corpus (`routing` array): the model the demo city
 * starts with (duties, the demo keywords, the answered demo letters), top-1 strict and lenient.
 *
 *   npx tsx src/modules/interaction/routing-eval.ts [../shared/corpus/eval-dev.json]
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { DEMO_ROUTING_TERMS } from "../../demo/interaction.ts";
import { buildModel, rank } from "./routing.ts";

interface Case {
  id: string;
  title: string;
  body: string;
  expected_department: string;
  acceptable_departments: string[];
}

const demo = path.resolve(import.meta.dirname, "../../../demo");
const file = process.argv[2] ?? path.resolve(import.meta.dirname, "../../../../shared/corpus/eval-dev.json");
const read = async <T>(f: string) => JSON.parse(await readFile(f, "utf8")) as T;
const site = await read<{ departments: { id: string; name: string; duties: string }[] }>(
  path.join(demo, "site.json"),
);
const { letters } = await read<{
  letters: {
    title: string;
    body: string;
    expected_department: string;
    model_reply: { department: string } | null;
  }[];
}>(path.join(demo, "letters.json"));
const { routing } = await read<{ routing: Case[] }>(file);

const model = buildModel(
  site.departments.map((d, i) => ({
    siteId: i + 1,
    ref: d.id,
    name: d.name,
    duties: d.duties,
    terms: DEMO_ROUTING_TERMS[d.id] ?? "",
    examples: letters
      .filter((l) => l.model_reply && l.model_reply.department === d.id)
      .map((l) => `${l.title} ${l.body}`),
  })),
);
let strict = 0;
let lenient = 0;
for (const c of routing) {
  const best = rank(model, c.title, c.body, 1)[0]?.ref ?? "";
  if (best === c.expected_department) strict += 1;
  if (best === c.expected_department || c.acceptable_departments.includes(best)) lenient += 1;
  else console.log(`✗ ${c.id} ${c.title}: 应为 ${c.expected_department}，建议 ${best || "（无）"}`);
}
const pct = (n: number) => `${((n / routing.length) * 100).toFixed(1)}%`;
console.log(`来信分办 ${routing.length} 件：严格口径 top-1 ${pct(strict)}，宽松口径 ${pct(lenient)}`);

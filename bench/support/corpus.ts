/** Text for generated benchmark records: the demo corpus's titles and sentences, drawn repeatably. */
import { readFile } from "node:fs/promises";
import path from "node:path";

const DEMO = path.resolve(import.meta.dirname, "../../demo");

/** A small deterministic generator, so every run writes the same records. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** FAQ questions and policy titles; the sentences of answers and policy bodies. */
export async function corpusText(): Promise<{ titles: string[]; sentences: string[] }> {
  const read = async (file: string) => JSON.parse(await readFile(path.join(DEMO, file), "utf8"));
  const faqs = (await read("faqs.json")).faqs as { question: string; answer: string }[];
  const policies = (await read("policies.json")).policies as { title: string; body: string }[];
  const titles = [...faqs.map((f) => f.question), ...policies.map((p) => p.title)];
  const sentences = [...faqs.map((f) => f.answer), ...policies.map((p) => p.body)]
    .flatMap((t) => t.split(/(?<=[。；])/))
    .map((s) => s.trim())
    .filter((s) => s.length > 8);
  return { titles, sentences };
}

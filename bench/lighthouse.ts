/**
 * Lighthouse over the pages citizens use most, in Debian's Chromium with Lighthouse's mobile
 * settings: prints the four category scores per page and the lowest of each.
 *
 *   npm run lighthouse                      a throwaway instance with the demo city
 *   npm run lighthouse -- --url http://127.0.0.1:3000   an instance already running
 */
import { parseArgs } from "node:util";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { inProcessApp } from "./support/instance.ts";

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;
const TARGETS: Record<(typeof CATEGORIES)[number], number> = {
  performance: 95,
  accessibility: 100,
  "best-practices": 100,
  seo: 95,
};

/** The pages issue 7 names: home, a list, a policy, a service guide and the letter form (when present). */
const PAGES = ["/", "/col/zcwj/", "/ref/pol-001", "/ref/svc-001", "/xj/write/"];

/** Follows /ref/ redirects so Lighthouse audits the page itself; undefined when the record is absent. */
async function resolvePage(base: string, page: string): Promise<string | undefined> {
  const response = await fetch(`${base}${page}`, { redirect: "manual" });
  if (response.status >= 300 && response.status < 400)
    return new URL(response.headers.get("location") ?? "/", base).toString();
  return response.status === 200 ? `${base}${page}` : undefined;
}

type Report = NonNullable<Awaited<ReturnType<typeof lighthouse>>>["lhr"];

/** The audits that cost points, so a score below target says why. */
function shortfalls(lhr: Report | undefined): string[] {
  if (!lhr) return ["（Lighthouse 没有返回结果）"];
  if (lhr.runtimeError) return [`运行错误：${lhr.runtimeError.message}`];
  return CATEGORIES.flatMap((c) =>
    (lhr.categories[c]?.auditRefs ?? [])
      .filter((ref) => ref.weight > 0)
      .map((ref) => lhr.audits[ref.id])
      .filter((audit) => audit && audit.score !== null && audit.score < 1)
      .map((audit) => `${c}: ${audit?.id} ${audit?.displayValue ?? ""}`.trim()),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: "string" } } });
  const instance = values.url
    ? { url: values.url.replace(/\/$/, ""), stop: async () => {} }
    : await inProcessApp({ name: "lighthouse" });
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
    chromeFlags: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const lowest = Object.fromEntries(CATEGORIES.map((c) => [c, 100])) as Record<
    (typeof CATEGORIES)[number],
    number
  >;
  try {
    process.stdout.write(`${["页面", ...CATEGORIES].join("\t")}\n`);
    for (const page of PAGES) {
      const url = await resolvePage(instance.url, page);
      if (!url) {
        process.stdout.write(`${page}\t（本实例没有这个页面，跳过）\n`);
        continue;
      }
      const audit = () =>
        lighthouse(url, {
          port: chrome.port,
          output: "json",
          logLevel: "error",
          onlyCategories: [...CATEGORIES],
        });
      // a trace now and then fails to record (NO_NAVSTART): one more run, as Lighthouse itself advises
      let result = await audit();
      if (result?.lhr.runtimeError) result = await audit();
      const scores = CATEGORIES.map((c) => Math.round((result?.lhr.categories[c]?.score ?? 0) * 100));
      CATEGORIES.forEach((c, i) => {
        lowest[c] = Math.min(lowest[c], scores[i] ?? 0);
      });
      process.stdout.write(`${new URL(url).pathname}\t${scores.join("\t")}\n`);
      for (const line of shortfalls(result?.lhr)) process.stdout.write(`  ${line}\n`);
    }
    process.stdout.write(
      `最低分\t${CATEGORIES.map((c) => `${lowest[c]}${lowest[c] >= TARGETS[c] ? "" : `（目标 ${TARGETS[c]}）`}`).join("\t")}\n`,
    );
  } finally {
    chrome.kill();
    await instance.stop();
  }
}

await main();

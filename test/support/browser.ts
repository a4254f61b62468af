import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium, headless, with the flags this closed network needs (no background calls home). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
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
}

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** axe-core's WCAG 2.1 A/AA violations on the page, or only inside `within` (a CSS selector). */
export async function axeViolations(page: Page, within?: string): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(
    async ({ tags, within }) => {
      const axe = (
        globalThis as unknown as {
          axe: { run(context: unknown, options: unknown): Promise<{ violations: never }> };
        }
      ).axe;
      const result = await axe.run(within ? { include: [within] } : document, {
        runOnly: { type: "tag", values: tags },
        resultTypes: ["violations"],
      });
      return result.violations;
    },
    { tags: AXE_TAGS, within },
  );
}

export function describeViolations(url: string, violations: AxeViolation[]): string {
  const lines = violations.map(
    (v) =>
      `  [${v.impact ?? "?"}] ${v.id}: ${v.help}\n${v.nodes
        .slice(0, 5)
        .map(
          (n) =>
            `      ${JSON.stringify(n.target)}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, " ")}` : ""}`,
        )
        .join("\n")}`,
  );
  return `${url}: ${violations.length} 项无障碍问题\n${lines.join("\n")}`;
}

/** Runs axe-core (WCAG 2.1 A and AA) on the page and fails with a readable list of violations. */
export async function assertAccessible(page: Page, path: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, describeViolations(path, violations));
}

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";

/** A client island bundled for the browser, named by its content hash so it can be cached forever. */
export interface Island {
  name: string;
  url: string;
  code: string;
}

const ISLANDS = ["rich-text", "a11y", "live-feed", "search-suggest", "assistant-widget"] as const;
export type IslandName = (typeof ISLANDS)[number];

let built: Map<IslandName, Island> | undefined;
let stylesheet: { url: string; code: string } | undefined;

const contentHash = (code: string) => createHash("sha256").update(code).digest("hex").slice(0, 12);

/** The design system's stylesheet under a name that changes with its content (cached immutably). */
export function stylesheetUrl(): string {
  return stylesheet?.url ?? "/assets/site.css";
}

export function stylesheetByUrl(url: string): string | undefined {
  return stylesheet && url === stylesheet.url ? stylesheet.code : undefined;
}

/** The URL of a built island, for a <script> tag; undefined before `buildIslands` ran. */
export function islandUrl(name: IslandName): string | undefined {
  return built?.get(name)?.url;
}

export function islandByUrl(url: string): Island | undefined {
  return [...(built?.values() ?? [])].find((i) => i.url === url);
}

/** Bundles every island once per process (a few milliseconds each with esbuild). */
export async function buildIslands(): Promise<Map<IslandName, Island>> {
  if (built) return built;
  const result = new Map<IslandName, Island>();
  for (const name of ISLANDS) {
    const out = await build({
      entryPoints: [path.join(import.meta.dirname, "islands", `${name}.ts`)],
      bundle: true,
      minify: true,
      format: "iife",
      target: ["es2020"],
      write: false,
      legalComments: "none",
    });
    const code = out.outputFiles[0]?.text ?? "";
    result.set(name, { name, url: `/assets/islands/${name}.${contentHash(code)}.js`, code });
  }
  const css = await readFile(path.join(import.meta.dirname, "assets", "site.css"), "utf8");
  stylesheet = { url: `/assets/site.${contentHash(css)}.css`, code: css };
  built = result;
  return result;
}

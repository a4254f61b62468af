import { createHash } from "node:crypto";
import path from "node:path";
import { build } from "esbuild";

/** A client island bundled for the browser, named by its content hash so it can be cached forever. */
export interface Island {
  name: string;
  url: string;
  code: string;
}

const ISLANDS = ["rich-text", "search-suggest"] as const;
export type IslandName = (typeof ISLANDS)[number];

let built: Map<IslandName, Island> | undefined;

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
    const hash = createHash("sha256").update(code).digest("hex").slice(0, 12);
    result.set(name, { name, url: `/assets/islands/${name}.${hash}.js`, code });
  }
  built = result;
  return result;
}

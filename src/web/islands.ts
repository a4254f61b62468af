import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { brotliCompress, gzip, constants as zlib } from "node:zlib";
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

/** The URL of a built island, for a <script> tag; undefined before `buildIslands` ran. */
export function islandUrl(name: IslandName): string | undefined {
  return built?.get(name)?.url;
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

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Written under a temporary name and renamed, so a process serving the directory never sees half a file. */
async function writeOnce(file: string, data: Buffer | string): Promise<void> {
  if (await exists(file)) return;
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, file);
}

/**
 * Writes the fingerprinted assets (stylesheet, islands) to `dir` as files the static server sends
 * as they are, each with brotli (.br, best quality: done once per build) and gzip (.gz) siblings
 * chosen by Accept-Encoding. Their names change with their content, so they are cached immutably.
 */
export async function writeBuiltAssets(dir: string): Promise<void> {
  const islands = await buildIslands();
  const files: [string, string][] = [...islands.values()].map((i) => [i.url, i.code]);
  if (stylesheet) files.push([stylesheet.url, stylesheet.code]);
  for (const [url, code] of files) {
    const file = path.join(dir, url.replace(/^\/assets\//, ""));
    await mkdir(path.dirname(file), { recursive: true });
    const bytes = Buffer.from(code);
    await writeOnce(`${file}.br`, await brotli(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
    await writeOnce(`${file}.gz`, await gzipAsync(bytes, { level: 9 }));
    await writeOnce(file, bytes);
  }
}

/** Fingerprinted asset names (name.{12 hex}.css|js) may be cached for a year. */
export const FINGERPRINTED_ASSET = /\.[0-9a-f]{12}\.(?:css|js)(?:\.br|\.gz)?$/;

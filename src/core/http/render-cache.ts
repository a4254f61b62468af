import { promisify } from "node:util";
import { brotliCompress, gzip, constants as zlib } from "node:zlib";
import type { FastifyRequest } from "fastify";
import type { PublicChange } from "../changes.ts";

/**
 * The in-process render cache: rendered HTML of anonymous public pages, so a hit answers without
 * touching the database. Bounded by bytes (least recently used goes first), emptied by the public
 * change feed (the changed site, the portal, which gathers from every site, and pages of no one
 * site; everything on a cluster-wide change or after losing the feed), and never older than maxAge.
 */

/** Where a page belongs, for invalidation: a site id, the portal, or no one site. */
type Bucket = number | "portal" | "any";

export type PageEncoding = "br" | "gzip";

const compressors: Record<PageEncoding, (body: Buffer) => Promise<Buffer>> = {
  // once per cached page, so the smallest output is worth the time (unlike per-request pages)
  br: (body) =>
    promisify(brotliCompress)(body, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
    }),
  gzip: (body) => promisify(gzip)(body, { level: 9 }),
};

export interface CachedPage {
  body: Buffer;
  /** The response headers as first sent (security headers, type, caching, validators). */
  headers: Record<string, string>;
  /** The body compressed once, filled in the background on the first hit that asks for it. */
  encoded: Partial<Record<PageEncoding, Buffer>>;
  etag: string;
  /** HTTP date, or null when the feed's time was not known yet */
  lastModified: string | null;
  bucket: Bucket;
  storedAt: number;
  size: number;
}

const siteOfRequest = new WeakMap<FastifyRequest, Bucket>();

/** Called by the site frame: this page shows `site` (invalidated with that site's changes). */
export function tagPageSite(request: FastifyRequest, site: { id: number; kind: string }): void {
  siteOfRequest.set(request, site.kind === "portal" ? "portal" : site.id);
}

// Query-logging pages (search, the assistant) and APIs render per visit on purpose.
const UNCACHED_PATH =
  /^(?:\/sites\/[^/]+)?\/(?:search|assistant|api)(?:[/?]|$)|^\/(?:admin|account|my)(?:[/?]|$)/;

/** The cache key of a GET (host as sent, and the whole URL), or null for pages never cached. */
export function renderCacheKey(request: {
  method?: string;
  url?: string;
  headers: { host?: string };
}): string | null {
  const url = request.url ?? "";
  if (request.method !== "GET" || UNCACHED_PATH.test(url)) return null;
  return `${request.headers.host ?? ""}${url}`;
}

export class RenderCache {
  readonly #pages = new Map<string, CachedPage>();
  readonly #maxBytes: number;
  readonly #maxAgeMs: number;
  #bytes = 0;
  readonly #compressing = new Set<string>();
  /** Bumped on every invalidation: a render that began before one may hold old data and is not kept. */
  #generation = 0;
  /** Newest change time per site ("any" = cluster-wide), from the feed: the pages' Last-Modified. */
  readonly #changedAt = new Map<number | "any", number>();

  constructor(maxBytes: number, maxAgeMs: number) {
    this.#maxBytes = maxBytes;
    this.#maxAgeMs = maxAgeMs;
  }

  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#pages.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  bucketOf(request: FastifyRequest): Bucket {
    return siteOfRequest.get(request) ?? "any";
  }

  get(key: string): CachedPage | undefined {
    const page = this.#pages.get(key);
    if (!page) return undefined;
    if (Date.now() - page.storedAt > this.#maxAgeMs) {
      this.#remove(key, page);
      return undefined;
    }
    // most recently used moves to the end of the map's order
    this.#pages.delete(key);
    this.#pages.set(key, page);
    return page;
  }

  set(
    key: string,
    page: Omit<CachedPage, "size" | "storedAt" | "encoded">,
    renderedInGeneration: number,
  ): void {
    if (renderedInGeneration !== this.#generation) return;
    const size = page.body.length + key.length;
    if (size > this.#maxBytes / 4) return;
    const old = this.#pages.get(key);
    if (old) this.#remove(key, old);
    this.#pages.set(key, { ...page, encoded: {}, size, storedAt: Date.now() });
    this.#bytes += size;
    for (const [oldest, entry] of this.#pages) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#remove(oldest, entry);
    }
  }

  /** Compresses a cached page once in the background; later hits send those bytes as they are. */
  compressLater(key: string, page: CachedPage, encoding: PageEncoding): void {
    if (page.encoded[encoding] || this.#compressing.has(`${encoding}:${key}`)) return;
    this.#compressing.add(`${encoding}:${key}`);
    compressors[encoding](page.body)
      .then((bytes) => {
        // dropped or replaced meanwhile: nothing to attach it to
        if (this.#pages.get(key) !== page) return;
        page.encoded[encoding] = bytes;
        page.size += bytes.length;
        this.#bytes += bytes.length;
      })
      .catch(() => {})
      .finally(() => this.#compressing.delete(`${encoding}:${key}`));
  }

  /** What the feed reported: drop what it may have changed, and move Last-Modified on. */
  invalidate(change: Pick<PublicChange, "siteId" | "at">): void {
    this.#generation += 1;
    this.#noteChange(change.siteId ?? "any", change.at.getTime());
    if (change.siteId === null) {
      this.clear();
      return;
    }
    for (const [key, page] of this.#pages) {
      if (page.bucket === change.siteId || page.bucket === "portal" || page.bucket === "any")
        this.#remove(key, page);
    }
  }

  clear(): void {
    this.#generation += 1;
    this.#pages.clear();
    this.#bytes = 0;
  }

  /** Seeds the change times from the feed's table. */
  seed(changedAt: { siteId: number | null; at: Date }[]): void {
    for (const row of changedAt) this.#noteChange(row.siteId ?? "any", row.at.getTime());
  }

  /**
   * When a page of this bucket last changed, as an HTTP date: the newest change that would have
   * invalidated it, and at least the start of today, since some pages turn over by date (a
   * consultation closing). Consistent across processes, as it comes from the shared feed.
   */
  lastModified(bucket: Bucket): string {
    const today = new Date();
    today.setHours(0, 0, 0, 0);
    let newest = Math.max(today.getTime(), this.#changedAt.get("any") ?? 0);
    if (bucket === "portal" || bucket === "any") {
      for (const at of this.#changedAt.values()) newest = Math.max(newest, at);
    } else {
      newest = Math.max(newest, this.#changedAt.get(bucket) ?? 0);
    }
    return new Date(Math.floor(newest / 1000) * 1000).toUTCString();
  }

  #noteChange(bucket: number | "any", at: number): void {
    if (at > (this.#changedAt.get(bucket) ?? 0)) this.#changedAt.set(bucket, at);
  }

  #remove(key: string, page: CachedPage): void {
    this.#pages.delete(key);
    this.#bytes -= page.size;
  }
}

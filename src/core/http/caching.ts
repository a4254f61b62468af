import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { lastChangeTimes, listenForPublicChanges } from "../changes.ts";
import type { AppContext } from "../context.ts";
import { type PageEncoding, RenderCache, renderCacheKey } from "./render-cache.ts";

/** Shared caches (nginx, a CDN) may hold an anonymous page briefly and serve it stale while refetching. */
export const SHARED_PAGE_CACHE = "public, max-age=0, s-maxage=60, stale-while-revalidate=300";
const PRIVATE_PAGE_CACHE = "private, no-cache";
const VARY = "Cookie, Accept-Encoding";

function hasPersonalCookie(request: FastifyRequest, cookies: string[]): boolean {
  return cookies.some((name) => request.cookies[name]);
}

/** The same test on the raw Cookie header, for the fast path that runs before cookies are parsed. */
function rawHasCookie(header: string | undefined, cookies: string[]): boolean {
  if (!header) return false;
  return header.split(";").some((pair) => {
    const [name = "", value = ""] = pair.split("=", 2).map((p) => p.trim());
    return value !== "" && cookies.includes(name);
  });
}

/** Headers never replayed from a stored response: they belong to the message, not the page. */
const MESSAGE_HEADERS = new Set(["content-length", "content-encoding", "set-cookie", "date", "connection"]);

function isPersonal(request: FastifyRequest, reply: FastifyReply, cookies: string[]): boolean {
  if (hasPersonalCookie(request, cookies)) return true;
  // a page that sets a cookie (a form's CSRF token) belongs to this visitor alone
  return reply.getHeader("set-cookie") !== undefined;
}

/** If-None-Match wins when present (RFC 9110); otherwise If-Modified-Since against Last-Modified. */
function notModified(
  request: { headers: FastifyRequest["headers"] },
  etag: string,
  lastModified: string | null,
): boolean {
  const presented = request.headers["if-none-match"];
  if (presented !== undefined) return presented.split(/\s*,\s*/).includes(etag);
  const since = request.headers["if-modified-since"];
  if (!since || !lastModified) return false;
  const sinceMs = Date.parse(since);
  return Number.isFinite(sinceMs) && Date.parse(lastModified) <= sinceMs;
}

/** The encoding a cached page is sent in: brotli when accepted, else gzip, else none. */
function acceptedEncoding(request: { headers: FastifyRequest["headers"] }): PageEncoding | null {
  const accepted = new Set<string>();
  for (const part of (request.headers["accept-encoding"] ?? "").split(",")) {
    const [name = "", ...params] = part.split(";").map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    if (!q || Number(q.slice(2)) > 0) accepted.add(name);
  }
  if (accepted.has("br")) return "br";
  if (accepted.has("gzip")) return "gzip";
  return null;
}

export interface PageCaching {
  renderCache: RenderCache;
  /**
   * Answers a cached anonymous page straight from the HTTP server, before Fastify routes it: the
   * stored bytes and headers, with 304 and precompressed variants. False: Fastify handles it.
   */
  serveFromCache(request: IncomingMessage, response: ServerResponse): boolean;
}

/**
 * Every GET HTML page gets a validator (a hash of its bytes) and answers a matching If-None-Match
 * with 304, so a revisit costs headers only; anonymous pages may be held by shared caches, carry
 * Last-Modified (from the public change feed) and are kept in the render cache, whose hits skip
 * the database. `personalCookies` are those that change what a page shows (a session, display
 * preferences): with one, a page is private and neither cached nor served from the cache.
 */
export async function registerPageCaching(
  app: FastifyInstance,
  ctx: AppContext,
  personalCookies: string[],
): Promise<PageCaching> {
  const cache = new RenderCache(ctx.config.renderCacheBytes, ctx.config.renderCacheMaxAgeMs);
  let seeded = false;
  const listener =
    ctx.config.renderCacheBytes > 0
      ? listenForPublicChanges(ctx, (change) => cache.invalidate(change), {
          onReconnect: () => cache.clear(),
          onError: (error) => app.log.warn({ err: error }, "public change feed: connection lost, retrying"),
        })
      : null;
  void listener?.ready.then(async () => {
    try {
      cache.seed(await lastChangeTimes(ctx));
      seeded = true;
    } catch (error) {
      app.log.warn({ err: error }, "render cache stays off: change times unreadable");
    }
  });
  app.addHook("onClose", async () => {
    await listener?.close();
  });
  // a cache is only as good as its invalidation: without the feed, every page is rendered afresh
  const usable = () => seeded && listener?.isListening() === true;
  const pending = new WeakMap<FastifyRequest, { key: string; generation: number }>();
  const debugPid = process.env.ZHENGWU_DEBUG_PID === "1";

  // hits are answered by serveFromCache, before Fastify; here a miss notes what to keep once rendered
  app.addHook("onRequest", async (request, reply) => {
    if (debugPid) reply.header("X-Zhengwu-Pid", String(process.pid));
    if (!usable() || hasPersonalCookie(request, personalCookies)) return;
    const key = renderCacheKey(request);
    if (key) pending.set(request, { key, generation: cache.generation });
  });

  app.addHook("onSend", async (request, reply, payload) => {
    if (request.method !== "GET" || reply.statusCode !== 200 || typeof payload !== "string") return payload;
    if (!String(reply.getHeader("content-type") ?? "").startsWith("text/html")) return payload;
    if (reply.getHeader("cache-control")) return payload;
    const personal = isPersonal(request, reply, personalCookies);
    reply.header("Cache-Control", personal ? PRIVATE_PAGE_CACHE : SHARED_PAGE_CACHE);
    reply.header("Vary", VARY);
    const etag = `W/"${createHash("sha1").update(payload).digest("base64url").slice(0, 22)}"`;
    reply.header("ETag", etag);
    let lastModified: string | null = null;
    const started = pending.get(request);
    // kept only when no change arrived while it rendered (it might show the data from before)
    if (!personal && started && started.generation === cache.generation && usable()) {
      const bucket = cache.bucketOf(request);
      lastModified = cache.lastModified(bucket);
      reply.header("Last-Modified", lastModified);
      reply.header("X-Render-Cache", "miss");
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(reply.getHeaders()))
        if (value !== undefined && !MESSAGE_HEADERS.has(name)) headers[name] = String(value);
      headers["x-render-cache"] = "hit";
      cache.set(
        started.key,
        { body: Buffer.from(payload), headers, etag, lastModified, bucket },
        started.generation,
      );
    }
    if (notModified(request, etag, lastModified)) {
      reply.code(304);
      return "";
    }
    return payload;
  });
  const serveFromCache = (request: IncomingMessage, response: ServerResponse): boolean => {
    if (request.method !== "GET" || !usable() || rawHasCookie(request.headers.cookie, personalCookies))
      return false;
    const key = renderCacheKey(request);
    const page = key ? cache.get(key) : undefined;
    if (!key || !page) return false;
    const started = performance.now();
    const headers: Record<string, string | number> = { ...page.headers };
    if (debugPid) headers["x-zhengwu-pid"] = String(process.pid);
    let status = 200;
    if (notModified(request, page.etag, page.lastModified)) {
      status = 304;
      response.writeHead(304, headers).end();
    } else {
      const encoding = acceptedEncoding(request);
      const encoded = encoding ? page.encoded[encoding] : undefined;
      if (encoding && !encoded) cache.compressLater(key, page, encoding);
      const body = encoded ?? page.body;
      if (encoded && encoding) headers["content-encoding"] = encoding;
      headers["content-length"] = body.length;
      response.writeHead(200, headers).end(body);
    }
    app.log.info(
      { method: "GET", url: request.url, status, ms: Math.round(performance.now() - started) },
      "request",
    );
    return true;
  };
  return { renderCache: cache, serveFromCache };
}

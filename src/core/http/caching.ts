import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Shared caches (nginx, a CDN) may hold an anonymous page briefly and serve it stale while refetching. */
export const SHARED_PAGE_CACHE = "public, max-age=0, s-maxage=60, stale-while-revalidate=300";
const PRIVATE_PAGE_CACHE = "private, no-cache";

function isPersonal(request: FastifyRequest, reply: FastifyReply, cookies: string[]): boolean {
  if (cookies.some((name) => request.cookies[name])) return true;
  // a page that sets a cookie (a form's CSRF token) belongs to this visitor alone
  return reply.getHeader("set-cookie") !== undefined;
}

/**
 * Every GET HTML page gets a validator (a hash of its bytes) and answers a matching If-None-Match
 * with 304, so a revisit costs headers only; anonymous pages may be held by shared caches.
 * `personalCookies` are those that change what a page shows (a session, display preferences).
 */
export async function registerPageCaching(app: FastifyInstance, personalCookies: string[]): Promise<void> {
  app.addHook("onSend", async (request, reply, payload) => {
    if (request.method !== "GET" || reply.statusCode !== 200 || typeof payload !== "string") return payload;
    if (!String(reply.getHeader("content-type") ?? "").startsWith("text/html")) return payload;
    if (reply.getHeader("cache-control")) return payload;
    const personal = isPersonal(request, reply, personalCookies);
    reply.header("Cache-Control", personal ? PRIVATE_PAGE_CACHE : SHARED_PAGE_CACHE);
    reply.header("Vary", "Cookie, Accept-Encoding");
    const etag = `W/"${createHash("sha1").update(payload).digest("base64url").slice(0, 22)}"`;
    reply.header("ETag", etag);
    const presented = request.headers["if-none-match"];
    if (presented?.split(/\s*,\s*/).includes(etag)) {
      reply.code(304);
      return "";
    }
    return payload;
  });
}

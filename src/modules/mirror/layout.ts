import path from "node:path";

/**
 * Where a page lives in the static mirror. The layout is the one nginx's fallback reads with
 *   try_files /_q$uri/$args.html $uri $uri/index.html
 * so a mirrored URL is found exactly where a visitor's request points:
 *   /col/tzgg/            → col/tzgg/index.html
 *   /art/12.html          → art/12.html            (a name with an extension is kept)
 *   /xj/5                 → xj/5/index.html
 *   /xj/?page=2&type=咨询 → _q/xj/page=2&type=%E5%92%A8%E8%AF%A2.html  (raw query, as nginx's $args)
 * nginx decodes $uri but not $args; the file names follow suit.
 */
export const MIRROR_ORIGIN = "http://mirror.invalid";

const WITH_EXTENSION = /\.[A-Za-z0-9]{1,5}$/;
/** A query-string file name must be one safe path segment. */
const MAX_QUERY_FILE = 200;

/**
 * Paths never mirrored: the staff area, a citizen's own pages, APIs, health checks, click-through
 * redirects, and preference links (the publisher writes one notice page for /a11y/set).
 */
const DYNAMIC_PREFIXES = ["/admin", "/api/", "/healthz", "/readyz", "/search/go/", "/a11y/"];
/** Of a citizen's account pages only the sign-in and registration forms are public. */
const PUBLIC_ACCOUNT = /^\/account\/(login|register|sms)$/;

/** Query parameters of pages worth mirroring (paging and a few fixed filters); any other query is dynamic. */
const MIRRORED_QUERY = new Set(["page", "type", "status"]);

export function isDynamicPath(pathname: string): boolean {
  if (pathname.startsWith("/account") && !PUBLIC_ACCOUNT.test(pathname)) return true;
  const bare = pathname.replace(/^\/sites\/[^/]+/, "");
  return DYNAMIC_PREFIXES.some((p) => bare.startsWith(p) || pathname.startsWith(p));
}

/**
 * The canonical mirror key of a same-site link ("/path?query"), or undefined when the link leaves
 * the site, points at a dynamic path, or carries a query the mirror does not keep.
 */
export function mirrorKey(href: string, from = "/"): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith(MIRROR_ORIGIN)) return undefined;
  if (href.startsWith("//") || href.startsWith("#")) return undefined;
  let url: URL;
  try {
    url = new URL(href, new URL(from, MIRROR_ORIGIN));
  } catch {
    return undefined;
  }
  if (url.origin !== MIRROR_ORIGIN || isDynamicPath(url.pathname)) return undefined;
  if ([...url.searchParams.keys()].some((k) => !MIRRORED_QUERY.has(k))) return undefined;
  return `${url.pathname}${url.search}`;
}

/** The file (relative to the mirror root) holding `key`, or undefined when it cannot be stored safely. */
export function mirrorFile(key: string): string | undefined {
  const url = new URL(key, MIRROR_ORIGIN);
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes("\0") || pathname.split("/").some((s) => s === ".." || s === ".")) return undefined;
  if (url.search) {
    const query = url.search.slice(1);
    if (query.length > MAX_QUERY_FILE || query.includes("/") || query.startsWith(".")) return undefined;
    return path.posix.join("_q", pathname, `${query}.html`);
  }
  if (pathname.endsWith("/")) return path.posix.join(pathname.slice(1), "index.html");
  if (WITH_EXTENSION.test(pathname)) return pathname.slice(1);
  return path.posix.join(pathname.slice(1), "index.html");
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&quot;": '"',
  "&#39;": "'",
  "&lt;": "<",
  "&gt;": ">",
};

/** Every href/src in an HTML page and url() in a stylesheet, entity-decoded. */
export function linksIn(body: string, contentType: string): string[] {
  const found: string[] = [];
  if (contentType.startsWith("text/html")) {
    for (const m of body.matchAll(/\s(?:href|src)="([^"]*)"/g))
      found.push((m[1] ?? "").replace(/&(?:amp|quot|#39|lt|gt);/g, (e) => ENTITIES[e] ?? e));
  } else if (contentType.startsWith("text/css")) {
    for (const m of body.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) found.push(m[1] ?? "");
  }
  return found;
}

import type { FastifyRequest } from "fastify";
import type { AppContext } from "../../core/context.ts";
import { NotFoundError } from "../../core/errors.ts";
import { tagPageSite } from "../../core/http/render-cache.ts";
import type { SiteFrame } from "../../web/layout.tsx";
import { PREFERENCES_COOKIE, parsePreferences } from "../../web/preferences.ts";
import type { Site } from "./schema.ts";
import { columnsOf, portalSite, siteByCode, siteByHost } from "./service.ts";

/**
 * Which site a request is for: a site bound to the request's host serves at "/"; otherwise the
 * portal serves at "/" and every other site under "/sites/{code}".
 */
export async function resolveSite(
  ctx: AppContext,
  request: FastifyRequest,
  code?: string,
): Promise<{ site: Site; base: string }> {
  if (code !== undefined) {
    const site = await siteByCode(ctx, code);
    if (!site) throw new NotFoundError("站点不存在");
    return { site, base: site.kind === "portal" ? "" : `/sites/${site.code}` };
  }
  const hostName = request.hostname.split(":")[0] ?? "";
  const bound = hostName ? await siteByHost(ctx, hostName) : undefined;
  if (bound) return { site: bound, base: "" };
  const portal = await portalSite(ctx);
  if (!portal) throw new NotFoundError("尚未创建门户网站");
  return { site: portal, base: "" };
}

export function siteBase(site: Pick<Site, "kind" | "code">): string {
  return site.kind === "portal" ? "" : `/sites/${site.code}`;
}

export async function buildFrame(
  ctx: AppContext,
  request: FastifyRequest,
  site: Site,
  base: string,
): Promise<SiteFrame> {
  tagPageSite(request, site);
  const columns = await columnsOf(ctx, site.id);
  const portal = site.kind === "portal" ? null : await portalSite(ctx);
  return {
    site,
    base,
    nav: columns.filter((c) => c.parent_id === null && c.in_nav && c.slug !== "index"),
    portal: portal ? { name: portal.name, href: "/" } : null,
    actorName: request.actor?.name ?? null,
    prefs: parsePreferences(request.cookies[PREFERENCES_COOKIE]),
    path: request.url,
  };
}

import type { AppContext } from "../../core/context.ts";
import { documentHref } from "../../web/layout.tsx";
import { listLiveInColumn, liveInSiteForSitemap } from "../content/public.ts";
import { siteBase } from "../sites/frame.ts";
import { COLUMN_PAGE_SIZE } from "../sites/routes.tsx";
import { columnsOf, listSites } from "../sites/service.ts";

/**
 * The public sections every site mounts (政务公开, 办事服务, 政民互动, search). Their inner pages
 * (a letter, a service guide, a consultation) are reached by following the sections' links.
 */
const SECTIONS = [
  "/sitemap/",
  "/sitemap.xml",
  "/wzbs/",
  "/ysqgk/",
  "/ysqgk/cx/",
  "/czyjs/",
  "/zdxm/",
  "/zcwjk/",
  "/bsfw/",
  "/bsfw/cx/",
  "/bsfw/yjs/",
  "/bsfw/zcjsq/",
  "/bsfw/hcp/",
  "/xj/",
  "/xj/write/",
  "/xj/cx/",
  "/xj/tj/",
  "/myzj/",
  "/dcwj/",
  "/zxft/",
  "/search",
  "/assistant",
];
/** Served once for the whole cluster. */
const CLUSTER_PAGES = ["/privacy", "/account/login", "/account/register"];

/** The column page keys of one column: its first page and every further page of its list. */
export async function columnPageKeys(
  ctx: AppContext,
  base: string,
  column: { id: number; slug: string; type: string },
): Promise<string[]> {
  const first = `${base}/col/${column.slug}/`;
  if (column.type !== "list") return [first];
  const { total } = await listLiveInColumn(ctx, column.id, 1, 1);
  const pages = Math.max(1, Math.ceil(total / COLUMN_PAGE_SIZE));
  return [
    first,
    ...Array.from({ length: pages - 1 }, (_, i) => `${base}/col/${column.slug}/index_${i + 2}.html`),
  ];
}

/** Every public URL the database knows of: each site's home, sections, columns with all their pages, documents. */
export async function seedUrls(ctx: AppContext): Promise<string[]> {
  const urls: string[] = [...CLUSTER_PAGES];
  for (const site of await listSites(ctx)) {
    const base = siteBase(site);
    urls.push(`${base}/`, ...SECTIONS.map((s) => `${base}${s}`));
    for (const column of await columnsOf(ctx, site.id)) {
      if (column.type === "link" || column.slug === "index") continue;
      urls.push(...(await columnPageKeys(ctx, base, column)));
    }
    for (const doc of await liveInSiteForSitemap(ctx, site.id)) urls.push(documentHref(base, doc.id));
  }
  return [...new Set(urls)];
}

import type { PublicChange } from "../../core/changes.ts";
import type { AppContext } from "../../core/context.ts";
import { documentHref } from "../../web/layout.tsx";
import { columnsPlacing } from "../content/public.ts";
import { siteBase } from "../sites/frame.ts";
import { getSite, portalSite } from "../sites/service.ts";
import type { Manifest } from "./publish.tsx";
import { columnPageKeys } from "./seeds.ts";

/** "everything": the change shows on every page (a site's name, a department, the calendar ...). */
export type Affected = Set<string> | "everything";

/**
 * The sections a module's change shows in, per site; the portal's copy of the section too, since
 * the portal aggregates letters, services and ratings of every department.
 */
const SECTIONS: Record<string, string[]> = {
  letter: ["/xj/"],
  consultation: ["/myzj/"],
  survey: ["/dcwj/"],
  interview: ["/zxft/"],
  budget: ["/czyjs/"],
  project: ["/zdxm"],
  service: ["/bsfw/"],
  rating: ["/bsfw/"],
  policy: ["/bsfw/"],
};

const underBase = (key: string, base: string) =>
  base === "" ? !key.startsWith("/sites/") : key === `${base}/` || key.startsWith(`${base}/`);

/**
 * The mirrored URLs a batch of public changes can have altered. Precise for documents (their
 * page, every page of the columns they are placed in, pages that linked to them, the site's home,
 * sitemap and policy library) and module sections; a change whose reach is the whole cluster
 * (a site or column renamed, a department, FAQs) asks for everything.
 */
export async function affectedKeys(
  ctx: AppContext,
  manifest: Manifest,
  changes: PublicChange[],
): Promise<Affected> {
  const keys = new Set<string>();
  const mirrored = Object.keys(manifest.entries);
  const portalRow = await portalSite(ctx);
  const portal = portalRow ? siteBase(portalRow) : undefined;
  for (const change of changes) {
    if (change.siteId === null) return "everything";
    const site = await getSite(ctx, change.siteId).catch(() => undefined);
    if (!site) return "everything";
    const base = siteBase(site);
    const inSite = (prefix: string) => {
      for (const key of mirrored)
        if (underBase(key, base) && key.slice(base.length).startsWith(prefix)) keys.add(key);
    };
    keys.add(`${base}/`);
    if (change.kind === "document" && change.refId !== null) {
      const id = change.refId;
      keys.add(documentHref(base, id));
      keys.add(`${base}/sitemap.xml`);
      inSite("/zcwjk/");
      for (const column of await columnsPlacing(ctx, id, site.id)) {
        for (const key of await columnPageKeys(ctx, base, column)) keys.add(key);
        // pages past the list's new end, to be removed
        inSite(`/col/${column.slug}/`);
      }
      for (const [key, entry] of Object.entries(manifest.entries))
        if (entry.docs?.includes(id)) keys.add(key);
      continue;
    }
    const sections = SECTIONS[change.kind];
    if (!sections) {
      for (const key of mirrored) if (underBase(key, base)) keys.add(key);
      continue;
    }
    for (const prefix of sections) {
      inSite(prefix);
      keys.add(`${base}${prefix.endsWith("/") ? prefix : `${prefix}/`}`);
      if (portal !== undefined && portal !== base) {
        for (const key of mirrored)
          if (underBase(key, portal) && key.slice(portal.length).startsWith(prefix)) keys.add(key);
        keys.add(`${portal}/`);
      }
    }
  }
  return keys;
}

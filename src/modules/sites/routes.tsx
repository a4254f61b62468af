import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../core/context.ts";
import { NotFoundError } from "../../core/errors.ts";
import { queryInt, sendPage } from "../../core/http/forms.ts";
import type { Crumb } from "../../web/components.tsx";
import { columnHref, documentHref } from "../../web/layout.tsx";
import {
  latestInSite,
  listLiveInColumn,
  liveDocumentInSite,
  liveInSiteForSitemap,
  singlePageDocument,
  withdrawnDocument,
} from "../content/public.ts";
import { ArticlePage } from "../content/views/article.tsx";
import { buildFrame, resolveSite, siteBase } from "./frame.ts";
import type { Column, Site } from "./schema.ts";
import { buildTree, columnBySlug, columnsOf, listSites } from "./service.ts";
import {
  CatalogColumnPage,
  columnMeta,
  HomePage,
  ListColumnPage,
  SiteIdentityPage,
  SitemapPage,
  WithdrawnPage,
} from "./views/public.tsx";

/** Documents per column list page (index.html, index_2.html, …); the static mirror enumerates them too. */
export const COLUMN_PAGE_SIZE = 20;

type SiteParams = { code?: string };

/** Public pages of every site, mounted at "/" (portal or host-bound site) and "/sites/:code". */
export async function registerSiteRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const mount = (prefix: string) => {
    const at = (path: string) => `${prefix}${path}`;
    const site = (request: FastifyRequest) => resolveSite(ctx, request, (request.params as SiteParams).code);

    app.get(at("/"), async (request, reply) => home(ctx, request, reply, await site(request)));
    app.get(at("/col/:slug/"), async (request, reply) => {
      const { slug } = request.params as { slug: string };
      return column(
        ctx,
        request,
        reply,
        await site(request),
        slug,
        queryInt((request.query as { page?: string }).page, 1),
      );
    });
    app.get(at("/col/:slug/:file"), async (request, reply) => {
      const { slug, file } = request.params as { slug: string; file: string };
      const m = /^index_(\d{1,6})\.html$/.exec(file);
      if (!m) throw new NotFoundError();
      return column(ctx, request, reply, await site(request), slug, Number(m[1]));
    });
    app.get(at("/col/:slug"), async (request, reply) => {
      const { base } = await site(request);
      return reply.redirect(`${base}/col/${(request.params as { slug: string }).slug}/`, 301);
    });
    app.get(at("/art/:file"), async (request, reply) => {
      const m = /^(\d{1,9})\.html$/.exec((request.params as { file: string }).file);
      if (!m) throw new NotFoundError();
      return article(ctx, request, reply, await site(request), Number(m[1]));
    });
    app.get(at("/sitemap/"), async (request, reply) => sitemapPage(ctx, request, reply, await site(request)));
    app.get(at("/sitemap.xml"), async (request, reply) => sitemapXml(ctx, reply, await site(request)));
    app.get(at("/wzbs/"), async (request, reply) => {
      const { site: s, base } = await site(request);
      const department = s.department_id
        ? await ctx.db
            .selectFrom("departments")
            .selectAll()
            .where("id", "=", s.department_id)
            .executeTakeFirst()
        : undefined;
      return sendPage(
        reply,
        <SiteIdentityPage frame={await buildFrame(ctx, request, s, base)} department={department} />,
      );
    });
  };
  mount("");
  mount("/sites/:code");
  app.get("/sites/:code", async (request, reply) =>
    reply.redirect(`/sites/${(request.params as { code: string }).code}/`, 301),
  );
}

async function home(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  { site, base }: { site: Site; base: string },
) {
  const frame = await buildFrame(ctx, request, site, base);
  const columns = await columnsOf(ctx, site.id);
  const listColumns = columns.filter((c) => c.type === "list").slice(0, 6);
  const blocks = await Promise.all(
    listColumns.map(async (c) => ({ column: c, rows: (await listLiveInColumn(ctx, c.id, 1, 6)).rows })),
  );
  const latest = await latestInSite(ctx, site.id, 8);
  return sendPage(
    reply,
    <HomePage frame={frame} latest={latest} blocks={blocks.filter((b) => b.rows.length > 0)} />,
  );
}

function crumbsFor(base: string, columns: Column[], column: Column): Crumb[] {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const trail: Column[] = [];
  for (let c: Column | undefined = column; c; c = c.parent_id === null ? undefined : byId.get(c.parent_id))
    trail.unshift(c);
  return [
    { label: "首页", href: `${base}/` },
    ...trail.map((c) => ({ label: c.name, href: columnHref(base, c) })),
  ];
}

function topAncestor(columns: Column[], column: Column): number {
  const byId = new Map(columns.map((c) => [c.id, c]));
  let c = column;
  while (c.parent_id !== null) {
    const parent = byId.get(c.parent_id);
    if (!parent) break;
    c = parent;
  }
  return c.id;
}

async function column(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  { site, base }: { site: Site; base: string },
  slug: string,
  page: number,
) {
  const col = await columnBySlug(ctx, site.id, slug);
  if (!col) throw new NotFoundError("栏目不存在");
  if (col.type === "link" && col.link_url) return reply.redirect(col.link_url, 302);
  const columns = await columnsOf(ctx, site.id);
  const frame = await buildFrame(ctx, request, site, base);
  const crumbs = crumbsFor(base, columns, col);
  const topId = topAncestor(columns, col);
  const tree = buildTree(columns);
  const findChildren = (nodes: ReturnType<typeof buildTree>, id: number): ReturnType<typeof buildTree> => {
    for (const n of nodes) {
      if (n.id === id) return n.children;
      const found = findChildren(n.children, id);
      if (found.length || n.children.some((c) => c.id === id)) return found;
    }
    return [];
  };
  if (col.type === "catalog") {
    return sendPage(
      reply,
      <CatalogColumnPage
        frame={frame}
        column={col}
        crumbs={crumbs}
        children={findChildren(tree, col.id)}
        topId={topId}
      />,
    );
  }
  if (col.type === "single") {
    const docId = await singlePageDocument(ctx, col.id);
    const doc = docId ? await liveDocumentInSite(ctx, docId, site.id) : undefined;
    if (!doc) {
      return sendPage(
        reply,
        <CatalogColumnPage frame={frame} column={col} crumbs={crumbs} children={[]} topId={topId} />,
      );
    }
    return sendPage(
      reply,
      <ArticlePage frame={frame} doc={doc} crumbs={crumbs} topId={topId} column={columnMeta(col)} />,
    );
  }
  const { rows, total } = await listLiveInColumn(ctx, col.id, page, COLUMN_PAGE_SIZE);
  const pages = Math.max(1, Math.ceil(total / COLUMN_PAGE_SIZE));
  if (page > pages) throw new NotFoundError("该页不存在");
  const siblings = col.parent_id === null ? findChildren(tree, col.id) : findChildren(tree, col.parent_id);
  return sendPage(
    reply,
    <ListColumnPage
      frame={frame}
      column={col}
      crumbs={crumbs}
      children={siblings}
      rows={rows}
      page={page}
      pages={pages}
      total={total}
      topId={topId}
    />,
  );
}

async function article(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  { site, base }: { site: Site; base: string },
  id: number,
) {
  const doc = await liveDocumentInSite(ctx, id, site.id);
  if (!doc) {
    const withdrawn = await withdrawnDocument(ctx, id);
    if (!withdrawn) throw new NotFoundError("文档不存在");
    return sendPage(
      reply,
      <WithdrawnPage
        frame={await buildFrame(ctx, request, site, base)}
        withdrawnAt={withdrawn.withdrawn_at}
      />,
      410,
    );
  }
  const columns = await columnsOf(ctx, site.id);
  const col = columns.find((c) => c.id === doc.columnId);
  if (!col) throw new NotFoundError();
  const frame = await buildFrame(ctx, request, site, base);
  const crumbs = [...crumbsFor(base, columns, col), { label: "正文" }];
  // a reference placed in another site points search engines at the owning site's page
  const canonical =
    doc.site_id === site.id
      ? undefined
      : `${ctx.config.publicUrl}${siteBase({ kind: doc.owner_kind, code: doc.owner_code })}${documentHref("", doc.id)}`;
  return sendPage(
    reply,
    <ArticlePage
      frame={frame}
      doc={doc}
      crumbs={crumbs}
      topId={topAncestor(columns, col)}
      canonical={canonical}
    />,
  );
}

async function sitemapPage(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  { site, base }: { site: Site; base: string },
) {
  const frame = await buildFrame(ctx, request, site, base);
  const tree = buildTree((await columnsOf(ctx, site.id)).filter((c) => c.slug !== "index"));
  const sites =
    site.kind === "portal"
      ? (await listSites(ctx))
          .filter((s) => s.id !== site.id)
          .map((s) => ({ name: s.name, href: `${siteBase(s)}/` }))
      : [];
  return sendPage(reply, <SitemapPage frame={frame} tree={tree} sites={sites} />);
}

async function sitemapXml(
  ctx: AppContext,
  reply: FastifyReply,
  { site, base }: { site: Site; base: string },
) {
  const origin = site.settings.domain ? `https://${site.settings.domain}` : ctx.config.publicUrl;
  const prefix = site.settings.domain ? "" : base;
  const columns = (await columnsOf(ctx, site.id)).filter((c) => c.type !== "link" && c.slug !== "index");
  const docs = await liveInSiteForSitemap(ctx, site.id);
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const urls = [
    `<url><loc>${esc(`${origin}${prefix}/`)}</loc></url>`,
    ...columns.map((c) => `<url><loc>${esc(`${origin}${prefix}/col/${c.slug}/`)}</loc></url>`),
    ...docs.map(
      (d) =>
        `<url><loc>${esc(`${origin}${prefix}${documentHref("", d.id)}`)}</loc>${d.live_changed_at ? `<lastmod>${d.live_changed_at.toISOString()}</lastmod>` : ""}</url>`,
    ),
  ];
  return reply
    .type("application/xml; charset=utf-8")
    .send(
      `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join("\n")}\n</urlset>\n`,
    );
}

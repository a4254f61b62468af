import type { Crumb } from "../../../web/components.tsx";
import { Pagination } from "../../../web/components.tsx";
import { formatDate } from "../../../web/html.ts";
import { columnHref, documentHref, PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import type { LiveSummary } from "../../content/public.ts";
import type { Column, Department } from "../schema.ts";
import type { ColumnNode } from "../service.ts";

export function DocumentList({ base, rows }: { base: string; rows: LiveSummary[] }) {
  if (rows.length === 0) return <p class="empty">本栏目暂无信息。</p>;
  return (
    <ul class="doc-list">
      {rows.map((r) => (
        <li key={r.id}>
          <a href={documentHref(base, r.id)}>{r.title}</a>
          <time dateTime={formatDate(r.first_published_at)}>{formatDate(r.first_published_at)}</time>
        </li>
      ))}
    </ul>
  );
}

export interface HomeBlock {
  column: Column;
  rows: LiveSummary[];
}

/** Column types whose pages 长辈版 puts first, in this order: services, then letters, then disclosure. */
const ELDER_FIRST = ["办事服务", "咨询投诉", "政策文件"];

/** 长辈版 home: the high-frequency tasks as large tiles before anything else. */
function ElderShortcuts({ frame }: { frame: SiteFrame }) {
  const { base, nav } = frame;
  const columns = ELDER_FIRST.flatMap((type) => nav.filter((c) => c.column_type === type));
  const tiles = [
    ...columns.map((c) => ({ href: columnHref(base, c), label: c.name })),
    { href: `${base}/zcwjk/`, label: "查政策文件" },
    { href: `${base}/ysqgk/`, label: "申请政府信息公开" },
    { href: `${base}/sitemap/`, label: "网站地图" },
  ];
  return (
    <section aria-labelledby="elder-title">
      <h2 id="elder-title">常用服务</h2>
      <ul class="elder-tiles">
        {tiles.map((t) => (
          <li key={t.href}>
            <a href={t.href}>{t.label}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function HomePage({
  frame,
  latest,
  blocks,
}: {
  frame: SiteFrame;
  latest: LiveSummary[];
  blocks: HomeBlock[];
}) {
  const { site, base } = frame;
  return (
    <PublicLayout
      frame={frame}
      title={site.name}
      meta={{
        column: {
          name: "首页",
          description: site.settings.description ?? site.name,
          keywords: site.name,
          type: "首页",
        },
      }}
    >
      <h1 class="visually-hidden">{site.name}</h1>
      {frame.prefs.elder && <ElderShortcuts frame={frame} />}
      {site.settings.description && <p class="lead elder-hide">{site.settings.description}</p>}
      <div class="home-grid">
        <section class="panel" aria-labelledby="latest-title">
          <h2 id="latest-title">最新信息</h2>
          <DocumentList base={base} rows={latest} />
        </section>
        {blocks.map((b) => (
          <section class="panel" key={b.column.id} aria-labelledby={`block-${b.column.id}`}>
            <h2 id={`block-${b.column.id}`}>
              <a href={columnHref(base, b.column)}>{b.column.name}</a>
            </h2>
            <DocumentList base={base} rows={b.rows} />
            <p class="more">
              <a href={columnHref(base, b.column)}>
                更多<span class="visually-hidden">{b.column.name}</span>
              </a>
            </p>
          </section>
        ))}
      </div>
    </PublicLayout>
  );
}

export function columnMeta(column: Column) {
  return {
    name: column.name,
    description: column.description,
    keywords: column.keywords,
    type: column.column_type || "工作动态",
  };
}

export function ListColumnPage(props: {
  frame: SiteFrame;
  column: Column;
  crumbs: Crumb[];
  children: ColumnNode[];
  rows: LiveSummary[];
  page: number;
  pages: number;
  total: number;
  topId: number;
}) {
  const { frame, column } = props;
  const href = (n: number) =>
    n === 1 ? `${frame.base}/col/${column.slug}/` : `${frame.base}/col/${column.slug}/index_${n}.html`;
  return (
    <PublicLayout
      frame={frame}
      title={column.name}
      crumbs={props.crumbs}
      meta={{ column: columnMeta(column) }}
      activeColumnId={props.topId}
    >
      <div class="with-sidebar">
        <SubNav frame={frame} items={props.children} current={column.id} />
        <section class="content">
          <h1>{column.name}</h1>
          {column.description && <p class="lead">{column.description}</p>}
          {column.column_type === "政策文件" && (
            <p class="library-link">
              <a href={`${frame.base}/zcwjk/`}>政策文件库（按条件查询）</a>
            </p>
          )}
          <p class="count">共 {props.total} 条</p>
          <DocumentList base={frame.base} rows={props.rows} />
          <Pagination page={props.page} pages={props.pages} href={href} />
        </section>
      </div>
    </PublicLayout>
  );
}

export function CatalogColumnPage(props: {
  frame: SiteFrame;
  column: Column;
  crumbs: Crumb[];
  children: ColumnNode[];
  topId: number;
}) {
  const { frame, column } = props;
  return (
    <PublicLayout
      frame={frame}
      title={column.name}
      crumbs={props.crumbs}
      meta={{ column: columnMeta(column) }}
      activeColumnId={props.topId}
    >
      <h1>{column.name}</h1>
      {column.description && <p class="lead">{column.description}</p>}
      {props.children.length === 0 ? (
        <p class="empty">本栏目暂无子栏目。</p>
      ) : (
        <ColumnTree base={frame.base} nodes={props.children} />
      )}
    </PublicLayout>
  );
}

function SubNav({ frame, items, current }: { frame: SiteFrame; items: ColumnNode[]; current: number }) {
  if (items.length === 0) return null;
  return (
    <nav class="subnav" aria-label="栏目导航">
      <ul>
        {items.map((c) => (
          <li key={c.id}>
            <a href={columnHref(frame.base, c)} aria-current={c.id === current ? "page" : undefined}>
              {c.name}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function ColumnTree({ base, nodes }: { base: string; nodes: ColumnNode[] }) {
  return (
    <ul class="column-tree">
      {nodes.map((n) => (
        <li key={n.id}>
          <a href={columnHref(base, n)}>{n.name}</a>
          {n.children.length > 0 && <ColumnTree base={base} nodes={n.children} />}
        </li>
      ))}
    </ul>
  );
}

export function SitemapPage({
  frame,
  tree,
  sites,
}: {
  frame: SiteFrame;
  tree: ColumnNode[];
  sites: { name: string; href: string }[];
}) {
  return (
    <PublicLayout
      frame={frame}
      title="网站地图"
      crumbs={[{ label: "首页", href: `${frame.base}/` }, { label: "网站地图" }]}
    >
      <h1>网站地图</h1>
      <ColumnTree base={frame.base} nodes={tree} />
      {sites.length > 0 && (
        <section aria-labelledby="cluster-title">
          <h2 id="cluster-title">部门网站</h2>
          <ul class="site-links">
            {sites.map((s) => (
              <li key={s.href}>
                <a href={s.href}>{s.name}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </PublicLayout>
  );
}

/** What the 党政机关网站标识 opens: the site's registration information. */
export function SiteIdentityPage({
  frame,
  department,
}: {
  frame: SiteFrame;
  department: Department | undefined;
}) {
  const { site } = frame;
  const s = site.settings;
  const rows: [string, string][] = [
    ["网站名称", site.name],
    ["网站标识码", s.idCode ?? "—"],
    ["域名名称", s.domain ?? site.host ?? "—"],
    ["主办单位（机构名称）", s.sponsor ?? department?.name ?? "—"],
    ["机构类型", department?.category ?? "人民政府"],
    ["机构地址", s.address ?? department?.address ?? "—"],
    ["机构职能", department?.duties ?? "—"],
    ["联系电话", s.phone ?? department?.phone ?? "—"],
    ["ICP备案编号", s.icp ?? "—"],
    ["公安机关备案号", s.psb ?? "—"],
  ];
  return (
    <PublicLayout
      frame={frame}
      title="网站开办信息"
      crumbs={[{ label: "首页", href: `${frame.base}/` }, { label: "网站开办信息" }]}
    >
      <h1>网站开办信息</h1>
      <table class="facts">
        <caption class="visually-hidden">{site.name}开办信息</caption>
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </PublicLayout>
  );
}

/** 410 Gone for a withdrawn document: says so plainly, without repeating what was withdrawn. */
export function WithdrawnPage({ frame, withdrawnAt }: { frame: SiteFrame; withdrawnAt: Date | null }) {
  return (
    <PublicLayout
      frame={frame}
      title="信息已撤销"
      crumbs={[{ label: "首页", href: `${frame.base}/` }, { label: "信息已撤销" }]}
    >
      <h1>该信息已撤销</h1>
      <p>您访问的信息已于 {formatDate(withdrawnAt)} 撤销，不再公开。</p>
      <p>
        <a href={`${frame.base}/`}>返回首页</a> · <a href={`${frame.base}/sitemap/`}>网站地图</a>
      </p>
    </PublicLayout>
  );
}

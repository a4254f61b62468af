import type { Crumb } from "../../../web/components.tsx";
import { Pagination } from "../../../web/components.tsx";
import { formatDate } from "../../../web/html.ts";
import { documentHref, PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import { VALIDITY } from "../../content/metadata.ts";
import {
  type LibraryFacets,
  type LibraryFilter,
  type LibraryRow,
  libraryQueryString,
  SORTS,
} from "../library.ts";

/** A labelled filter select whose empty choice means "any". */
function FilterSelect(props: {
  name: string;
  label: string;
  value: string;
  any?: string;
  options: { value: string; label: string }[];
}) {
  const id = `f-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name}>
        {props.any !== undefined && <option value="">{props.any}</option>}
        {props.options.map((o) => (
          <option key={o.value} value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Where a row is read: in this site when placed here, else in the site that published it. */
export function rowHref(base: string, r: LibraryRow): string {
  if (r.here) return documentHref(base, r.id);
  return documentHref(r.owner_kind === "portal" ? "" : `/sites/${r.owner_code}`, r.id);
}

export function LibraryPage(props: {
  frame: SiteFrame;
  crumbs: Crumb[];
  topId: number | undefined;
  filter: LibraryFilter;
  facets: LibraryFacets;
  rows: LibraryRow[];
  total: number;
  pages: number;
}) {
  const { frame, filter: f, facets } = props;
  const base = frame.base;
  const action = `${base}/zcwjk/`;
  const portal = frame.site.kind === "portal";
  const filtered = Boolean(f.year || f.issuer || f.theme || f.validity || f.q);
  return (
    <PublicLayout
      frame={frame}
      title="政策文件库"
      crumbs={props.crumbs}
      activeColumnId={props.topId}
      meta={{
        column: {
          name: "政策文件库",
          description: `${frame.site.name}政策文件库：按年份、发文机关、主题分类、有效性和标题文号查询政策文件`,
          keywords: "政策文件,政策文件库,索引号,文号",
          type: "政策文件",
        },
      }}
    >
      <h1>政策文件库</h1>
      <p class="lead">
        {portal ? "汇集全市各部门发布的政策文件。" : `${frame.site.name}发布的政策文件。`}
        可按年份、发文机关、主题分类、有效性和标题或文号组合查询。
      </p>
      <form method="get" action={action} class="filter-form library-form" aria-label="查询政策文件">
        <div class="field">
          <label for="f-q">标题或文号</label>
          <input id="f-q" name="q" type="search" value={f.q} maxLength={50} />
        </div>
        <FilterSelect
          name="issuer"
          label="发文机关"
          any="全部机关"
          value={f.issuer ? String(f.issuer) : ""}
          options={facets.issuers.map((d) => ({ value: String(d.id), label: `${d.name}（${d.count}）` }))}
        />
        <FilterSelect
          name="theme"
          label="主题分类"
          any="全部主题"
          value={f.theme ?? ""}
          options={facets.themes.map((t) => ({ value: t.name, label: `${t.name}（${t.count}）` }))}
        />
        <FilterSelect
          name="validity"
          label="有效性"
          any="全部"
          value={f.validity ?? ""}
          options={VALIDITY.map((v) => ({ value: v, label: v }))}
        />
        <FilterSelect
          name="year"
          label="年份"
          any="全部年份"
          value={f.year ? String(f.year) : ""}
          options={facets.years.map((y) => ({ value: String(y), label: `${y}年` }))}
        />
        <FilterSelect
          name="yearOf"
          label="年份按"
          value={f.yearOf}
          options={[
            { value: "written", label: "成文日期" },
            { value: "published", label: "发布日期" },
          ]}
        />
        <FilterSelect
          name="sort"
          label="排序"
          value={f.sort}
          options={Object.entries(SORTS).map(([value, label]) => ({ value, label }))}
        />
        <div class="button-row">
          <button type="submit">查询</button>
          {filtered && (
            <a class="button secondary" href={action}>
              清除条件
            </a>
          )}
        </div>
      </form>
      <p class="count" role="status">
        共 {props.total} 件{props.total > 0 && props.pages > 1 && `，第 ${f.page}/${props.pages} 页`}
      </p>
      {props.total > 0 && (
        <p class="downloads">
          下载全部查询结果（政府信息公开目录）：
          <a href={`${action}index.csv${libraryQueryString(f, 1)}`} download>
            CSV
          </a>{" "}
          <a href={`${action}index.json${libraryQueryString(f, 1)}`}>JSON</a>
        </p>
      )}
      {props.rows.length === 0 ? (
        <p class="empty">没有符合条件的政策文件，请减少查询条件后重试。</p>
      ) : (
        <div class="table-scroll">
          <table class="data library">
            <caption id="library-caption">政策文件查询结果</caption>
            <thead>
              <tr>
                <th scope="col">索引号</th>
                <th scope="col">标题</th>
                <th scope="col">文号</th>
                <th scope="col">发文机关</th>
                <th scope="col">成文日期</th>
                <th scope="col">发布日期</th>
                <th scope="col">有效性</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr key={r.id}>
                  <td class="index-no">{r.index_no ?? "—"}</td>
                  <td>
                    <a href={rowHref(base, r)}>{r.title}</a>
                  </td>
                  <td>{r.doc_number ?? ""}</td>
                  <td>{r.issuer ?? ""}</td>
                  <td>{r.written_date ?? ""}</td>
                  <td>{formatDate(r.first_published_at)}</td>
                  <td>
                    <span class={r.validity === "有效" ? "validity" : "validity validity-lapsed"}>
                      {r.validity}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={f.page} pages={props.pages} href={(n) => `${action}${libraryQueryString(f, n)}`} />
    </PublicLayout>
  );
}

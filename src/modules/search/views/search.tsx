import { Pagination } from "../../../web/components.tsx";
import { formatDate } from "../../../web/html.ts";
import { islandUrl } from "../../../web/islands.ts";
import { PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import { RECORD_TYPE_LABELS, RECORD_TYPES } from "../schema.ts";
import {
  COUNT_CAP,
  FACET_CAP,
  markParts,
  type SearchFilter,
  type SearchHit,
  type SearchResult,
} from "../service.ts";

function Marked({ text, marks }: { text: string; marks: string[] }) {
  return (
    <>
      {markParts(text, marks).map((p, i) => (p.hit ? <mark key={`${i}-${p.text}`}>{p.text}</mark> : p.text))}
    </>
  );
}

export interface SearchPageProps {
  frame: SiteFrame;
  filter: SearchFilter;
  /** code of the site searched, when limited to one */
  siteCode: string;
  sites: { code: string; name: string }[];
  result: SearchResult | null;
  queryId: number | null;
  page: number;
  hotWords: string[];
}

export function searchHref(base: string, f: SearchFilter, siteCode: string, changes: Record<string, string>) {
  const params = new URLSearchParams();
  const values: Record<string, string> = {
    q: f.q,
    site: siteCode,
    type: f.types?.[0] ?? "",
    from: f.from ?? "",
    to: f.to ?? "",
    validity: f.validity ?? "",
    sort: f.sort === "date" ? "date" : "",
    exact: f.exact ? "1" : "",
    ...changes,
  };
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  return `${base}/search?${params.toString()}`;
}

function Hit(props: { hit: SearchHit; marks: string[]; href: string }) {
  const { hit } = props;
  return (
    <li class="search-hit">
      <p class="search-hit-type">
        <span class="tag">{RECORD_TYPE_LABELS[hit.type]}</span>
        {hit.validity && hit.validity !== "有效" && <span class="tag tag-muted">{hit.validity}</span>}
      </p>
      <h3>
        <a href={props.href}>
          <Marked text={hit.title} marks={props.marks} />
        </a>
      </h3>
      <p class="search-snippet">
        <Marked text={hit.snippet} marks={props.marks} />
      </p>
      <p class="search-meta">
        {hit.department && <span>{hit.department}</span>}
        {hit.publishedAt && hit.type !== "faq" && <span> · {formatDate(hit.publishedAt)}</span>}
      </p>
    </li>
  );
}

export function SearchPage(props: SearchPageProps) {
  const { frame, filter: f, result } = props;
  const base = frame.base;
  const type = f.types?.[0] ?? "";
  const link = (changes: Record<string, string>) => searchHref(base, f, props.siteCode, changes);
  const hitHref = (hit: SearchHit, i: number) =>
    props.queryId ? `/search/go/${props.queryId}/${hit.id}?pos=${(f.offset ?? 0) + i + 1}` : hit.url;
  const pages = result ? Math.max(1, Math.ceil(result.total / f.limit)) : 1;
  // 办事直达: the query names a service (all its words in the service's title)
  const direct = props.page === 1 ? result?.hits.find((h) => h.type === "service" && h.named) : undefined;
  return (
    <PublicLayout
      frame={frame}
      title={f.q ? `“${f.q}”的搜索结果` : "站内搜索"}
      crumbs={[{ label: "首页", href: `${base}/` }, { label: "站内搜索" }]}
    >
      <h1>站内搜索</h1>
      <form class="search-page-form" method="get" action={`${base}/search`}>
        <div class="field">
          <label for="search-q">搜索内容</label>
          <input
            id="search-q"
            name="q"
            type="search"
            value={f.q}
            maxLength={100}
            list="search-suggest"
            autocomplete="off"
            data-suggest=""
          />
          <datalist id="search-suggest" />
        </div>
        <fieldset class="search-filters">
          <legend>筛选条件</legend>
          <div class="field">
            <label for="search-site">范围</label>
            <select id="search-site" name="site">
              <option value="">全部网站</option>
              {props.sites.map((s) => (
                <option key={s.code} value={s.code} selected={s.code === props.siteCode}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="search-type">类别</label>
            <select id="search-type" name="type">
              <option value="">全部类别</option>
              {RECORD_TYPES.map((t) => (
                <option key={t} value={t} selected={t === type}>
                  {RECORD_TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="search-from">发布日期从</label>
            <input id="search-from" name="from" type="date" value={f.from ?? ""} />
          </div>
          <div class="field">
            <label for="search-to">至</label>
            <input id="search-to" name="to" type="date" value={f.to ?? ""} />
          </div>
          <div class="field">
            <label for="search-validity">有效性</label>
            <select id="search-validity" name="validity">
              <option value="">不限</option>
              <option value="有效" selected={f.validity === "有效"}>
                现行有效
              </option>
              <option value="失效" selected={f.validity === "失效"}>
                已失效或废止
              </option>
            </select>
          </div>
          <div class="field">
            <label for="search-sort">排序</label>
            <select id="search-sort" name="sort">
              <option value="">按相关度</option>
              <option value="date" selected={f.sort === "date"}>
                按发布日期
              </option>
            </select>
          </div>
        </fieldset>
        <button type="submit" class="button">
          搜索
        </button>
      </form>
      {props.hotWords.length > 0 && (
        <nav class="hot-words" aria-label="热门搜索">
          <span>热门搜索：</span>
          <ul>
            {props.hotWords.map((w) => (
              <li key={w}>
                <a href={`${base}/search?q=${encodeURIComponent(w)}`}>{w}</a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {result && (
        <section aria-labelledby="search-results-title">
          {result.query.corrected && (
            <p class="did-you-mean">
              您是不是要找：<strong>{result.query.text}</strong>。以下是“{result.query.text}”的搜索结果，
              <a href={link({ exact: "1" })}>仍然搜索“{result.query.original}”</a>
            </p>
          )}
          <h2 id="search-results-title">
            找到 {result.total >= COUNT_CAP ? `${COUNT_CAP} 条以上` : `${result.total} 条`}结果
          </h2>
          <nav class="search-types" aria-label="按类别查看">
            <ul>
              <li>
                {type ? (
                  <a href={link({ type: "", page: "" })}>全部</a>
                ) : (
                  <span aria-current="true">全部</span>
                )}
              </li>
              {RECORD_TYPES.filter((t) => result.byType[t]).map((t) => (
                <li key={t}>
                  {t === type ? (
                    <span aria-current="true">
                      {RECORD_TYPE_LABELS[t]}（{facetCount(result.byType[t])}）
                    </span>
                  ) : (
                    <a href={link({ type: t })}>
                      {RECORD_TYPE_LABELS[t]}（{facetCount(result.byType[t])}）
                    </a>
                  )}
                </li>
              ))}
            </ul>
          </nav>
          {direct && (
            <aside class="direct-service" aria-label="办事直达">
              <h3>办事直达</h3>
              <p>
                <a href={direct.url}>{direct.title}</a>
              </p>
              <p>{direct.department}</p>
            </aside>
          )}
          {result.hits.length ? (
            <ol class="search-hits">
              {result.hits.map((hit, i) => (
                <Hit key={hit.id} hit={hit} marks={result.marks} href={hitHref(hit, i)} />
              ))}
            </ol>
          ) : (
            <div class="search-empty">
              <p>没有找到与“{f.q}”相关的内容。建议：</p>
              <ul>
                <li>检查输入是否有错别字，或换一个常用说法（如“社保”“公积金”）；</li>
                <li>减少筛选条件，或选择“全部网站”；</li>
                <li>
                  向<a href="/assistant">智能问答</a>提问，或<a href="/col/szxx/">写信咨询</a>。
                </li>
              </ul>
            </div>
          )}
          <Pagination page={props.page} pages={pages} href={(n) => link({ page: String(n) })} />
        </section>
      )}
      {islandUrl("search-suggest") && <script src={islandUrl("search-suggest")} defer />}
    </PublicLayout>
  );
}

function facetCount(n: number | undefined): string {
  return (n ?? 0) >= FACET_CAP ? `${FACET_CAP}+` : String(n ?? 0);
}

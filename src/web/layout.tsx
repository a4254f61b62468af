import type { ComponentChildren } from "preact";
import type { Column, Site } from "../modules/sites/schema.ts";
import { AccessibilityToolbar, preferenceHref } from "./accessibility.tsx";
import { AssistantWidget } from "./assistant-widget.tsx";
import { Breadcrumbs, type Crumb } from "./components.tsx";
import { islandUrl, stylesheetUrl } from "./islands.ts";
import { type Preferences, preferenceClasses } from "./preferences.ts";

/** What every public page of a site needs to draw its frame. */
export interface SiteFrame {
  site: Site;
  /** Path prefix of the site: "" for the portal or a host-bound site, "/sites/{code}" otherwise. */
  base: string;
  nav: Column[];
  portal: { name: string; href: string } | null;
  actorName: string | null;
  /** The visitor's display preferences (无障碍 toolbar, 长辈版). */
  prefs: Preferences;
  /** This page's path and query, where a preference change returns to. */
  path: string;
}

/** National page tags (国办发〔2017〕47号 网页设计规范): site, column and article levels. */
export interface PageMeta {
  column?: { name: string; description: string; keywords: string; type: string };
  article?: {
    title: string;
    pubDate: string;
    source: string;
    keywords?: string;
    description?: string;
    author?: string;
  };
}

export function PublicLayout(props: {
  frame: SiteFrame;
  title: string;
  crumbs?: Crumb[];
  meta?: PageMeta;
  activeColumnId?: number | undefined;
  canonical?: string | undefined;
  /** Extra head elements a page needs (a client island's script, a refresh for live pages). */
  head?: ComponentChildren;
  children: ComponentChildren;
}) {
  const { site, base, nav } = props.frame;
  const s = site.settings;
  const meta = props.meta ?? {};
  const fullTitle = props.title === site.name ? site.name : `${props.title}_${site.name}`;
  const { prefs, path } = props.frame;
  const a11yScript = islandUrl("a11y");
  // the assistant page has its own ask box
  const askWidget = !path.split("?")[0]?.startsWith(`${base}/assistant`);
  const askScript = askWidget ? islandUrl("assistant-widget") : undefined;
  return (
    <html lang="zh-CN" class={preferenceClasses(prefs) || undefined}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        <meta name="SiteName" content={site.name} />
        <meta name="SiteDomain" content={s.domain ?? site.host ?? ""} />
        <meta name="SiteIDCode" content={s.idCode ?? ""} />
        {meta.column && (
          <>
            <meta name="ColumnName" content={meta.column.name} />
            <meta name="ColumnDescription" content={meta.column.description || meta.column.name} />
            <meta name="ColumnKeywords" content={meta.column.keywords || meta.column.name} />
            <meta name="ColumnType" content={meta.column.type} />
          </>
        )}
        {meta.article && (
          <>
            <meta name="ArticleTitle" content={meta.article.title} />
            <meta name="PubDate" content={meta.article.pubDate} />
            <meta name="ContentSource" content={meta.article.source} />
            {meta.article.keywords && <meta name="Keywords" content={meta.article.keywords} />}
            {meta.article.author && <meta name="Author" content={meta.article.author} />}
            <meta name="Description" content={meta.article.description || meta.article.title} />
          </>
        )}
        {!meta.article && (
          <meta
            name="description"
            content={meta.column?.description || s.description || `${props.title}_${site.name}`}
          />
        )}
        {props.canonical && <link rel="canonical" href={props.canonical} />}
        <link rel="stylesheet" href={stylesheetUrl()} />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        {a11yScript && <script src={a11yScript} defer />}
        {askScript && <script src={askScript} defer />}
        {props.head}
      </head>
      <body>
        <a class="skip-link" href="#main">
          跳到主要内容
        </a>
        <AccessibilityToolbar prefs={prefs} back={path} />
        <header class="masthead">
          <div class="wrap masthead-inner">
            <a class="site-name" href={`${base}/`}>
              <span class="emblem" aria-hidden="true" />
              {site.name}
            </a>
            <form class="masthead-search" method="get" action={`${base}/search`}>
              <label for="masthead-q" class="visually-hidden">
                站内搜索
              </label>
              <input
                id="masthead-q"
                name="q"
                type="search"
                maxLength={100}
                placeholder="搜索政策、办事、问答"
              />
              <button type="submit">搜索</button>
              <a href={`${base}/assistant`}>智能问答</a>
            </form>
            <ul class="utility">
              <li>
                <a
                  href={preferenceHref({ bar: "toggle" }, path)}
                  rel="nofollow"
                  data-pref="bar"
                  data-value="toggle"
                  aria-controls="a11y-toolbar"
                  aria-expanded={prefs.bar ? "true" : "false"}
                >
                  无障碍
                </a>
              </li>
              <li>
                <a href={preferenceHref({ elder: prefs.elder ? "off" : "on" }, path)} rel="nofollow">
                  {prefs.elder ? "退出长辈版" : "长辈版"}
                </a>
              </li>
              {props.frame.portal && (
                <li>
                  <a href={props.frame.portal.href}>{props.frame.portal.name}</a>
                </li>
              )}
              {props.frame.actorName ? (
                <li>
                  <a href="/account">{props.frame.actorName}</a>
                </li>
              ) : (
                <>
                  <li>
                    <a href="/account/login">登录</a>
                  </li>
                  <li>
                    <a href="/account/register">注册</a>
                  </li>
                </>
              )}
            </ul>
          </div>
          <nav class="main-nav" aria-label="主导航">
            <ul class="wrap">
              <li>
                <a
                  href={`${base}/`}
                  aria-current={
                    props.activeColumnId === undefined && props.title === site.name ? "page" : undefined
                  }
                >
                  首页
                </a>
              </li>
              {nav.map((c) => (
                <li key={c.id}>
                  <a
                    href={columnHref(base, c)}
                    aria-current={c.id === props.activeColumnId ? "true" : undefined}
                  >
                    {c.name}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </header>
        <div class="wrap">{props.crumbs && <Breadcrumbs items={props.crumbs} />}</div>
        <main id="main" class="wrap" tabIndex={-1}>
          {props.children}
        </main>
        {askWidget && <AssistantWidget base={base} />}
        <SiteFooter frame={props.frame} />
      </body>
    </html>
  );
}

export function columnHref(base: string, column: Pick<Column, "slug" | "type" | "link_url">): string {
  if (column.type === "link" && column.link_url) return column.link_url;
  return `${base}/col/${column.slug}/`;
}

export function documentHref(base: string, id: number): string {
  return `${base}/art/${id}.html`;
}

/** 底部功能区: the elements STANDARDS.md §1.2 requires, from per-site settings. */
function SiteFooter({ frame }: { frame: SiteFrame }) {
  const { site, base } = frame;
  const s = site.settings;
  const psbCode = (s.psb ?? "").replace(/\D/g, "");
  return (
    <footer class="site-footer">
      <div class="wrap footer-inner">
        <a class="party-badge" href={`${base}/wzbs/`}>
          <span aria-hidden="true">党政机关</span>
          <span class="visually-hidden">党政机关网站标识：查看网站开办信息</span>
        </a>
        <div class="footer-text">
          <ul class="footer-links">
            <li>
              <a href={`${base}/sitemap/`}>网站地图</a>
            </li>
            <li>
              <a
                href={`https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?sitecode=${s.idCode ?? ""}`}
                rel="noopener"
              >
                我为政府网站找错
              </a>
            </li>
            <li>
              <a href={`${base}/wzbs/`}>网站开办信息</a>
            </li>
          </ul>
          <p>
            主办单位：{s.sponsor ?? site.name}
            {s.organizer && <> 承办单位：{s.organizer}</>}
          </p>
          <p>
            联系电话：{s.phone ?? "—"}
            {s.address && <> 地址：{s.address}</>}
          </p>
          <p>
            网站标识码：{s.idCode ?? "—"}
            {s.icp && (
              <>
                {" "}
                <a href="https://beian.miit.gov.cn/" rel="noopener">
                  {s.icp}
                </a>
              </>
            )}
            {s.psb && (
              <>
                {" "}
                <a href={`https://beian.mps.gov.cn/#/query/webSearch?code=${psbCode}`} rel="noopener">
                  {s.psb}
                </a>
              </>
            )}
          </p>
        </div>
      </div>
    </footer>
  );
}

/** A plain page for errors and notices, outside any site frame. */
export function PlainPage({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <link rel="stylesheet" href={stylesheetUrl()} />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <main id="main" class="wrap plain-page">
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

import type { ComponentChildren } from "preact";
import type { Actor } from "../core/auth/permissions.ts";
import { scopeFor } from "../core/auth/permissions.ts";
import { CsrfField } from "./components.tsx";
import { islandUrl, stylesheetUrl } from "./islands.ts";

export interface AdminFrame {
  actor: Actor;
  csrf: string;
  flash?: string | undefined;
}

/** The staff back office (后台管理): plain, keyboard-friendly, same accessible HTML as public pages. */
export function AdminLayout(props: {
  frame: AdminFrame;
  title: string;
  section?: string;
  children: ComponentChildren;
}) {
  const { actor, csrf } = props.frame;
  const editScope = scopeFor(actor, "document.edit");
  const reviewScope = scopeFor(actor, "document.review");
  const hasScope = (s: ReturnType<typeof scopeFor>) =>
    s.all || s.siteIds.length > 0 || s.columnIds.length > 0;
  const siteScope = scopeFor(actor, "site.manage");
  const links: [string, string, string, boolean][] = [
    ["home", "/admin", "工作台", true],
    ["documents", "/admin/documents", "信息管理", hasScope(editScope) || hasScope(reviewScope)],
    ["reviews", "/admin/reviews", "待我审核", hasScope(reviewScope)],
    ["requests", "/admin/requests", "依申请公开", hasScope(scopeFor(actor, "case.handle"))],
    [
      "services",
      "/admin/services",
      "政务服务",
      hasScope(scopeFor(actor, "case.handle")) || hasScope(scopeFor(actor, "service.manage")),
    ],
    [
      "letters",
      "/admin/interaction",
      "政民互动",
      hasScope(scopeFor(actor, "case.handle")) || hasScope(editScope) || hasScope(reviewScope),
    ],
    [
      "disclosure",
      "/admin/disclosure/budget",
      "预决算与项目",
      hasScope(siteScope) || editScope.all || editScope.siteIds.length > 0,
    ],
    ["catalogue", "/admin/disclosure/lag", "公开目录", siteScope.all || siteScope.siteIds.length > 0],
    [
      "reports",
      "/admin/disclosure/annual-reports",
      "公开年报",
      hasScope(siteScope) || editScope.all || editScope.siteIds.length > 0,
    ],
    ["assistant", "/admin/assistant", "搜索与问答", hasScope(scopeFor(actor, "faq.manage"))],
    ["sites", "/admin/sites", "站点与栏目", hasScope(siteScope)],
    [
      "users",
      "/admin/users",
      "用户与授权",
      hasScope(siteScope) || hasScope(scopeFor(actor, "security.manage")),
    ],
    ["audit", "/admin/audit", "安全审计", hasScope(scopeFor(actor, "audit.read"))],
  ];
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${props.title}_政务网站集约化平台管理后台`}</title>
        <link rel="stylesheet" href={stylesheetUrl()} />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        {islandUrl("rich-text") && <script src={islandUrl("rich-text")} defer />}
      </head>
      <body class="admin">
        <a class="skip-link" href="#main">
          跳到主要内容
        </a>
        <header class="masthead admin-masthead">
          <div class="wrap masthead-inner">
            <a class="site-name" href="/admin">
              政务网站集约化平台 · 管理后台
            </a>
            <form class="inline-form" method="post" action="/admin/logout">
              <CsrfField token={csrf} />
              <a class="who" href="/admin/security" title="账号安全">
                {actor.name}
              </a>{" "}
              <button type="submit" class="link-button">
                退出登录
              </button>
            </form>
          </div>
          <nav class="main-nav" aria-label="后台导航">
            <ul class="wrap">
              {links
                .filter(([, , , show]) => show)
                .map(([key, href, label]) => (
                  <li key={key}>
                    <a href={href} aria-current={props.section === key ? "page" : undefined}>
                      {label}
                    </a>
                  </li>
                ))}
              <li>
                <a href="/">查看网站</a>
              </li>
            </ul>
          </nav>
        </header>
        <main id="main" class="wrap" tabIndex={-1}>
          {props.frame.flash && (
            <p class="flash" role="status">
              {props.frame.flash}
            </p>
          )}
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

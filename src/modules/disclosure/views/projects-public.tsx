import { formatDateTime } from "../../../web/html.ts";
import { PublicLayout } from "../../../web/layout.tsx";
import { formatAmount, formatShare } from "../money.ts";
import type { Milestone, Project } from "../projects.ts";
import { PROJECT_STATUS_LABELS, PROJECT_STATUSES, type ProjectStatus } from "../schema.ts";
import { type PageContext, ScrollTable } from "./budget-public.tsx";

export function projectHref(base: string, id: number): string {
  return `${base}/zdxm/${id}/`;
}

function StatusTag({ status }: { status: ProjectStatus }) {
  return <span class={`status status-${status}`}>{PROJECT_STATUS_LABELS[status]}</span>;
}

export function ProjectsPage(props: {
  page: PageContext;
  projects: Project[];
  status: ProjectStatus | null;
  counts: Record<ProjectStatus, number>;
}) {
  const { frame } = props.page;
  const { base } = frame;
  const all = PROJECT_STATUSES.reduce((s, k) => s + props.counts[k], 0);
  const sum = (pick: (p: Project) => number) => props.projects.reduce((s, p) => s + pick(p), 0);
  const query = props.status ? `?status=${props.status}` : "";
  return (
    <PublicLayout
      frame={frame}
      title="重大建设项目"
      crumbs={props.page.crumbs}
      meta={props.page.meta}
      activeColumnId={props.page.activeColumnId}
    >
      <div class="projects">
        <h1>重大建设项目</h1>
        <p class="lead">重大建设项目的批准、实施和进展情况。金额单位：万元。</p>
        <form method="get" action={`${base}/zdxm/`} class="filter-form">
          <div class="field">
            <label for="f-status">项目状态</label>
            <select id="f-status" name="status">
              <option value="">全部（{all} 个）</option>
              {PROJECT_STATUSES.map((s) => (
                <option key={s} value={s} selected={s === props.status}>
                  {PROJECT_STATUS_LABELS[s]}（{props.counts[s]} 个）
                </option>
              ))}
            </select>
          </div>
          <button type="submit">筛选</button>
        </form>
        <p class="count">
          {props.status ? `${PROJECT_STATUS_LABELS[props.status]}项目` : "全部项目"}共 {props.projects.length}{" "}
          个，总投资合计 {formatAmount(sum((p) => p.total))} 万元。
        </p>
        {props.projects.length === 0 ? (
          <p class="empty">暂无符合条件的项目。</p>
        ) : (
          <ScrollTable id="t-projects">
            <table class="data figures">
              <caption id="t-projects">重大建设项目一览（单位：万元）</caption>
              <thead>
                <tr>
                  <th scope="col">项目名称</th>
                  <th scope="col">项目单位</th>
                  <th scope="col">状态</th>
                  <th scope="col" class="num">
                    总投资
                  </th>
                  <th scope="col" class="num">
                    年度计划投资
                  </th>
                  <th scope="col" class="num">
                    已完成投资
                  </th>
                  <th scope="col" class="num">
                    投资完成率
                  </th>
                </tr>
              </thead>
              <tbody>
                {props.projects.map((p) => (
                  <tr key={p.id}>
                    <th scope="row">
                      <a href={projectHref(base, p.id)}>{p.name}</a>
                    </th>
                    <td>{p.unit}</td>
                    <td>
                      <StatusTag status={p.status} />
                    </td>
                    <td class="num">{formatAmount(p.total)}</td>
                    <td class="num">
                      {formatAmount(p.annual)}
                      <span class="plan-year">（{p.planYear}年）</span>
                    </td>
                    <td class="num">{formatAmount(p.completed)}</td>
                    <td class="num">{formatShare(p.completed, p.total)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">合计</th>
                  <td />
                  <td />
                  <td class="num">{formatAmount(sum((p) => p.total))}</td>
                  <td class="num">{formatAmount(sum((p) => p.annual))}</td>
                  <td class="num">{formatAmount(sum((p) => p.completed))}</td>
                  <td class="num">
                    {formatShare(
                      sum((p) => p.completed),
                      sum((p) => p.total),
                    )}
                  </td>
                </tr>
              </tfoot>
            </table>
          </ScrollTable>
        )}
        <section class="downloads" aria-labelledby="downloads-title">
          <h2 id="downloads-title">数据下载</h2>
          <ul>
            <li>
              <a href={`${base}/zdxm.csv${query}`} download>
                项目清单（CSV，可用 Excel 打开）
              </a>
            </li>
            <li>
              <a href={`${base}/zdxm.json${query}`}>项目清单及建设节点（JSON）</a>
            </li>
          </ul>
        </section>
      </div>
    </PublicLayout>
  );
}

export function ProjectPage(props: { page: PageContext; project: Project; milestones: Milestone[] }) {
  const { frame } = props.page;
  const p = props.project;
  const facts: [string, string][] = [
    ["项目单位", p.unit],
    ["建设地点", p.location || "—"],
    ["项目状态", PROJECT_STATUS_LABELS[p.status]],
    ["总投资", `${formatAmount(p.total)} 万元`],
    [`${p.planYear}年计划投资`, `${formatAmount(p.annual)} 万元`],
    ["累计完成投资", `${formatAmount(p.completed)} 万元`],
    ["投资完成率", formatShare(p.completed, p.total)],
    ["开工时间", p.startDate ?? "—"],
    [p.status === "completed" ? "竣工时间" : "计划竣工时间", p.endDate ?? "—"],
  ];
  return (
    <PublicLayout
      frame={frame}
      title={p.name}
      crumbs={props.page.crumbs}
      meta={props.page.meta}
      activeColumnId={props.page.activeColumnId}
    >
      <article class="project">
        <h1>{p.name}</h1>
        <p class="article-meta">
          <span>
            状态：
            <StatusTag status={p.status} />
          </span>
          <span>更新时间：{formatDateTime(p.updatedAt)}</span>
        </p>
        <table class="facts">
          <caption class="visually-hidden">项目基本信息</caption>
          <tbody>
            {facts.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {p.description && (
          <section aria-labelledby="desc-title">
            <h2 id="desc-title">项目简介</h2>
            {p.description
              .split(/\n+/)
              .filter((line) => line.trim())
              .map((line) => (
                <p key={line}>{line}</p>
              ))}
          </section>
        )}
        <section aria-labelledby="milestones-title">
          <h2 id="milestones-title">建设进展</h2>
          {props.milestones.length === 0 ? (
            <p class="empty">暂无建设节点信息。</p>
          ) : (
            <ol class="timeline">
              {props.milestones.map((m, i) => (
                <li key={`${m.date}-${i}`}>
                  <time dateTime={m.date}>{m.date}</time>
                  <span class="timeline-text">{m.text}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
        <p>
          <a href={`${frame.base}/zdxm/`}>返回重大建设项目列表</a>
        </p>
      </article>
    </PublicLayout>
  );
}

import { type AdminFrame, AdminLayout } from "../web/admin-layout.tsx";
import { Field, Pagination } from "../web/components.tsx";
import { formatDateTime } from "../web/html.ts";
import { AUDIT_RESULTS, type AuditFilter, type AuditRecord, actionLabel, type ChainReport } from "./audit.ts";

function filterQuery(filter: AuditFilter, page?: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value) params.set(key, value);
  if (page && page > 1) params.set("page", String(page));
  const text = params.toString();
  return text ? `?${text}` : "";
}

function detailText(detail: AuditRecord["detail"]): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key}=${value}`)
    .join("；");
}

export function AuditLogPage(props: {
  frame: AdminFrame;
  filter: AuditFilter;
  actions: string[];
  rows: AuditRecord[];
  total: number;
  page: number;
  pages: number;
}) {
  const { filter } = props;
  return (
    <AdminLayout frame={props.frame} title="安全审计" section="audit">
      <p>
        审计记录只能追加，任何账号都不能修改或删除；每条记录以 SM3 摘要与上一条相链接。
        <a href="/admin/audit/verify">校验审计链</a>
      </p>
      <form method="get" action="/admin/audit" class="filter-form" aria-label="筛选审计记录">
        <Field name="from" label="起始日期" type="date" value={filter.from} />
        <Field name="to" label="截止日期" type="date" value={filter.to} />
        <Field
          name="action"
          label="操作"
          value={filter.action}
          options={props.actions.map((a) => ({ value: a, label: actionLabel(a) }))}
        />
        <Field
          name="result"
          label="结果"
          value={filter.result}
          options={Object.entries(AUDIT_RESULTS).map(([value, label]) => ({ value, label }))}
        />
        <Field name="actor" label="操作人" value={filter.actor} />
        <Field name="target" label="对象" value={filter.target} />
        <Field name="ip" label="来源 IP" value={filter.ip} />
        <button type="submit">筛选</button>
      </form>
      <p>
        共 {props.total} 条记录。<a href={`/admin/audit.csv${filterQuery(filter)}`}>导出 CSV</a>
      </p>
      {props.rows.length === 0 ? (
        <p class="empty">没有符合条件的审计记录。</p>
      ) : (
        <div class="table-scroll">
          <table class="data audit-log">
            <caption class="visually-hidden">审计记录</caption>
            <thead>
              <tr>
                <th scope="col">序号</th>
                <th scope="col">时间</th>
                <th scope="col">操作人</th>
                <th scope="col">操作</th>
                <th scope="col">对象</th>
                <th scope="col">结果</th>
                <th scope="col">来源 IP</th>
                <th scope="col">详情</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr key={r.seq}>
                  <td>{r.seq}</td>
                  <td>{formatDateTime(r.at)}</td>
                  <td>{r.actor_name}</td>
                  <td>{actionLabel(r.action, r.detail)}</td>
                  <td>{r.target}</td>
                  <td>{AUDIT_RESULTS[r.result]}</td>
                  <td>{r.ip}</td>
                  <td>{detailText(r.detail)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination
        page={props.page}
        pages={props.pages}
        href={(n) => `/admin/audit${filterQuery(filter, n)}`}
      />
    </AdminLayout>
  );
}

export function AuditChainPage({ frame, report }: { frame: AdminFrame; report: ChainReport }) {
  return (
    <AdminLayout frame={frame} title="校验审计链" section="audit">
      {report.ok ? (
        <p class="flash" role="status">
          审计链完整：已逐条校验 {report.checked} 条记录的 SM3 摘要，未发现篡改或删除。
        </p>
      ) : (
        <div class="error-summary" role="alert">
          <h2>审计链已被破坏</h2>
          <p>
            第 {report.broken?.seq} 条：{report.broken?.reason}。此前 {report.checked} 条记录校验无误。
          </p>
        </div>
      )}
      <p>
        <a href="/admin/audit">返回审计记录</a>
      </p>
    </AdminLayout>
  );
}

import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import type { LagReport } from "../lag.ts";

/** The catalogue's admin pages, linked to one another. */
function CatalogueNav({ current, manage }: { current: string; manage: boolean }) {
  const links: [string, string, string][] = [
    ["lag", "/admin/disclosure/lag", "解读与公开时效"],
    ...(manage
      ? ([
          ["settings", "/admin/disclosure/settings", "发布设置"],
          ["orgs", "/admin/disclosure/orgs", "机构代码"],
        ] as [string, string, string][])
      : []),
  ];
  return (
    <nav class="subnav-inline" aria-label="政务公开目录">
      <ul>
        {links.map(([key, href, label]) => (
          <li key={key}>
            <a href={href} aria-current={key === current ? "page" : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function LagPage({
  frame,
  report,
  manage,
}: {
  frame: AdminFrame;
  report: LagReport;
  manage: boolean;
}) {
  const c = report.counts;
  return (
    <AdminLayout frame={frame} title="政策解读与公开时效" section="catalogue">
      <CatalogueNav current="lag" manage={manage} />
      <p class="hint">
        按工作日计算（节假日和调休以平台工作日历为准），统计截至 {report.today}。解读发布时限为政策发布后{" "}
        {report.limit} 个工作日；主动公开信息应自成文之日起 20
        个工作日内公开（《政府信息公开条例》第二十六条）。
      </p>
      <form method="get" action="/admin/disclosure/lag" class="filter-form" aria-label="调整解读时限">
        <Field name="limit" label="解读时限（工作日）" type="number" value={report.limit} />
        <button type="submit">重新统计</button>
      </form>
      <dl class="summary-list stats">
        <dt>政策文件</dt>
        <dd>{c.policies} 件</dd>
        <dt>已发布解读</dt>
        <dd>{c.interpreted} 件</dd>
        <dt>按时解读</dt>
        <dd>{c.withinLimit} 件</dd>
        <dt>解读超时</dt>
        <dd>{c.beyondLimit} 件</dd>
        <dt>规范性文件未解读</dt>
        <dd>{c.normativeWithout} 件</dd>
        <dt>超期公开</dt>
        <dd>{c.art26} 件</dd>
      </dl>

      <section aria-labelledby="lag-title">
        <h2 id="lag-title">解读发布时效</h2>
        <p>
          <a href={`/admin/disclosure/lag/interpretations.csv?limit=${report.limit}`}>下载 CSV</a>
        </p>
        {report.interpretations.length === 0 ? (
          <p class="empty">暂无已解读的政策文件。</p>
        ) : (
          <div class="table-scroll">
            <table class="data">
              <caption id="lag-caption" class="visually-hidden">
                解读发布时效
              </caption>
              <thead>
                <tr>
                  <th scope="col">政策文件</th>
                  <th scope="col">索引号</th>
                  <th scope="col">政策发布日期</th>
                  <th scope="col">解读</th>
                  <th scope="col">解读发布日期</th>
                  <th scope="col">间隔（工作日）</th>
                  <th scope="col">状态</th>
                </tr>
              </thead>
              <tbody>
                {report.interpretations.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <a href={`/admin/documents/${r.id}`}>{r.title}</a>
                      {r.normative && <span class="tag">规范性文件</span>}
                    </td>
                    <td>{r.index_no ?? "—"}</td>
                    <td>{r.published}</td>
                    <td>
                      {r.interpretation ? (
                        <a href={`/admin/documents/${r.interpretation.id}`}>{r.interpretation.title}</a>
                      ) : (
                        "未发布解读"
                      )}
                    </td>
                    <td>{r.interpretation?.published ?? "—"}</td>
                    <td>{r.lag}</td>
                    <td>
                      {!r.interpretation ? (
                        <strong class="badge-warning">缺少解读</strong>
                      ) : r.flagged ? (
                        <strong class="badge-warning">超时</strong>
                      ) : (
                        "按时"
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="art26-title">
        <h2 id="art26-title">超过 20 个工作日公开的信息</h2>
        <p>
          <a href="/admin/disclosure/lag/art26.csv">下载 CSV</a>
        </p>
        {report.art26.length === 0 ? (
          <p class="empty">没有自成文之日起超过 20 个工作日才公开的政策文件。</p>
        ) : (
          <div class="table-scroll">
            <table class="data">
              <caption id="art26-caption" class="visually-hidden">
                超过 20 个工作日公开的信息
              </caption>
              <thead>
                <tr>
                  <th scope="col">政策文件</th>
                  <th scope="col">索引号</th>
                  <th scope="col">成文日期</th>
                  <th scope="col">发布日期</th>
                  <th scope="col">间隔（工作日）</th>
                </tr>
              </thead>
              <tbody>
                {report.art26.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <a href={`/admin/documents/${r.id}`}>{r.title}</a>
                    </td>
                    <td>{r.index_no ?? "—"}</td>
                    <td>{r.written}</td>
                    <td>{r.published}</td>
                    <td>{r.days}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </AdminLayout>
  );
}

export function SettingsPage({ frame, state }: { frame: AdminFrame; state: FormState }) {
  const f = state.fields ?? {};
  return (
    <AdminLayout frame={frame} title="政务公开发布设置" section="catalogue">
      <CatalogueNav current="settings" manage />
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action="/admin/disclosure/settings" class="narrow-form">
        <CsrfField token={frame.csrf} />
        <Field
          name="interpretationGate"
          label="行政规范性文件没有政策解读时"
          value={state.values.interpretationGate}
          error={f.interpretationGate}
          required
          hint="“三同步”：规范性文件应与解读材料同步发布。选择“禁止发布”后，首次发布规范性文件时须已有提交审核或已发布的解读。"
          options={[
            { value: "warn", label: "提醒（在文档页面提示，仍可发布）" },
            { value: "block", label: "禁止发布（须先有解读）" },
          ]}
        />
        <Field
          name="lagLimit"
          label="解读发布时限（工作日）"
          type="number"
          value={state.values.lagLimit}
          error={f.lagLimit}
          required
          hint="解读晚于政策发布超过此工作日数的，在公开时效报告中标为超时；默认 3 个工作日"
        />
        <button type="submit">保存</button>
      </form>
    </AdminLayout>
  );
}

export function OrgCodesPage({
  frame,
  state,
  departments,
}: {
  frame: AdminFrame;
  state: FormState;
  departments: { id: number; name: string }[];
}) {
  return (
    <AdminLayout frame={frame} title="发布机构代码" section="catalogue">
      <CatalogueNav current="orgs" manage />
      <p class="hint">
        索引号的前段为发布机构的统一社会信用代码（18 位），后段为“年份-5 位流水号”，例如
        11999900MB0123456X/2026-00017。修改代码只影响今后生成的索引号，已生成的索引号永不改变。
      </p>
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action="/admin/disclosure/orgs" class="narrow-form">
        <CsrfField token={frame.csrf} />
        {departments.map((d) => (
          <Field
            key={d.id}
            name={`org.${d.id}`}
            label={d.name}
            value={state.values[`org.${d.id}`]}
            error={state.fields?.[`org.${d.id}`]}
            autocomplete="off"
          />
        ))}
        <button type="submit">保存</button>
      </form>
    </AdminLayout>
  );
}

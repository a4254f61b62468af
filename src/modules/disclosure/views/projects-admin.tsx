import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import { formatDateTime } from "../../../web/html.ts";
import { formatAmount } from "../money.ts";
import type { Milestone, Project } from "../projects.ts";
import { PROJECT_STATUS_LABELS, PROJECT_STATUSES } from "../schema.ts";

export interface ProjectFormState {
  values: Record<string, string>;
  milestones: Milestone[];
  error?: string | undefined;
  fields?: Record<string, string> | undefined;
}

export const PROJECT_FORM_KEYS = [
  "siteId",
  "name",
  "unit",
  "location",
  "status",
  "total",
  "planYear",
  "annual",
  "completed",
  "startDate",
  "endDate",
  "description",
  "published",
] as const;

export function projectValues(p: Project): Record<string, string> {
  const amount = (cents: number) => (cents / 100).toFixed(2);
  return {
    siteId: String(p.siteId),
    name: p.name,
    unit: p.unit,
    location: p.location,
    status: p.status,
    total: amount(p.total),
    planYear: String(p.planYear),
    annual: amount(p.annual),
    completed: amount(p.completed),
    startDate: p.startDate ?? "",
    endDate: p.endDate ?? "",
    description: p.description,
    published: p.published ? "1" : "",
  };
}

export function ProjectsListPage(props: { frame: AdminFrame; projects: (Project & { siteName: string })[] }) {
  return (
    <AdminLayout frame={props.frame} title="重大建设项目" section="disclosure">
      <p>
        <a class="button" href="/admin/disclosure/projects/new">
          新建项目
        </a>{" "}
        <a href="/admin/disclosure/budget">财政预决算</a>
      </p>
      {props.projects.length === 0 ? (
        <p class="empty">尚无项目。</p>
      ) : (
        <table class="data">
          <caption class="visually-hidden">重大建设项目</caption>
          <thead>
            <tr>
              <th scope="col">项目名称</th>
              <th scope="col">站点</th>
              <th scope="col">状态</th>
              <th scope="col">总投资（万元）</th>
              <th scope="col">公开状态</th>
              <th scope="col">更新时间</th>
            </tr>
          </thead>
          <tbody>
            {props.projects.map((p) => (
              <tr key={p.id}>
                <td>
                  <a href={`/admin/disclosure/projects/${p.id}`}>{p.name}</a>
                </td>
                <td>{p.siteName}</td>
                <td>{PROJECT_STATUS_LABELS[p.status]}</td>
                <td>{formatAmount(p.total)}</td>
                <td>{p.published ? "已公开" : "未公开"}</td>
                <td>{formatDateTime(p.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

const EXTRA_MILESTONES = 3;

function MilestoneTable({ rows, fields }: { rows: Milestone[]; fields: Record<string, string> }) {
  const shown = [...rows, ...Array.from({ length: EXTRA_MILESTONES }, () => ({ date: "", text: "" }))];
  const cell = (i: number, part: keyof Milestone, value: string, type: string) => {
    const inputId = `f-ms-${i}-${part}`;
    const error = fields[`ms.${i}.${part}`];
    return (
      <td>
        <input
          type={type as "text"}
          id={inputId}
          name={`ms.${part}`}
          value={value}
          aria-labelledby={`ms-h-${part} ms-r${i}`}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? `${inputId}-error` : undefined}
        />
        {error && (
          <p class="error-message" id={`${inputId}-error`}>
            <span class="visually-hidden">错误：</span>
            {error}
          </p>
        )}
      </td>
    );
  };
  return (
    <fieldset id="f-ms" class={fields.ms ? "line-fieldset field-error" : "line-fieldset"} tabIndex={-1}>
      <legend>建设节点</legend>
      <p class="hint">每行一个节点：日期和内容。公开页面按日期先后排列；删除节点时清空该行即可。</p>
      {fields.ms && <p class="error-message">{fields.ms}</p>}
      <div class="table-scroll">
        <table class="data line-table">
          <caption class="visually-hidden">建设节点</caption>
          <thead>
            <tr>
              <th scope="col">行</th>
              <th scope="col" id="ms-h-date">
                日期
              </th>
              <th scope="col" id="ms-h-text">
                节点内容
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((m, i) => (
              <tr key={i}>
                <th scope="row" id={`ms-r${i}`}>
                  第 {i + 1} 行
                </th>
                {cell(i, "date", m.date, "date")}
                {cell(i, "text", m.text, "text")}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </fieldset>
  );
}

export function ProjectFormPage(props: {
  frame: AdminFrame;
  title: string;
  action: string;
  /** Sites to choose from when creating; null when editing (a project stays in its site). */
  sites: { id: number; name: string }[] | null;
  state: ProjectFormState;
  deleteAction?: string | undefined;
  publicHref?: string | undefined;
}) {
  const v = props.state.values;
  const f = props.state.fields ?? {};
  return (
    <AdminLayout frame={props.frame} title={props.title} section="disclosure">
      <p>
        <a href="/admin/disclosure/projects">返回重大建设项目列表</a>
        {props.publicHref && (
          <>
            {" · "}
            <a href={props.publicHref}>查看公开页面</a>
          </>
        )}
      </p>
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <form method="post" action={props.action} class="narrow-form">
        <CsrfField token={props.frame.csrf} />
        {props.sites && (
          <Field
            name="siteId"
            label="所属站点"
            value={v.siteId}
            error={f.siteId}
            required
            options={props.sites.map((s) => ({ value: String(s.id), label: s.name }))}
          />
        )}
        <Field name="name" label="项目名称" value={v.name} error={f.name} required />
        <Field name="unit" label="项目单位" value={v.unit} error={f.unit} required />
        <Field name="location" label="建设地点" value={v.location} error={f.location} />
        <Field
          name="status"
          label="项目状态"
          value={v.status}
          error={f.status}
          required
          options={PROJECT_STATUSES.map((s) => ({ value: s, label: PROJECT_STATUS_LABELS[s] }))}
        />
        <Field
          name="total"
          label="总投资（万元）"
          value={v.total}
          error={f.total}
          required
          hint="最多两位小数，如 186200.50"
        />
        <Field
          name="planYear"
          label="计划年度"
          value={v.planYear}
          error={f.planYear}
          required
          hint="如 2026"
        />
        <Field
          name="annual"
          label="年度计划投资（万元）"
          value={v.annual}
          error={f.annual}
          hint="计划年度内安排的投资"
        />
        <Field
          name="completed"
          label="已完成投资（万元）"
          value={v.completed}
          error={f.completed}
          hint="开工以来累计完成"
        />
        <Field name="startDate" label="开工日期" type="date" value={v.startDate} error={f.startDate} />
        <Field
          name="endDate"
          label="计划竣工日期"
          type="date"
          value={v.endDate}
          error={f.endDate}
          hint="已竣工的项目填实际竣工日期"
        />
        <Field
          name="description"
          label="项目简介"
          value={v.description}
          error={f.description}
          multiline={6}
          hint="建设内容、规模和意义；空行分段"
        />
        <MilestoneTable rows={props.state.milestones} fields={f} />
        <div class="checkbox">
          <input type="checkbox" id="f-published" name="published" value="1" checked={v.published === "1"} />
          <label for="f-published">公开（勾选后在网站“重大建设项目”栏目显示）</label>
        </div>
        <button type="submit">保存</button>
      </form>
      {props.deleteAction && (
        <>
          <h2>删除项目</h2>
          <form method="post" action={props.deleteAction}>
            <CsrfField token={props.frame.csrf} />
            <p class="hint">删除项目及其全部建设节点，公开页面随之撤下。</p>
            <button type="submit" class="warning">
              删除项目
            </button>
          </form>
        </>
      )}
    </AdminLayout>
  );
}

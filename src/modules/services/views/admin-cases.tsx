import { CLOCK_STATE_LABELS, type ClockState } from "../../../core/deadline.ts";
import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import { formatDateTime, formatSize } from "../../../web/html.ts";
import { RequestTimeline } from "../../disclosure/views/requests.tsx";
import type { ApplicationAction } from "../applications.ts";
import { FOLLOWUP_HANDLING } from "../ratings.ts";
import { APPLICATION_STATES, type ApplicationState, SCORE_LABELS } from "../schema.ts";
import { ServicesAdminNav } from "./admin-items.tsx";
import { CaseSummary, type CaseView } from "./apply.tsx";

interface CaseRow {
  id: number;
  number: string;
  applicant_name: string;
  state: ApplicationState;
  submitted_at: Date;
  due_on: string | null;
  escalated_at: Date | null;
  warned_at: Date | null;
  item_name: string;
  site_name: string;
}

export function CaseListPage({
  frame,
  rows,
  state,
  overdue,
}: {
  frame: AdminFrame;
  rows: CaseRow[];
  state: string;
  overdue: boolean;
}) {
  return (
    <AdminLayout frame={frame} title="政务服务办件" section="services">
      <ServicesAdminNav current="cases" />
      <form method="get" action="/admin/services" class="filter-form" aria-label="筛选">
        <Field
          name="state"
          label="办理状态"
          value={state}
          options={Object.entries(APPLICATION_STATES).map(([value, label]) => ({ value, label }))}
        />
        <div class="checkbox">
          <input type="checkbox" id="f-overdue" name="overdue" value="1" checked={overdue} />
          <label for="f-overdue">只看已超期</label>
        </div>
        <button type="submit">筛选</button>
      </form>
      {rows.length === 0 ? (
        <p>没有符合条件的办件。</p>
      ) : (
        <div class="table-scroll">
          <table class="data">
            <caption class="visually-hidden">办件</caption>
            <thead>
              <tr>
                <th scope="col">办件编号</th>
                <th scope="col">事项</th>
                <th scope="col">申请人</th>
                <th scope="col">提交时间</th>
                <th scope="col">状态</th>
                <th scope="col">承诺期限</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={`/admin/services/cases/${r.id}`}>{r.number}</a>
                  </td>
                  <td>
                    {r.item_name}
                    <span class="hint">（{r.site_name}）</span>
                  </td>
                  <td>{r.applicant_name}</td>
                  <td>{formatDateTime(r.submitted_at)}</td>
                  <td>{APPLICATION_STATES[r.state]}</td>
                  <td>
                    {r.due_on ?? "—"}
                    {r.escalated_at ? (
                      <span class="tag badge-warning">已督办</span>
                    ) : r.warned_at ? (
                      <span class="tag">预警</span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminLayout>
  );
}

export function CaseDetailPage(props: {
  frame: AdminFrame;
  data: CaseView;
  form: { label: string; value: string; masked: string }[];
  clockState: ClockState | null;
  actions: { action: ApplicationAction; label: string }[];
  labels: Record<string, string>;
  state: FormState & { action?: string };
  canRevoke: boolean;
}) {
  const { frame, data } = props;
  const a = data.application;
  const problem = (action: string) =>
    props.state.action === action ? (
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
    ) : null;
  const f = props.state.fields ?? {};
  const v = props.state.values;
  const form = (action: ApplicationAction, label: string, body: preact.ComponentChildren, files = false) => (
    <form
      key={action}
      method="post"
      action={`/admin/services/cases/${a.id}/act`}
      class="narrow-form"
      encType={files ? "multipart/form-data" : undefined}
    >
      <CsrfField token={frame.csrf} />
      <input type="hidden" name="action" value={action} />
      {problem(action)}
      {body}
      <button type="submit">{label}</button>
    </form>
  );
  return (
    <AdminLayout frame={frame} title={`办件 ${a.number}`} section="services">
      <ServicesAdminNav current="cases" />
      <CaseSummary data={data} />
      {props.clockState && <p>计时状态：{CLOCK_STATE_LABELS[props.clockState]}</p>}
      <h2>申请信息</h2>
      <table class="facts">
        <tbody>
          {props.form.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td>{row.masked || row.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>材料</h2>
      {data.files.length === 0 ? (
        <p>未提交材料。</p>
      ) : (
        <ul>
          {data.files.map((file) => (
            <li key={file.id}>
              {file.purpose === "result" ? "办理结果：" : `${file.material}：`}
              {file.licence_number ? (
                <>免提交，调用电子证照 {file.licence_number}</>
              ) : (
                <a href={`/admin/services/cases/${a.id}/files/${file.id}`}>{file.filename}</a>
              )}
              {file.size > 0 && <span class="file-size">（{formatSize(file.size)}）</span>}
            </li>
          ))}
        </ul>
      )}
      {props.actions.length > 0 && <h2>办理</h2>}
      {props.actions.map(({ action, label }) => {
        switch (action) {
          case "refuse":
          case "deny":
            return form(
              action,
              label,
              <Field
                name="reason"
                label={action === "refuse" ? "不予受理理由" : "不予决定理由"}
                value={props.state.action === action ? v.reason : ""}
                error={props.state.action === action ? f.reason : undefined}
                required
                multiline={3}
              />,
            );
          case "request_correction":
            return form(
              action,
              label,
              <Field
                name="items"
                label="需补正的材料或内容（一次性告知）"
                value={props.state.action === action ? v.items : ""}
                error={props.state.action === action ? f.items : undefined}
                required
                multiline={3}
                hint={`写明材料名称，申请人可逐项上传：${data.item.materials.map((m) => m.name).join("、")}`}
              />,
            );
          case "complete":
            return form(
              action,
              label,
              <Field
                name="result"
                label="结果文书（可选）"
                type="file"
                error={props.state.action === action ? f.result : undefined}
                hint="准予且事项核发电子证照的，办结时自动签发"
              />,
              true,
            );
          default:
            return form(
              action,
              label,
              <Field
                name="comment"
                label="办理意见"
                value={props.state.action === action ? v.comment : ""}
                multiline={2}
              />,
            );
        }
      })}
      {data.licence && data.licence.status === "valid" && props.canRevoke && (
        <form
          method="post"
          action={`/admin/services/licences/${data.licence.number}/revoke`}
          class="narrow-form"
        >
          <CsrfField token={frame.csrf} />
          <Field name="reason" label={`注销电子证照 ${data.licence.number} 的原因`} required multiline={2} />
          <button type="submit" class="warning">
            注销电子证照
          </button>
        </form>
      )}
      <h2>办理过程</h2>
      <RequestTimeline history={data.history} labels={props.labels} showActors />
    </AdminLayout>
  );
}

interface FollowupRow {
  id: number;
  due_on: string;
  state: "open" | "closed";
  handling: string;
  response: string;
  closed_at: Date | null;
  score: number;
  comment: string;
  number: string;
  application_id: number;
  item_name: string;
}

export function FollowupsPage({ frame, rows }: { frame: AdminFrame; rows: FollowupRow[] }) {
  return (
    <AdminLayout frame={frame} title="差评整改" section="services">
      <ServicesAdminNav current="followups" />
      {rows.length === 0 ? (
        <p>没有差评整改任务。</p>
      ) : (
        <table class="data">
          <caption class="visually-hidden">差评整改任务</caption>
          <thead>
            <tr>
              <th scope="col">办件</th>
              <th scope="col">评价</th>
              <th scope="col">整改期限</th>
              <th scope="col">状态</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  <a href={`/admin/services/followups/${r.id}`}>{r.number}</a> {r.item_name}
                </td>
                <td>
                  {SCORE_LABELS[r.score]}：{r.comment}
                </td>
                <td>{r.due_on}</td>
                <td>{r.state === "open" ? "待整改" : `已办结（${r.handling}）`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

export function FollowupPage({
  frame,
  row,
  state,
}: {
  frame: AdminFrame;
  row: FollowupRow;
  state: FormState;
}) {
  const f = state.fields ?? {};
  return (
    <AdminLayout frame={frame} title={`差评整改：办件 ${row.number}`} section="services">
      <ServicesAdminNav current="followups" />
      <dl class="summary-list">
        <dt>办件</dt>
        <dd>
          <a href={`/admin/services/cases/${row.application_id}`}>{row.number}</a>（{row.item_name}）
        </dd>
        <dt>评价</dt>
        <dd>
          {SCORE_LABELS[row.score]}（{row.score} 星）
        </dd>
        <dt>评价内容</dt>
        <dd>{row.comment}</dd>
        <dt>整改期限</dt>
        <dd>{row.due_on}</dd>
        {row.state === "closed" && (
          <>
            <dt>处理方式</dt>
            <dd>{row.handling}</dd>
            <dt>处理结果</dt>
            <dd>{row.response}</dd>
            <dt>办结时间</dt>
            <dd>{formatDateTime(row.closed_at)}</dd>
          </>
        )}
      </dl>
      {row.state === "open" && (
        <form method="post" action={`/admin/services/followups/${row.id}`} class="narrow-form">
          <CsrfField token={frame.csrf} />
          <ErrorSummary message={state.error} fields={state.fields} />
          <Field
            name="handling"
            label="处理方式"
            value={state.values.handling}
            error={f.handling}
            required
            options={FOLLOWUP_HANDLING}
          />
          <Field
            name="response"
            label="回访核实与整改情况"
            value={state.values.response}
            error={f.response}
            required
            multiline={4}
          />
          <button type="submit">办结整改任务</button>
        </form>
      )}
    </AdminLayout>
  );
}

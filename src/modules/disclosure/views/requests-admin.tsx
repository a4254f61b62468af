import { CLOCK_STATE_LABELS, type ClockState } from "../../../core/deadline.ts";
import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import { formatDateTime } from "../../../web/html.ts";
import { FEE_METHOD_LABELS } from "../fees.ts";
import {
  ANSWER_OUTCOMES,
  type InfoRequest,
  type InfoRequestNotice,
  OUTCOMES,
  REQUEST_STATES,
  type RequestState,
} from "../request-schema.ts";
import type { RequestAction } from "../requests.ts";
import { type HistoryRow, NoticeView, RequestTimeline } from "./requests.tsx";

interface ListRow {
  id: number;
  tracking_no: string;
  applicant_name: string;
  description: string;
  state: RequestState;
  submitted_at: Date;
  due_on: string | null;
  escalated_at: Date | null;
  site_name: string;
}

export function RequestListPage({
  frame,
  rows,
  state,
  overdue,
}: {
  frame: AdminFrame;
  rows: ListRow[];
  state: string;
  overdue: boolean;
}) {
  return (
    <AdminLayout frame={frame} title="依申请公开" section="requests">
      <form method="get" action="/admin/requests" class="filter-form" aria-label="筛选">
        <Field
          name="state"
          label="办理状态"
          value={state}
          options={Object.entries(REQUEST_STATES).map(([value, label]) => ({ value, label }))}
        />
        <div class="checkbox">
          <input type="checkbox" id="f-overdue" name="overdue" value="1" checked={overdue} />
          <label for="f-overdue">只看已超期</label>
        </div>
        <button type="submit">筛选</button>
      </form>
      {rows.length === 0 ? (
        <p class="empty">没有符合条件的申请。</p>
      ) : (
        <table class="data">
          <caption class="visually-hidden">政府信息公开申请</caption>
          <thead>
            <tr>
              <th scope="col">申请编号</th>
              <th scope="col">申请人</th>
              <th scope="col">所需信息</th>
              <th scope="col">受理机关</th>
              <th scope="col">状态</th>
              <th scope="col">答复期限</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  <a href={`/admin/requests/${r.id}`}>{r.tracking_no}</a>
                </td>
                <td>{r.applicant_name}</td>
                <td>{r.description.slice(0, 40)}</td>
                <td>{r.site_name}</td>
                <td>
                  {REQUEST_STATES[r.state]}
                  {r.escalated_at && <strong class="badge-warning">（已督办）</strong>}
                </td>
                <td>{r.due_on ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

function ActionForm({
  id,
  action,
  label,
  csrf,
  state,
}: {
  id: number;
  action: RequestAction;
  label: string;
  csrf: string;
  state: FormState;
}) {
  const f = state.fields ?? {};
  const v = state.values;
  const fields: Record<RequestAction, preact.ComponentChildren> = {
    register: <Field name="comment" label="登记说明（选填）" value={v.comment} />,
    request_correction: (
      <>
        <Field name="items" label="需要补正的事项" value={v.items} error={f.items} required multiline={3} />
        <Field name="days" label="补正期限（工作日）" type="number" value={v.days ?? "10"} error={f.days} />
      </>
    ),
    correction_received: <Field name="comment" label="补正内容摘要" value={v.comment} />,
    correction_lapsed: <Field name="comment" label="说明（选填）" value={v.comment} />,
    consult_third_party: <Field name="comment" label="被征求意见的第三方及事项" value={v.comment} />,
    consultation_done: <Field name="comment" label="第三方意见摘要" value={v.comment} />,
    extend: (
      <>
        <Field
          name="days"
          label="延长期限（工作日，最多 20）"
          type="number"
          value={v.days ?? "20"}
          error={f.days}
        />
        <Field name="reason" label="延期理由" value={v.reason} error={f.reason} required />
      </>
    ),
    issue_fee_notice: (
      <>
        <Field
          name="feeMethod"
          label="收费方式"
          value={v.feeMethod}
          error={f.feeMethod}
          required
          options={Object.entries(FEE_METHOD_LABELS).map(([value, label]) => ({ value, label }))}
        />
        <Field name="pages" label="页数（按量计收时填写）" type="number" value={v.pages} error={f.pages} />
      </>
    ),
    fee_paid: <Field name="comment" label="缴费凭证号" value={v.comment} />,
    fee_lapsed: <Field name="comment" label="说明（选填）" value={v.comment} />,
    answer: (
      <>
        <Field
          name="outcome"
          label="答复类型"
          value={v.outcome}
          error={f.outcome}
          required
          options={ANSWER_OUTCOMES.map((o) => ({
            value: o,
            label: `${OUTCOMES[o].group}${OUTCOMES[o].item ? `（${OUTCOMES[o].item}）` : ""}：${OUTCOMES[o].label}`,
          }))}
        />
        <Field
          name="reason"
          label="理由、提供方式或负责机关"
          value={v.reason}
          error={f.reason}
          multiline={4}
          hint="将写入告知书"
        />
      </>
    ),
  };
  return (
    <form method="post" action={`/admin/requests/${id}/act`} class="panel action-form">
      <h3>{label}</h3>
      <CsrfField token={csrf} />
      <input type="hidden" name="action" value={action} />
      {fields[action]}
      <button type="submit">{label}</button>
    </form>
  );
}

function RevealForm({
  csrf,
  id,
  state,
}: {
  csrf: string;
  id: number;
  state: FormState & { action?: string };
}) {
  const mine = state.action === "reveal";
  return (
    <details class="reveal" open={mine}>
      <summary>查看完整的证件号码和联系方式</summary>
      <form method="post" action={`/admin/requests/${id}/reveal`} class="narrow-form">
        <CsrfField token={csrf} />
        <Field
          name="reason"
          label="查看理由"
          value={mine ? state.values.reason : ""}
          error={mine ? state.fields?.reason : undefined}
          required
          hint="例如：电话联系申请人补正。理由与您的姓名、时间一并记入安全审计"
        />
        <button type="submit">查看</button>
      </form>
    </details>
  );
}

export interface RevealedIdentifiers {
  idNumber: string | null;
  phone: string | null;
  address: string | null;
}

export function RequestDetailPage(props: {
  frame: AdminFrame;
  request: InfoRequest;
  siteName: string;
  history: HistoryRow[];
  notices: InfoRequestNotice[];
  clock: { state: ClockState; due: string } | null;
  actions: { action: RequestAction; label: string }[];
  labels: Record<string, string>;
  state: FormState & { action?: string };
  /** May see the applicant's identifiers in full (each time audited with a reason). */
  mayReveal: boolean;
  revealed?: RevealedIdentifiers | undefined;
}) {
  const r = props.request;
  const shown = props.revealed;
  return (
    <AdminLayout frame={props.frame} title={`申请 ${r.tracking_no}`} section="requests">
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <dl class="summary-list">
        <dt>办理状态</dt>
        <dd>
          {REQUEST_STATES[r.state]}
          {r.escalated_at && <strong class="badge-warning">（已超期督办）</strong>}
        </dd>
        <dt>受理机关</dt>
        <dd>{props.siteName}</dd>
        <dt>答复期限</dt>
        <dd>{props.clock ? `${props.clock.due}（${CLOCK_STATE_LABELS[props.clock.state]}）` : "—"}</dd>
        <dt>提交时间</dt>
        <dd>{formatDateTime(r.submitted_at)}</dd>
        <dt>申请人</dt>
        <dd>
          {r.applicant_name}（
          {r.applicant_type === "person" ? "自然人" : `法人或其他组织 · ${r.org_category ?? ""}`}）
        </dd>
        <dt>身份证明</dt>
        <dd>
          {r.id_type} {shown?.idNumber ?? r.id_number_masked}
        </dd>
        <dt>联系方式</dt>
        <dd>
          {shown?.phone ?? r.phone_masked}
          {r.email && ` · ${r.email}`}
          {(shown?.address ?? r.address_masked) && ` · ${shown?.address ?? r.address_masked}`}
        </dd>
        <dt>所需信息</dt>
        <dd>{r.description}</dd>
        {r.document_hint && (
          <>
            <dt>文号</dt>
            <dd>{r.document_hint}</dd>
          </>
        )}
        <dt>载体与获取方式</dt>
        <dd>
          {r.carrier} · {r.delivery}
        </dd>
        {r.outcome && (
          <>
            <dt>答复结果</dt>
            <dd>
              {OUTCOMES[r.outcome].group}：{OUTCOMES[r.outcome].label}
            </dd>
          </>
        )}
      </dl>
      {props.mayReveal &&
        (shown ? (
          <p class="flash" role="status">
            已显示完整的证件号码和联系方式，本次查看已记入安全审计。离开本页后恢复隐藏。
          </p>
        ) : (
          <RevealForm csrf={props.frame.csrf} id={r.id} state={props.state} />
        ))}
      {props.actions.length > 0 && (
        <section aria-labelledby="actions-title">
          <h2 id="actions-title">办理</h2>
          <div class="action-grid">
            {props.actions.map((a) => (
              <ActionForm
                key={a.action}
                id={r.id}
                action={a.action}
                label={a.label}
                csrf={props.frame.csrf}
                state={props.state.action === a.action ? props.state : { values: {} }}
              />
            ))}
          </div>
        </section>
      )}
      <h2>办理过程</h2>
      <RequestTimeline history={props.history} labels={props.labels} showActors />
      {props.notices.length > 0 && (
        <section aria-labelledby="notices-title">
          <h2 id="notices-title">已出具的文书</h2>
          {props.notices.map((n) => (
            <div key={n.id}>
              <NoticeView notice={n} />
              <p>
                <a href={`/admin/requests/${r.id}/notices/${n.id}`}>
                  下载<span class="visually-hidden">{n.title}</span>
                </a>
              </p>
            </div>
          ))}
        </section>
      )}
    </AdminLayout>
  );
}

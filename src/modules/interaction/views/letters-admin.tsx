import type { ComponentChildren } from "preact";
import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import { formatDateTime, formatSize } from "../../../web/html.ts";
import { RequestTimeline } from "../../disclosure/views/requests.tsx";
import {
  LETTER_STATES,
  LETTER_TYPES,
  type Letter,
  type LetterReply,
  type LetterSla,
  type Suggestion,
} from "../schema.ts";
import { ALARM_DAYS, type LetterAction, URGENCY_LABELS, type Urgency } from "../service.ts";

function UrgencyTag({ urgency }: { urgency: Urgency }) {
  if (urgency === "normal") return null;
  return <strong class={`badge-warning urgency-${urgency}`}>（{URGENCY_LABELS[urgency]}）</strong>;
}

export function LetterAdminListPage(props: {
  frame: AdminFrame;
  rows: { letter: Letter; urgency: Urgency; handlingName: string }[];
  state: string;
  queue: boolean;
}) {
  return (
    <AdminLayout frame={props.frame} title={props.queue ? "来信督办" : "来信办理"} section="letters">
      <ul class="action-links">
        <li>
          <a href="/admin/letters" aria-current={props.queue ? undefined : "page"}>
            全部来信
          </a>
        </li>
        <li>
          <a href="/admin/letters?queue=supervision" aria-current={props.queue ? "page" : undefined}>
            督办（即将到期、已超期、长期未答复）
          </a>
        </li>
        <li>
          <a href="/admin/letters/settings">办理时限与分办关键词</a>
        </li>
      </ul>
      {props.queue && (
        <p class="hint">
          受理和答复超过时限的来信自动提请本级政府办公室督办；来信 {ALARM_DAYS}
          天仍未答复的发出长期未答复预警——来信满 3 个月未答复将导致网站单项否决。
        </p>
      )}
      {!props.queue && (
        <form method="get" action="/admin/letters" class="filter-form" aria-label="筛选">
          <Field
            name="state"
            label="办理状态"
            value={props.state}
            options={Object.entries(LETTER_STATES).map(([value, label]) => ({ value, label }))}
          />
          <button type="submit">筛选</button>
        </form>
      )}
      {props.rows.length === 0 ? (
        <p class="empty">没有符合条件的来信。</p>
      ) : (
        <table class="data">
          <caption class="visually-hidden">来信</caption>
          <thead>
            <tr>
              <th scope="col">信件编号</th>
              <th scope="col">类型</th>
              <th scope="col">标题</th>
              <th scope="col">承办单位</th>
              <th scope="col">状态</th>
              <th scope="col">答复期限</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map(({ letter: l, urgency, handlingName }) => (
              <tr key={l.id}>
                <td>
                  <a href={`/admin/letters/${l.id}`}>{l.tracking_no}</a>
                </td>
                <td>{l.type}</td>
                <td>{l.title}</td>
                <td>{handlingName}</td>
                <td>
                  {LETTER_STATES[l.state]}
                  <UrgencyTag urgency={urgency} />
                  {l.escalated_at && <span class="tag">已督办</span>}
                </td>
                <td>
                  {l.state === "submitted"
                    ? `受理：${formatDateTime(l.accept_due_at)}`
                    : (l.reply_due_on ?? "—")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

function ActionForm(props: {
  id: number;
  action: LetterAction;
  label: string;
  csrf: string;
  state: FormState & { action?: string };
  children?: ComponentChildren;
}) {
  return (
    <form method="post" action={`/admin/letters/${props.id}/act`} class="panel action-form">
      <h3>{props.label}</h3>
      <CsrfField token={props.csrf} />
      <input type="hidden" name="action" value={props.action} />
      {props.children}
      <button type="submit">{props.label}</button>
    </form>
  );
}

export function LetterAdminDetailPage(props: {
  frame: AdminFrame;
  letter: Letter;
  contact: { name: string; phone: string; email: string };
  mailboxName: string;
  handlingName: string;
  urgency: Urgency;
  vetoLine: string;
  history: { id: number; action: string; comment: string; created_at: Date; actor_name: string | null }[];
  replies: LetterReply[];
  attachments: { id: number; filename: string; size: number }[];
  actions: { action: LetterAction; label: string }[];
  mailboxes: { siteId: number; name: string }[];
  labels: Record<string, string>;
  canPublish: boolean;
  canUrge: boolean;
  state: FormState & { action?: string };
}) {
  const l = props.letter;
  const { state } = props;
  const mine = (a: string): FormState => (state.action === a ? state : { values: {} });
  const suggestions = l.suggestions as Suggestion[];
  const pending = props.replies.at(-1)?.status === "in_review" ? props.replies.at(-1) : undefined;
  const fieldsFor = (action: LetterAction) => {
    const s = mine(action);
    const v = s.values;
    const f = s.fields ?? {};
    switch (action) {
      case "accept":
        return <Field name="comment" label="受理说明（选填）" value={v.comment} />;
      case "reject":
        return (
          <Field
            name="reason"
            label="不予受理理由"
            value={v.reason}
            error={f.reason}
            required
            multiline={3}
            hint="将告知来信人，请写明可以反映的渠道"
          />
        );
      case "assign":
        return (
          <>
            {suggestions.length > 0 && (
              <p class="hint">
                系统建议：
                {suggestions.map((s) => `${s.name}（${Math.round(s.score * 100)}%）`).join("、")}
                。依据来信用词与各单位职责、分办关键词和以往来信的相似程度计算，请核实后确认或改选。
              </p>
            )}
            <Field
              name="siteId"
              label="承办单位"
              value={v.siteId ?? String(suggestions[0]?.siteId ?? "")}
              error={f.siteId}
              required
              options={props.mailboxes
                .filter((m) => m.name !== "市长信箱")
                .map((m) => ({ value: String(m.siteId), label: m.name.replace(/信箱$/, "") }))}
            />
            <Field name="comment" label="转办意见（选填）" value={v.comment} />
          </>
        );
      case "send_back":
        return <Field name="comment" label="退回理由" value={v.comment} error={f.comment} required />;
      case "submit_reply":
        return (
          <Field
            name="body"
            label="答复内容"
            value={v.body ?? props.replies.at(-1)?.body}
            error={f.body}
            required
            multiline={8}
            hint="提交后由本单位负责人审核，审核通过即答复来信人"
          />
        );
      case "approve_reply":
        return <Field name="comment" label="审核意见（选填）" value={v.comment} />;
      case "return_reply":
        return <Field name="comment" label="退回修改意见" value={v.comment} error={f.comment} required />;
      default:
        return null;
    }
  };
  return (
    <AdminLayout frame={props.frame} title={`来信 ${l.tracking_no}`} section="letters">
      <ErrorSummary message={state.error} fields={state.fields} />
      <dl class="summary-list">
        <dt>办理状态</dt>
        <dd>
          {LETTER_STATES[l.state]}
          <UrgencyTag urgency={props.urgency} />
          {l.escalated_at && <span class="tag">已督办</span>}
          {l.reopened && <span class="tag">重办</span>}
        </dd>
        <dt>写信给</dt>
        <dd>{props.mailboxName}</dd>
        <dt>承办单位</dt>
        <dd>{props.handlingName || "—"}</dd>
        <dt>来信类型</dt>
        <dd>{l.type}</dd>
        <dt>提交时间</dt>
        <dd>{formatDateTime(l.submitted_at)}</dd>
        <dt>受理时限</dt>
        <dd>{formatDateTime(l.accept_due_at)}</dd>
        <dt>办理时限 / 答复期限</dt>
        <dd>
          {l.handle_due_on ?? "—"} / {l.reply_due_on ?? "—"}
        </dd>
        <dt>3 个月答复底线</dt>
        <dd>{props.vetoLine}</dd>
        <dt>来信人</dt>
        <dd>
          {props.contact.name || "（未提供）"} {props.contact.phone} {props.contact.email}
        </dd>
        <dt>公开</dt>
        <dd>
          {l.published_at ? "已公开" : l.publish_consent ? "来信人同意公开，尚未公开" : "来信人不同意公开"}
        </dd>
      </dl>
      <h2>{l.title}</h2>
      <p class="letter-text">{l.body}</p>
      {props.attachments.length > 0 && (
        <ul class="attachments">
          {props.attachments.map((a) => (
            <li key={a.id}>
              <a href={`/admin/letters/${l.id}/files/${a.id}`}>{a.filename}</a>{" "}
              <span class="file-size">{formatSize(a.size)}</span>
            </li>
          ))}
        </ul>
      )}
      {props.replies.length > 0 && (
        <section aria-labelledby="replies-title">
          <h2 id="replies-title">答复</h2>
          {props.replies.map((r) => (
            <div key={r.id} class="panel">
              <p class="hint">
                第 {r.round} 轮 ·{" "}
                {r.status === "sent" ? "已答复" : r.status === "in_review" ? "待审核" : "已退回修改"} ·{" "}
                {formatDateTime(r.sent_at ?? r.created_at)}
                {r.review_comment && ` · 审核意见：${r.review_comment}`}
                {r.rating && ` · 评价：${r.rating}${r.rating_comment ? `（${r.rating_comment}）` : ""}`}
              </p>
              <p class="letter-text">{r.body}</p>
            </div>
          ))}
        </section>
      )}
      {pending && <p class="hint">答复待本单位负责人审核。</p>}
      {props.actions.length > 0 && (
        <section aria-labelledby="actions-title">
          <h2 id="actions-title">办理</h2>
          <div class="action-grid">
            {props.actions.map(({ action, label }) => (
              <ActionForm
                key={action}
                id={l.id}
                action={action}
                label={label}
                csrf={props.frame.csrf}
                state={state}
              >
                {fieldsFor(action)}
              </ActionForm>
            ))}
          </div>
        </section>
      )}
      {props.canUrge && (
        <form method="post" action={`/admin/letters/${l.id}/urge`} class="panel narrow-form">
          <h2>督办</h2>
          <CsrfField token={props.frame.csrf} />
          <Field
            name="urge"
            label="督办意见"
            value={mine("urge").values.urge}
            error={mine("urge").fields?.urge}
            required
            multiline={3}
            hint="写明办理要求和时限，记入办理过程，承办单位可见"
          />
          <button type="submit">提出督办意见</button>
        </form>
      )}
      {props.canPublish && (
        <form method="post" action={`/admin/letters/${l.id}/publish`} class="inline-form">
          <CsrfField token={props.frame.csrf} />
          <input type="hidden" name="publish" value={l.published_at ? "0" : "1"} />
          <button type="submit" class="secondary">
            {l.published_at ? "撤回公开" : "公开来信及答复"}
          </button>
        </form>
      )}
      <h2>办理过程</h2>
      <RequestTimeline history={props.history} labels={props.labels} showActors={true} />
    </AdminLayout>
  );
}

export function LetterSettingsPage(props: {
  frame: AdminFrame;
  slas: LetterSla[];
  terms: { id: number; name: string; duties: string; terms: string | null }[];
  state: FormState;
}) {
  const { state } = props;
  const f = state.fields ?? {};
  const val = (key: string, fallback: number | string | null) => state.values[key] ?? String(fallback ?? "");
  return (
    <AdminLayout frame={props.frame} title="办理时限与分办关键词" section="letters">
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action="/admin/letters/settings" class="settings-form">
        <CsrfField token={props.frame.csrf} />
        <h2>办理时限</h2>
        <p class="hint">
          受理时限按工作小时（工作日
          9:00—12:00、13:00—17:00）计算；办理和答复时限按工作日计算，法定节假日和调休以工作日历为准。
        </p>
        {LETTER_TYPES.map((type) => {
          const s = props.slas.find((x) => x.type === type);
          return (
            <fieldset key={type}>
              <legend>{type}</legend>
              <Field
                name={`${type}.acceptHours`}
                label="受理时限（工作小时）"
                type="number"
                value={val(`${type}.acceptHours`, s?.accept_hours ?? null)}
                error={f[`${type}.acceptHours`]}
              />
              <Field
                name={`${type}.handleDays`}
                label="承办单位办理时限（工作日）"
                type="number"
                value={val(`${type}.handleDays`, s?.handle_days ?? null)}
                error={f[`${type}.handleDays`]}
              />
              <Field
                name={`${type}.replyDays`}
                label="答复来信人期限（工作日）"
                type="number"
                value={val(`${type}.replyDays`, s?.reply_days ?? null)}
                error={f[`${type}.replyDays`]}
              />
            </fieldset>
          );
        })}
        <h2>分办关键词</h2>
        <p class="hint">
          写信时系统根据来信用词建议承办单位：每个单位的关键词出现在来信中即加分（词越长加分越多），再加上来信与单位职责、以往答复过的来信的用字相似度。关键词用空格或逗号分隔。
        </p>
        {props.terms.map((t) => (
          <Field
            key={t.id}
            name={`terms.${t.id}`}
            label={t.name}
            hint={t.duties}
            value={state.values[`terms.${t.id}`] ?? t.terms ?? ""}
            multiline={2}
          />
        ))}
        <button type="submit">保存</button>
      </form>
    </AdminLayout>
  );
}

/** The 政民互动 desk: what this person may work on. */
export function InteractionHubPage(props: {
  frame: AdminFrame;
  links: { href: string; label: string; hint: string }[];
}) {
  return (
    <AdminLayout frame={props.frame} title="政民互动" section="letters">
      <ul class="doc-list">
        {props.links.map((l) => (
          <li key={l.href}>
            <a href={l.href}>{l.label}</a> <span class="hint">{l.hint}</span>
          </li>
        ))}
      </ul>
    </AdminLayout>
  );
}

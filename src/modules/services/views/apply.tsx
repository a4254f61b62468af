import type { FormState } from "../../../core/http/forms.ts";
import { Confirmation, CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import { formatDateTime, formatSize } from "../../../web/html.ts";
import { PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import { RequestTimeline } from "../../disclosure/views/requests.tsx";
import {
  APPLICATION_STATES,
  type ApplicationState,
  type FormField,
  type Material,
  OUTCOME_LABELS,
  type Outcome,
  RATING_DIMENSIONS,
  SCORE_LABELS,
} from "../schema.ts";
import { bsfwCrumbs, daysText, ServiceNav } from "./catalogue.tsx";

/** The fields of a form defined as data. */
export function FormFields({ fields, state }: { fields: FormField[]; state: FormState }) {
  const v = state.values;
  const f = state.fields ?? {};
  return (
    <>
      {fields.map((field) => (
        <Field
          key={field.name}
          name={field.name}
          label={field.label}
          value={v[field.name]}
          error={f[field.name]}
          required={field.required}
          hint={field.hint}
          type={field.kind === "date" ? "date" : field.kind === "phone" ? "tel" : "text"}
          autocomplete={field.profile === "name" ? "name" : field.profile === "phone" ? "tel" : "off"}
          multiline={field.kind === "textarea" ? 4 : undefined}
          options={field.kind === "select" ? field.options : undefined}
        />
      ))}
    </>
  );
}

export interface MaterialSlot {
  key: string;
  material: Pick<Material, "name" | "required"> & Partial<Pick<Material, "form" | "count" | "note">>;
  /** The licence that satisfies it (免提交), if the applicant holds one. */
  licence?: { number: string; name: string } | undefined;
  usedBy?: string[] | undefined;
}

/** One file input per material; a held licence satisfies the material without an upload. */
export function MaterialFields({ slots, state }: { slots: MaterialSlot[]; state: FormState }) {
  const f = state.fields ?? {};
  return (
    <>
      {slots.map((s) => (
        <Field
          key={s.key}
          name={s.key}
          label={`${s.material.name}${s.material.form ? `（${s.material.form}）` : ""}`}
          type="file"
          required={s.material.required && !s.licence}
          error={f[s.key]}
          hint={[
            s.licence ? `免提交：已调用您的电子证照（${s.licence.number}），无需上传` : "",
            s.material.note ?? "",
            s.usedBy?.length ? `用于：${s.usedBy.join("、")}` : "",
            !s.material.required ? "特定情形下提供" : "",
          ]
            .filter(Boolean)
            .join("；")}
        />
      ))}
    </>
  );
}

export function ApplyPage(props: {
  frame: SiteFrame;
  csrf: string;
  item: { name: string; code: string; promised_days: number; form_fields: FormField[] };
  slots: MaterialSlot[];
  state: FormState;
}) {
  const { frame, item } = props;
  const itemHref = `${frame.base}/bsfw/item/${encodeURIComponent(item.code)}`;
  return (
    <PublicLayout
      frame={frame}
      title={`在线申请：${item.name}`}
      crumbs={bsfwCrumbs(frame, { label: item.name, href: itemHref }, { label: "在线申请" })}
    >
      <h1>在线申请：{item.name}</h1>
      <p class="lead">
        承诺时限 {daysText(item.promised_days)}，自受理之日起计算（补正期间暂停）。
        <a href={itemHref}>查看办事指南</a>
      </p>
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <form
        method="post"
        action={`${itemHref}/apply`}
        encType="multipart/form-data"
        class="narrow-form"
        noValidate
      >
        <CsrfField token={props.csrf} />
        <fieldset>
          <legend>申请信息</legend>
          <FormFields fields={item.form_fields} state={props.state} />
        </fieldset>
        {props.slots.length > 0 && (
          <fieldset>
            <legend>申请材料</legend>
            <p class="hint">可上传 PDF、图片（JPG、PNG）、OFD 或 Word 文件，每个文件不超过上限。</p>
            <MaterialFields slots={props.slots} state={props.state} />
          </fieldset>
        )}
        <p class="hint">身份证号码、电话加密保存，仅用于办理本事项，显示时脱敏。</p>
        <button type="submit">提交申请</button>
      </form>
    </PublicLayout>
  );
}

export function ReceiptPage({
  frame,
  number,
  title,
  href,
}: {
  frame: SiteFrame;
  number: string;
  title: string;
  href?: string;
}) {
  return (
    <PublicLayout frame={frame} title="申请已提交" crumbs={bsfwCrumbs(frame, { label: "申请已提交" })}>
      <Confirmation heading="申请已提交" lead={title} codes={[["办件编号", number]]} />
      <p>凭办件编号和联系电话可随时查询办理进度；办理过程中的通知会发送到您的站内消息。</p>
      <p>
        <a href={href ?? `/account/bsfw/${number}`}>查看办件</a> ·{" "}
        <a href={`${frame.base}/bsfw/cx/`}>办件进度查询</a> · <a href={`${frame.base}/bsfw/`}>返回办事服务</a>
      </p>
    </PublicLayout>
  );
}

export function LookupPage({ frame, csrf, state }: { frame: SiteFrame; csrf: string; state: FormState }) {
  return (
    <PublicLayout frame={frame} title="办件进度查询" crumbs={bsfwCrumbs(frame, { label: "办件进度查询" })}>
      <h1>办件进度查询</h1>
      <ServiceNav frame={frame} current="lookup" />
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action={`${frame.base}/bsfw/cx/`} class="narrow-form">
        <CsrfField token={csrf} />
        <Field name="number" label="办件编号" value={state.values.number} required autocomplete="off" />
        <Field name="phone" label="申请时填写的联系电话" type="tel" value="" required autocomplete="tel" />
        <button type="submit">查询</button>
      </form>
    </PublicLayout>
  );
}

export interface CaseView {
  application: {
    id: number;
    number: string;
    state: ApplicationState;
    applicant_name: string;
    submitted_at: Date;
    accepted_on: string | null;
    correction_items: string;
    outcome: Outcome | null;
    outcome_reason: string;
  };
  item: { name: string; code: string; department_name: string; materials: Material[] };
  history: { id: number; action: string; comment: string; created_at: Date; actor_name: string | null }[];
  files: {
    id: number;
    material: string;
    purpose: "material" | "result";
    filename: string;
    size: number;
    licence_number: string | null;
  }[];
  licence: { number: string; name: string; status: string } | null;
  clock: { state: string; due: string } | null;
}

/** The state, clock and outcome of a case as a summary list. */
export function CaseSummary({ data, labels }: { data: CaseView; labels?: boolean }) {
  const a = data.application;
  return (
    <dl class="summary-list">
      <dt>办件编号</dt>
      <dd class="code">{a.number}</dd>
      <dt>申请事项</dt>
      <dd>{data.item.name}</dd>
      <dt>受理部门</dt>
      <dd>{data.item.department_name}</dd>
      <dt>办理状态</dt>
      <dd>{APPLICATION_STATES[a.state]}</dd>
      <dt>提交时间</dt>
      <dd>{formatDateTime(a.submitted_at)}</dd>
      {a.accepted_on && (
        <>
          <dt>受理日期</dt>
          <dd>{a.accepted_on}</dd>
        </>
      )}
      {data.clock && (
        <>
          <dt>承诺办结期限</dt>
          <dd>{data.clock.state === "paused" ? "补正期间暂停计时" : `${data.clock.due} 前`}</dd>
        </>
      )}
      {a.state === "correction" && (
        <>
          <dt>需要补正</dt>
          <dd>{a.correction_items}</dd>
        </>
      )}
      {a.outcome && (
        <>
          <dt>办理结果</dt>
          <dd>
            {OUTCOME_LABELS[a.outcome]}
            {a.outcome_reason && `（${a.outcome_reason}）`}
          </dd>
        </>
      )}
      {a.state === "not_accepted" && (
        <>
          <dt>不予受理理由</dt>
          <dd>{a.outcome_reason}</dd>
        </>
      )}
      {data.licence && labels !== false && (
        <>
          <dt>电子证照</dt>
          <dd>
            {data.licence.name}（<a href={`/bsfw/zz/${data.licence.number}`}>{data.licence.number}</a>）
          </dd>
        </>
      )}
    </dl>
  );
}

/** The public answer to 进度查询: state and timeline, nothing personal. */
export function LookupResultPage(props: {
  frame: SiteFrame;
  data: CaseView;
  labels: Record<string, string>;
}) {
  const { frame, data } = props;
  return (
    <PublicLayout
      frame={frame}
      title={`办件 ${data.application.number}`}
      crumbs={bsfwCrumbs(frame, { label: "办件进度" })}
    >
      <h1>办件 {data.application.number}</h1>
      <CaseSummary data={data} labels={false} />
      <h2>办理过程</h2>
      <RequestTimeline history={data.history} labels={props.labels} showActors={false} />
    </PublicLayout>
  );
}

/** The applicant's own case: timeline, files, 补正 and 好差评. */
export function MyCasePage(props: {
  frame: SiteFrame;
  csrf: string;
  data: CaseView;
  labels: Record<string, string>;
  correction: MaterialSlot[] | null;
  rating: { score: number; comment: string } | null;
  canRate: boolean;
  state: FormState;
  form?: "correction" | "rating" | undefined;
}) {
  const { frame, data } = props;
  const a = data.application;
  const v = props.state.values;
  const f = props.state.fields ?? {};
  return (
    <PublicLayout
      frame={frame}
      title={`我的办件 ${a.number}`}
      crumbs={[
        { label: "首页", href: "/" },
        { label: "我的办件", href: "/account/bsfw/" },
        { label: a.number },
      ]}
    >
      <h1>{data.item.name}</h1>
      {props.form && !(props.form === "rating" ? props.canRate : props.correction) && (
        <ErrorSummary message={props.state.error} fields={props.state.fields} />
      )}
      <CaseSummary data={data} />
      {props.correction && (
        <section aria-labelledby="correction-title">
          <h2 id="correction-title">补正材料</h2>
          {props.form === "correction" && (
            <ErrorSummary message={props.state.error} fields={props.state.fields} />
          )}
          <form
            method="post"
            action={`/account/bsfw/${a.number}/resubmit`}
            encType="multipart/form-data"
            class="narrow-form"
          >
            <CsrfField token={props.csrf} />
            <MaterialFields
              slots={props.correction}
              state={props.form === "correction" ? props.state : { values: {} }}
            />
            <Field name="comment" label="补正说明" value={v.comment} multiline={3} />
            <button type="submit">提交补正</button>
          </form>
        </section>
      )}
      {data.files.length > 0 && (
        <section aria-labelledby="files-title">
          <h2 id="files-title">材料与结果文书</h2>
          <ul>
            {data.files.map((file) => (
              <li key={file.id}>
                {file.purpose === "result" ? "办理结果：" : `${file.material}：`}
                {file.licence_number ? (
                  <>免提交（电子证照 {file.licence_number}）</>
                ) : (
                  <a href={`/account/bsfw/${a.number}/files/${file.id}`}>{file.filename}</a>
                )}
                {file.size > 0 && <span class="file-size">（{formatSize(file.size)}）</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <h2>办理过程</h2>
      <RequestTimeline history={data.history} labels={props.labels} showActors={false} />
      {props.rating && (
        <p>
          您的评价：{SCORE_LABELS[props.rating.score]}（{props.rating.score} 星）
          {props.rating.comment && `，${props.rating.comment}`}
        </p>
      )}
      {props.canRate && (
        <section aria-labelledby="rating-title">
          <h2 id="rating-title">评价本次服务（好差评）</h2>
          {props.form === "rating" && (
            <ErrorSummary message={props.state.error} fields={props.state.fields} />
          )}
          <form method="post" action={`/account/bsfw/${a.number}/rate`} class="narrow-form">
            <CsrfField token={props.csrf} />
            <RatingChoice name="score" legend="整体满意度" value={v.score} error={f.score} />
            {RATING_DIMENSIONS.map((d, i) => (
              <RatingChoice key={d} name={`d${i}`} legend={d} value={v[`d${i}`]} error={f[`d${i}`]} />
            ))}
            <Field
              name="comment"
              label="评价内容"
              value={v.comment}
              error={f.comment}
              multiline={3}
              hint="选择“不满意”或“非常不满意”时请写明原因，部门将回访核实并整改"
            />
            <button type="submit">提交评价</button>
          </form>
        </section>
      )}
    </PublicLayout>
  );
}

function RatingChoice({
  name,
  legend,
  value,
  error,
}: {
  name: string;
  legend: string;
  value?: string | undefined;
  error?: string | undefined;
}) {
  const id = `f-${name}`;
  return (
    <fieldset
      class={`rating${error ? " field-error" : ""}`}
      id={id}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <legend>
        {legend}
        <span class="required">（必填）</span>
      </legend>
      {error && (
        <p class="error-message" id={`${id}-error`}>
          <span class="visually-hidden">错误：</span>
          {error}
        </p>
      )}
      {[5, 4, 3, 2, 1].map((score) => (
        <div class="checkbox" key={score}>
          <input
            type="radio"
            id={`${id}-${score}`}
            name={name}
            value={String(score)}
            checked={value === String(score)}
          />
          <label for={`${id}-${score}`}>
            {SCORE_LABELS[score]}（{score} 星）
          </label>
        </div>
      ))}
    </fieldset>
  );
}

export function MyCasesPage(props: {
  frame: SiteFrame;
  cases: {
    id: number;
    number: string;
    state: ApplicationState;
    submitted_at: Date;
    item_name: string;
    score: number | null;
  }[];
  bundles: { number: string; name: string; status: string }[];
}) {
  return (
    <PublicLayout
      frame={props.frame}
      title="我的办件"
      crumbs={[{ label: "首页", href: "/" }, { label: "我的办件" }]}
    >
      <h1>我的办件</h1>
      <ServiceNav frame={props.frame} current="mine" />
      <p>
        <a href="/account/licences">我的证照</a> · <a href="/account/inbox">站内消息</a>
      </p>
      {props.bundles.length > 0 && (
        <>
          <h2>一件事</h2>
          <ul>
            {props.bundles.map((b) => (
              <li key={b.number}>
                <a href={`/account/bsfw/yjs/${b.number}`}>{b.name}</a>（{b.number}）：{b.status}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>办件</h2>
      {props.cases.length === 0 ? (
        <p>暂无办件。</p>
      ) : (
        <div class="table-scroll">
          <table class="data">
            <caption class="visually-hidden">我的办件</caption>
            <thead>
              <tr>
                <th scope="col">办件编号</th>
                <th scope="col">事项</th>
                <th scope="col">提交时间</th>
                <th scope="col">状态</th>
              </tr>
            </thead>
            <tbody>
              {props.cases.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={`/account/bsfw/${c.number}`}>{c.number}</a>
                  </td>
                  <td>{c.item_name}</td>
                  <td>{formatDateTime(c.submitted_at)}</td>
                  <td>
                    {APPLICATION_STATES[c.state]}
                    {c.state === "completed" && c.score === null && "（待评价）"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </PublicLayout>
  );
}

import type { FormState } from "../../../core/http/forms.ts";
import { Confirmation, CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import { formatDateTime } from "../../../web/html.ts";
import { PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import {
  CARRIERS,
  DELIVERIES,
  ID_TYPES,
  type InfoRequest,
  type InfoRequestNotice,
  ORG_CATEGORIES,
  OUTCOMES,
  REQUEST_STATES,
} from "../request-schema.ts";
import { ANSWER_DAYS } from "../requests.ts";

export interface HistoryRow {
  id: number;
  action: string;
  comment: string;
  created_at: Date;
  actor_name: string | null;
}

/** What happened to a request, oldest first, as an ordered list (a timeline). */
export function RequestTimeline({
  history,
  labels,
  showActors,
}: {
  history: HistoryRow[];
  labels: Record<string, string>;
  showActors: boolean;
}) {
  return (
    <ol class="timeline">
      {history.map((h) => (
        <li key={h.id}>
          <time dateTime={h.created_at.toISOString()}>{formatDateTime(h.created_at)}</time>
          <span class="timeline-event">{labels[h.action] ?? h.action}</span>
          {showActors && h.actor_name && <span class="hint">（{h.actor_name}）</span>}
          {h.comment && <p class="timeline-note">{h.comment}</p>}
        </li>
      ))}
    </ol>
  );
}

export function NoticeView({ notice }: { notice: Pick<InfoRequestNotice, "title" | "body_html"> }) {
  return (
    <article class="notice-document">
      <h3>{notice.title}</h3>
      {/* generated from our own templates with every value escaped (request-notices.ts) */}
      <div dangerouslySetInnerHTML={{ __html: notice.body_html }} />
    </article>
  );
}

const crumbs = (frame: SiteFrame, last: string) => [
  { label: "首页", href: `${frame.base}/` },
  { label: "依申请公开", href: `${frame.base}/ysqgk/` },
  { label: last },
];

export function ApplyPage({
  frame,
  csrf,
  state,
  organ,
}: {
  frame: SiteFrame;
  csrf: string;
  state: FormState;
  organ: string;
}) {
  const v = state.values;
  const f = state.fields ?? {};
  return (
    <PublicLayout
      frame={frame}
      title="政府信息公开申请"
      crumbs={[{ label: "首页", href: `${frame.base}/` }, { label: "依申请公开" }]}
    >
      <h1>政府信息公开申请</h1>
      <p class="lead">
        受理机关：{organ}。本机关自收到申请之日起 {ANSWER_DAYS}{" "}
        个工作日内答复；需要延长答复期限的，经批准可延长不超过 20
        个工作日，并书面告知。申请不收取费用，申请数量、频次明显超过合理范围的除外。
      </p>
      <p>
        已提交过申请？<a href={`${frame.base}/ysqgk/cx/`}>查询办理进度</a>
      </p>
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action={`${frame.base}/ysqgk/`} class="narrow-form" noValidate>
        <CsrfField token={csrf} />
        <fieldset>
          <legend>申请人信息</legend>
          <Field
            name="applicantType"
            label="申请人类型"
            value={v.applicantType}
            error={f.applicantType}
            required
            options={[
              { value: "person", label: "公民（自然人）" },
              { value: "organisation", label: "法人或者其他组织" },
            ]}
          />
          <Field
            name="applicantName"
            label="姓名或单位名称"
            value={v.applicantName}
            error={f.applicantName}
            required
            autocomplete="name"
          />
          <Field
            name="orgCategory"
            label="单位类别（法人或其他组织填写）"
            value={v.orgCategory}
            error={f.orgCategory}
            options={ORG_CATEGORIES}
          />
          <Field
            name="contactPerson"
            label="联系人（法人或其他组织填写）"
            value={v.contactPerson}
            error={f.contactPerson}
          />
          <Field
            name="idType"
            label="身份证明类型"
            value={v.idType}
            error={f.idType}
            required
            options={ID_TYPES}
          />
          <Field
            name="idNumber"
            label="证件号码"
            value={v.idNumber}
            error={f.idNumber}
            required
            hint="加密保存，仅用于核实申请人身份"
            autocomplete="off"
          />
          <Field
            name="phone"
            label="联系电话"
            type="tel"
            value={v.phone}
            error={f.phone}
            required
            autocomplete="tel"
          />
          <Field
            name="email"
            label="电子邮箱"
            type="email"
            value={v.email}
            error={f.email}
            autocomplete="email"
            hint="选择电子邮件方式获取时必填"
          />
          <Field
            name="address"
            label="通信地址"
            value={v.address}
            error={f.address}
            autocomplete="street-address"
            hint="选择邮寄方式获取时必填"
          />
        </fieldset>
        <fieldset>
          <legend>所需政府信息</legend>
          <Field
            name="description"
            label="所需政府信息的名称或内容描述"
            value={v.description}
            error={f.description}
            required
            multiline={5}
            hint="请尽量写明信息名称、发文机关、时间等特征，便于准确查找"
          />
          <Field name="documentHint" label="文号（如知道）" value={v.documentHint} error={f.documentHint} />
          <Field
            name="carrier"
            label="信息的载体形式"
            value={v.carrier}
            error={f.carrier}
            required
            options={CARRIERS}
          />
          <Field
            name="delivery"
            label="获取信息的方式"
            value={v.delivery}
            error={f.delivery}
            required
            options={DELIVERIES}
          />
        </fieldset>
        <p class="hint">
          提交即表示您了解：证件号码、电话、地址仅用于办理本申请，加密保存，显示时脱敏。信访、投诉、举报等事项请通过互动交流渠道提出。
        </p>
        <button type="submit">提交申请</button>
      </form>
    </PublicLayout>
  );
}

export function ReceiptPage({
  frame,
  trackingNo,
  queryCode,
}: {
  frame: SiteFrame;
  trackingNo: string;
  queryCode: string;
}) {
  return (
    <PublicLayout frame={frame} title="申请已提交" crumbs={crumbs(frame, "申请已提交")}>
      <Confirmation
        heading="申请已提交"
        codes={[
          ["申请编号", trackingNo],
          ["查询码", queryCode],
        ]}
      />
      <p>请记下申请编号和查询码，凭此查询办理进度、查看和下载答复。查询码只显示这一次。</p>
      <p>本机关确认收到申请后开始计算 {ANSWER_DAYS} 个工作日的答复期限。</p>
      <p>
        <a href={`${frame.base}/ysqgk/cx/`}>查询办理进度</a> · <a href={`${frame.base}/`}>返回首页</a>
      </p>
    </PublicLayout>
  );
}

export function LookupPage({ frame, csrf, state }: { frame: SiteFrame; csrf: string; state: FormState }) {
  return (
    <PublicLayout frame={frame} title="依申请公开办理进度查询" crumbs={crumbs(frame, "办理进度查询")}>
      <h1>办理进度查询</h1>
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action={`${frame.base}/ysqgk/cx/`} class="narrow-form">
        <CsrfField token={csrf} />
        <Field
          name="trackingNo"
          label="申请编号"
          value={state.values.trackingNo}
          required
          autocomplete="off"
        />
        <Field name="queryCode" label="查询码" value="" required autocomplete="off" />
        <button type="submit">查询</button>
      </form>
    </PublicLayout>
  );
}

export interface StatusData {
  request: InfoRequest;
  history: HistoryRow[];
  notices: InfoRequestNotice[];
  clock: { state: string; due: string } | null;
}

export function StatusPage({
  frame,
  data,
  labels,
  csrf,
  queryCode,
}: {
  frame: SiteFrame;
  data: StatusData;
  labels: Record<string, string>;
  csrf: string;
  queryCode: string;
}) {
  const r = data.request;
  return (
    <PublicLayout frame={frame} title={`申请 ${r.tracking_no} 办理进度`} crumbs={crumbs(frame, "办理进度")}>
      <h1>申请 {r.tracking_no}</h1>
      <dl class="summary-list">
        <dt>办理状态</dt>
        <dd>{REQUEST_STATES[r.state]}</dd>
        <dt>申请人</dt>
        <dd>{r.applicant_name}</dd>
        <dt>所需信息</dt>
        <dd>{r.description}</dd>
        {r.received_on && (
          <>
            <dt>受理日期</dt>
            <dd>{r.received_on}</dd>
          </>
        )}
        {data.clock && (
          <>
            <dt>答复期限</dt>
            <dd>{data.clock.state === "paused" ? "计时暂停中" : `${data.clock.due} 前`}</dd>
          </>
        )}
        {r.outcome && (
          <>
            <dt>答复结果</dt>
            <dd>{OUTCOMES[r.outcome].label}</dd>
          </>
        )}
      </dl>
      <h2>办理过程</h2>
      <RequestTimeline history={data.history} labels={labels} showActors={false} />
      {data.notices.length > 0 && (
        <section aria-labelledby="notices-title">
          <h2 id="notices-title">告知书与通知书</h2>
          {data.notices.map((n) => (
            <div key={n.id} class="notice">
              <NoticeView notice={n} />
              <form method="post" action={`${frame.base}/ysqgk/notice/`} class="inline-form">
                <CsrfField token={csrf} />
                <input type="hidden" name="trackingNo" value={r.tracking_no} />
                <input type="hidden" name="queryCode" value={queryCode} />
                <input type="hidden" name="noticeId" value={String(n.id)} />
                <button type="submit" class="secondary">
                  下载<span class="visually-hidden">{n.title}</span>
                </button>
              </form>
            </div>
          ))}
        </section>
      )}
    </PublicLayout>
  );
}

/** A notice as a standalone document for download and printing. */
export function NoticeDocument({ notice }: { notice: InfoRequestNotice }) {
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <title>{`${notice.title}（${notice.number}）`}</title>
      </head>
      <body>
        <h1>{notice.title}</h1>
        <div dangerouslySetInnerHTML={{ __html: notice.body_html }} />
      </body>
    </html>
  );
}

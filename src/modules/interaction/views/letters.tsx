import type { FormState } from "../../../core/http/forms.ts";
import { Confirmation, CsrfField, ErrorSummary, Field, Pagination } from "../../../web/components.tsx";
import { formatDateTime } from "../../../web/html.ts";
import { PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import { Chart, ScrollTable } from "../../disclosure/views/budget-public.tsx";
import { RequestTimeline } from "../../disclosure/views/requests.tsx";
import {
  LETTER_STATES,
  LETTER_TYPES,
  type Letter,
  type LetterReply,
  type LetterSla,
  RATINGS,
} from "../schema.ts";
import type { DepartmentStats, PublicLetter } from "../service.ts";

const crumbs = (frame: SiteFrame, last?: string) => [
  { label: "首页", href: `${frame.base}/` },
  ...(last ? [{ label: "来信选登", href: `${frame.base}/xj/` }, { label: last }] : [{ label: "来信选登" }]),
];

const COLUMN_META = {
  column: {
    name: "咨询投诉",
    description: "市长信箱和部门信箱来信及答复",
    keywords: "市长信箱,咨询,投诉,建议,求助",
    type: "咨询投诉",
  },
};

function LetterLinks({ frame }: { frame: SiteFrame }) {
  return (
    <ul class="action-links">
      <li>
        <a href={`${frame.base}/xj/write/`}>我要写信</a>
      </li>
      <li>
        <a href={`${frame.base}/xj/cx/`}>查询办理进度和评价</a>
      </li>
      <li>
        <a href={`${frame.base}/xj/`}>来信选登</a>
      </li>
      <li>
        <a href={`${frame.base}/xj/tj/`}>办理情况统计</a>
      </li>
    </ul>
  );
}

export function LetterListPage(props: {
  frame: SiteFrame;
  rows: {
    id: number;
    title: string;
    type: string;
    submittedOn: string;
    repliedOn: string;
    handlingName: string;
  }[];
  page: number;
  pages: number;
  type: string;
}) {
  const { frame } = props;
  const query = (n: number) =>
    `${frame.base}/xj/?${new URLSearchParams({ ...(props.type ? { type: props.type } : {}), page: String(n) })}`;
  return (
    <PublicLayout frame={frame} title="来信选登" crumbs={crumbs(frame)} meta={COLUMN_META}>
      <h1>来信选登</h1>
      <p class="lead">经来信人同意公开的来信及答复。来信中的姓名、电话、身份证号码和详细地址已自动隐去。</p>
      <LetterLinks frame={frame} />
      <form method="get" action={`${frame.base}/xj/`} class="filter-form" aria-label="筛选来信">
        <Field name="type" label="来信类型" value={props.type} options={LETTER_TYPES} />
        <button type="submit">筛选</button>
      </form>
      {props.rows.length === 0 ? (
        <p class="empty">暂无公开的来信。</p>
      ) : (
        <ul class="doc-list letter-list">
          {props.rows.map((r) => (
            <li key={r.id}>
              <span class="tag">{r.type}</span> <a href={`${frame.base}/xj/${r.id}`}>{r.title}</a>
              <span class="hint">
                {" "}
                · {r.handlingName} · 来信 {r.submittedOn} · 答复 {r.repliedOn}
              </span>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={props.page} pages={props.pages} href={query} />
    </PublicLayout>
  );
}

/** Plain text kept as typed: paragraphs at blank lines, line breaks inside. */
export function PlainText({ text }: { text: string }) {
  return (
    <>
      {text.split(/\n{2,}/).map((para, i) => (
        <p key={i}>
          {para.split("\n").map((line, j) => (
            <span key={j}>
              {j > 0 && <br />}
              {line}
            </span>
          ))}
        </p>
      ))}
    </>
  );
}

export function PublicLetterPage({ frame, letter }: { frame: SiteFrame; letter: PublicLetter }) {
  return (
    <PublicLayout
      frame={frame}
      title={letter.title}
      crumbs={crumbs(frame, letter.title)}
      meta={{
        ...COLUMN_META,
        article: {
          title: letter.title,
          pubDate: `${letter.replies.at(-1)?.sentOn ?? letter.submittedOn} 00:00`,
          source: letter.handlingName,
        },
      }}
    >
      <article class="article letter">
        <h1>{letter.title}</h1>
        <dl class="summary-list">
          <dt>来信类型</dt>
          <dd>{letter.type}</dd>
          <dt>来信日期</dt>
          <dd>{letter.submittedOn}</dd>
          <dt>承办单位</dt>
          <dd>{letter.handlingName}</dd>
          {letter.rating && (
            <>
              <dt>来信人评价</dt>
              <dd>{letter.rating}</dd>
            </>
          )}
        </dl>
        <section aria-labelledby="letter-body">
          <h2 id="letter-body">来信内容</h2>
          <div class="article-body">
            <PlainText text={letter.body} />
          </div>
        </section>
        {letter.replies.map((r) => (
          <section key={r.sentOn + r.round} aria-labelledby={`reply-${r.round}`} class="letter-reply">
            <h2 id={`reply-${r.round}`}>{r.round === 2 ? "重新办理后的答复" : "答复内容"}</h2>
            <p class="hint">
              {letter.handlingName} · {r.sentOn}
            </p>
            <div class="article-body">
              <PlainText text={r.body} />
            </div>
          </section>
        ))}
      </article>
      <p>
        <a href={`${frame.base}/xj/`}>返回来信选登</a>
      </p>
    </PublicLayout>
  );
}

export function WritePage(props: {
  frame: SiteFrame;
  csrf: string;
  state: FormState;
  mailboxes: { siteId: number; name: string }[];
  slas: LetterSla[];
}) {
  const { frame, state } = props;
  const v = state.values;
  const f = state.fields ?? {};
  const sla = props.slas[0];
  return (
    <PublicLayout frame={frame} title="我要写信" crumbs={crumbs(frame, "我要写信")} meta={COLUMN_META}>
      <h1>我要写信</h1>
      <p class="lead">
        您可以向市长信箱或部门信箱反映问题、咨询政策、提出建议或求助。
        {sla &&
          `来信在 ${sla.accept_hours} 个工作小时内受理，一般在受理后 ${sla.reply_days} 个工作日内答复。`}
        涉及信访、纪检监察举报、诉讼仲裁的事项请通过相应渠道提出。紧急情况请拨打 110、119、120。
      </p>
      <ErrorSummary message={state.error} fields={state.fields} />
      <form
        method="post"
        action={`${frame.base}/xj/write/`}
        class="narrow-form"
        enctype="multipart/form-data"
        noValidate
      >
        <CsrfField token={props.csrf} />
        <fieldset>
          <legend>来信内容</legend>
          <Field
            name="mailbox"
            label="写信给"
            value={v.mailbox}
            error={f.mailbox}
            required
            options={props.mailboxes.map((m) => ({ value: String(m.siteId), label: m.name }))}
          />
          <Field name="type" label="来信类型" value={v.type} error={f.type} required options={LETTER_TYPES} />
          <Field name="title" label="标题" value={v.title} error={f.title} required hint="4—50 个字" />
          <Field
            name="body"
            label="内容"
            value={v.body}
            error={f.body}
            required
            multiline={8}
            hint="请写明事情经过、发生地点和您的诉求，不超过 2000 字"
          />
          <Field
            name="files"
            label="附件（选填）"
            type="file"
            multiple
            error={f.files}
            hint="最多 3 个，每个不超过 10 MB；可上传图片、PDF、Word、Excel 文件"
          />
        </fieldset>
        <fieldset>
          <legend>联系方式</legend>
          <p class="hint">联系方式加密保存，仅承办单位联系您时使用，不会公开。</p>
          <Field name="name" label="姓名" value={v.name} error={f.name} required autocomplete="name" />
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
            label="电子邮箱（选填）"
            type="email"
            value={v.email}
            error={f.email}
            autocomplete="email"
          />
        </fieldset>
        <div class="checkbox">
          <input type="checkbox" id="f-publish" name="publish" value="1" checked={v.publish === "1"} />
          <label for="f-publish">
            同意公开我的来信和答复（公开时自动隐去姓名、电话、证件号码和详细地址）
          </label>
        </div>
        <button type="submit">提交来信</button>
      </form>
    </PublicLayout>
  );
}

export function LetterReceiptPage({
  frame,
  trackingNo,
  queryCode,
}: {
  frame: SiteFrame;
  trackingNo: string;
  queryCode: string;
}) {
  return (
    <PublicLayout frame={frame} title="来信已提交" crumbs={crumbs(frame, "来信已提交")}>
      <Confirmation
        heading="来信已提交"
        codes={[
          ["信件编号", trackingNo],
          ["查询码", queryCode],
        ]}
      />
      <p>请记下信件编号和查询码，凭此查询办理进度、查看答复并评价。查询码只显示这一次。</p>
      <p>
        <a href={`${frame.base}/xj/cx/`}>查询办理进度</a> · <a href={`${frame.base}/`}>返回首页</a>
      </p>
    </PublicLayout>
  );
}

export function LetterLookupPage({
  frame,
  csrf,
  state,
}: {
  frame: SiteFrame;
  csrf: string;
  state: FormState;
}) {
  return (
    <PublicLayout frame={frame} title="来信办理进度查询" crumbs={crumbs(frame, "办理进度查询")}>
      <h1>来信办理进度查询</h1>
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action={`${frame.base}/xj/cx/`} class="narrow-form">
        <CsrfField token={csrf} />
        <Field
          name="trackingNo"
          label="信件编号"
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

export function LetterStatusPage(props: {
  frame: SiteFrame;
  csrf: string;
  letter: Letter;
  mailboxName: string;
  handlingName: string;
  history: { id: number; action: string; comment: string; created_at: Date; actor_name: string | null }[];
  replies: LetterReply[];
  labels: Record<string, string>;
  queryCode: string;
  canRate: boolean;
  state: FormState;
}) {
  const { frame, letter: l, state } = props;
  const f = state.fields ?? {};
  return (
    <PublicLayout frame={frame} title={`来信 ${l.tracking_no} 办理进度`} crumbs={crumbs(frame, "办理进度")}>
      <h1>来信 {l.tracking_no}</h1>
      <ErrorSummary message={state.error} fields={state.fields} />
      <dl class="summary-list">
        <dt>办理状态</dt>
        <dd>{LETTER_STATES[l.state]}</dd>
        <dt>写信给</dt>
        <dd>{props.mailboxName}</dd>
        {props.handlingName && (
          <>
            <dt>承办单位</dt>
            <dd>{props.handlingName}</dd>
          </>
        )}
        <dt>标题</dt>
        <dd>{l.title}</dd>
        <dt>提交时间</dt>
        <dd>{formatDateTime(l.submitted_at)}</dd>
        {l.reply_due_on && ["accepted", "assigned", "reviewing"].includes(l.state) && (
          <>
            <dt>答复期限</dt>
            <dd>{l.reply_due_on} 前</dd>
          </>
        )}
        {l.reject_reason && (
          <>
            <dt>不予受理理由</dt>
            <dd>{l.reject_reason}</dd>
          </>
        )}
      </dl>
      {props.replies.map((r) => (
        <section key={r.id} aria-labelledby={`reply-${r.id}`} class="letter-reply">
          <h2 id={`reply-${r.id}`}>{r.round === 2 ? "重新办理后的答复" : "答复"}</h2>
          <p class="hint">{r.sent_at && formatDateTime(r.sent_at)}</p>
          <div class="article-body">
            <PlainText text={r.body} />
          </div>
          {r.rating && <p>您的评价：{r.rating}</p>}
        </section>
      ))}
      {props.canRate && (
        <form method="post" action={`${frame.base}/xj/rate/`} class="narrow-form panel">
          <CsrfField token={props.csrf} />
          <input type="hidden" name="trackingNo" value={l.tracking_no} />
          <input type="hidden" name="queryCode" value={props.queryCode} />
          <fieldset class={f.rating ? "field-error" : undefined}>
            <legend>请评价这次答复（必填）</legend>
            {f.rating && (
              <p class="error-message" id="f-rating">
                <span class="visually-hidden">错误：</span>
                {f.rating}
              </p>
            )}
            {RATINGS.map((r, i) => (
              <div class="checkbox" key={r}>
                <input
                  type="radio"
                  id={`rating-${i}`}
                  name="rating"
                  value={r}
                  checked={state.values.rating === r}
                />
                <label for={`rating-${i}`}>{r}</label>
              </div>
            ))}
          </fieldset>
          <Field
            name="remark"
            label="意见（选“不满意”时必填）"
            value={state.values.remark}
            error={f.remark}
            multiline={3}
            hint={
              l.reopened ? "本信件已重新办理过一次，评价后办结。" : "选“不满意”的，承办单位将重新办理一次。"
            }
          />
          <button type="submit">提交评价</button>
        </form>
      )}
      <h2>办理过程</h2>
      <RequestTimeline history={props.history} labels={props.labels} showActors={false} />
    </PublicLayout>
  );
}

export function LetterStatsPage(props: {
  frame: SiteFrame;
  from: string;
  to: string;
  stats: DepartmentStats[];
  charts: { volume: string; satisfaction: string };
}) {
  const { frame, stats } = props;
  const pct = (n: number | null) => (n === null ? "—" : `${n}%`);
  return (
    <PublicLayout
      frame={frame}
      title="来信办理情况统计"
      crumbs={crumbs(frame, "办理情况统计")}
      meta={COLUMN_META}
    >
      <h1>来信办理情况统计</h1>
      <form method="get" action={`${frame.base}/xj/tj/`} class="filter-form" aria-label="统计期间">
        <Field name="from" label="起始日期" type="date" value={props.from} />
        <Field name="to" label="截止日期" type="date" value={props.to} />
        <button type="submit">统计</button>
      </form>
      <p class="hint">
        按承办单位统计 {props.from} 至 {props.to}
        收到的来信。按期答复率以受理时确定的答复期限为准；平均办理用时为受理到首次答复的工作日数；满意率为已评价来信中评价为“非常满意”“满意”“基本满意”的比例。
      </p>
      {stats.length === 0 ? (
        <p class="empty">该期间没有来信。</p>
      ) : (
        <>
          <Chart svg={props.charts.volume} caption="各单位收信和答复件数" />
          <Chart svg={props.charts.satisfaction} caption="各单位按期答复率和满意率" />
          <ScrollTable id="stats-title">
            <table class="data">
              <caption id="stats-title">各承办单位来信办理情况</caption>
              <thead>
                <tr>
                  <th scope="col">承办单位</th>
                  <th scope="col" class="num">
                    收信
                  </th>
                  <th scope="col" class="num">
                    已答复
                  </th>
                  <th scope="col" class="num">
                    按期答复率
                  </th>
                  <th scope="col" class="num">
                    平均办理用时（工作日）
                  </th>
                  <th scope="col" class="num">
                    已评价
                  </th>
                  <th scope="col" class="num">
                    满意率
                  </th>
                </tr>
              </thead>
              <tbody>
                {stats.map((s) => (
                  <tr key={s.siteId}>
                    <th scope="row">{s.name}</th>
                    <td class="num">{s.received}</td>
                    <td class="num">{s.answered}</td>
                    <td class="num">{pct(s.onTimeRate)}</td>
                    <td class="num">{s.avgWorkingDays ?? "—"}</td>
                    <td class="num">{s.rated}</td>
                    <td class="num">{pct(s.satisfaction)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        </>
      )}
      <LetterLinks frame={frame} />
    </PublicLayout>
  );
}

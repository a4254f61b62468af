import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import { formatDateTime } from "../../../web/html.ts";
import { PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import { type ConsultationPhase, PHASE_LABELS } from "../consultations.ts";
import type { Consultation, ConsultationSection } from "../schema.ts";
import { PlainText } from "./letters.tsx";

const META = {
  column: {
    name: "民意征集",
    description: "政策文件征求意见和意见采纳情况",
    keywords: "民意征集,征求意见",
    type: "征集调查",
  },
};

const crumbs = (frame: SiteFrame, last?: string) => [
  { label: "首页", href: `${frame.base}/` },
  ...(last ? [{ label: "民意征集", href: `${frame.base}/myzj/` }, { label: last }] : [{ label: "民意征集" }]),
];

export function ConsultationListPage({
  frame,
  rows,
}: {
  frame: SiteFrame;
  rows: (Consultation & { phase: ConsultationPhase })[];
}) {
  return (
    <PublicLayout frame={frame} title="民意征集" crumbs={crumbs(frame)} meta={META}>
      <h1>民意征集</h1>
      <p class="lead">
        政策文件起草过程中公开征求意见。登录后可以逐条发表意见、表示赞成或反对；征集结束后公布意见采纳情况。
      </p>
      {rows.length === 0 ? (
        <p class="empty">暂无民意征集。</p>
      ) : (
        <ul class="doc-list">
          {rows.map((c) => (
            <li key={c.id}>
              <span class="tag">{PHASE_LABELS[c.phase]}</span>{" "}
              <a href={`${frame.base}/myzj/${c.id}`}>{c.title}</a>
              <span class="hint">
                {" "}
                · 征集期 {c.opens_on} 至 {c.closes_on}
                {c.adoption_published_at && " · 已公布意见采纳情况"}
              </span>
            </li>
          ))}
        </ul>
      )}
    </PublicLayout>
  );
}

export interface ConsultationView {
  consultation: Consultation;
  phase: ConsultationPhase;
  sections: (ConsultationSection & { support: number; oppose: number; mine: "support" | "oppose" | null })[];
  comments: {
    id: number;
    sectionId: number | null;
    body: string;
    held: boolean;
    createdAt: Date;
    author: string;
  }[];
}

export function ConsultationPage(props: {
  frame: SiteFrame;
  csrf: string;
  data: ConsultationView;
  signedIn: boolean;
  state: FormState;
  notice?: string | undefined;
}) {
  const { frame, data, state } = props;
  const c = data.consultation;
  const open = data.phase === "open";
  const here = `${frame.base}/myzj/${c.id}`;
  const commentsOf = (sectionId: number | null) => data.comments.filter((k) => k.sectionId === sectionId);
  const Comments = ({ sectionId }: { sectionId: number | null }) => {
    const list = commentsOf(sectionId);
    if (list.length === 0) return null;
    return (
      <ul class="comment-list">
        {list.map((k) => (
          <li key={k.id}>
            <p class="hint">
              {k.author} · {formatDateTime(k.createdAt)}
              {k.held && " · 含需审核的内容，审核通过后公开显示（仅您本人可见）"}
            </p>
            <PlainText text={k.body} />
          </li>
        ))}
      </ul>
    );
  };
  return (
    <PublicLayout
      frame={frame}
      title={c.title}
      crumbs={crumbs(frame, c.title)}
      meta={{ ...META, article: { title: c.title, pubDate: `${c.opens_on} 00:00`, source: frame.site.name } }}
    >
      <article class="article consultation">
        <h1>{c.title}</h1>
        <p>
          <span class="tag">{PHASE_LABELS[data.phase]}</span> 征集期：{c.opens_on} 至 {c.closes_on}
        </p>
        {props.notice && (
          <p class="flash" role="status">
            {props.notice}
          </p>
        )}
        <ErrorSummary message={state.error} fields={state.fields} />
        {c.adoption_published_at && (
          <section aria-labelledby="adoption" class="panel">
            <h2 id="adoption">意见采纳情况</h2>
            <p class="hint">发布于 {formatDateTime(c.adoption_published_at)}</p>
            <PlainText text={c.adoption_report} />
          </section>
        )}
        {c.summary && (
          <div class="article-body">
            <PlainText text={c.summary} />
          </div>
        )}
        {!props.signedIn && open && (
          <p class="notice-banner">
            <a href={`/account/login?next=${encodeURIComponent(here)}`}>登录</a>
            后可以发表意见、表示赞成或反对（每人每节一票，可以改投）。
          </p>
        )}
        {data.sections.map((s) => (
          <section key={s.id} aria-labelledby={`s-${s.id}`} class="consultation-section">
            <h2 id={`s-${s.id}`}>{s.heading}</h2>
            <div class="article-body">
              <PlainText text={s.body} />
            </div>
            <p class="hint">
              赞成 {s.support} · 反对 {s.oppose}
              {s.mine && `（您已表示${s.mine === "support" ? "赞成" : "反对"}）`}
            </p>
            {open && props.signedIn && (
              <form method="post" action={`${here}/vote`} class="inline-form">
                <CsrfField token={props.csrf} />
                <input type="hidden" name="sectionId" value={String(s.id)} />
                <button type="submit" name="stance" value="support" class="secondary">
                  赞成<span class="visually-hidden">：{s.heading}</span>
                </button>{" "}
                <button type="submit" name="stance" value="oppose" class="secondary">
                  反对<span class="visually-hidden">：{s.heading}</span>
                </button>
              </form>
            )}
            <Comments sectionId={s.id} />
          </section>
        ))}
        <Comments sectionId={null} />
        {open && props.signedIn && (
          <form method="post" action={`${here}/comment`} class="narrow-form panel">
            <h2>发表意见</h2>
            <CsrfField token={props.csrf} />
            <Field
              name="sectionId"
              label="针对"
              value={state.values.sectionId}
              error={state.fields?.sectionId}
              options={[
                { value: "0", label: "整体意见" },
                ...data.sections.map((s) => ({ value: String(s.id), label: s.heading })),
              ]}
            />
            <Field
              name="body"
              label="意见内容"
              value={state.values.body}
              error={state.fields?.body}
              required
              multiline={5}
              hint="请文明发言。含敏感内容的意见须经审核后显示。"
            />
            <button type="submit">提交意见</button>
          </form>
        )}
      </article>
    </PublicLayout>
  );
}

export function ConsultationAdminListPage({
  frame,
  rows,
}: {
  frame: AdminFrame;
  rows: (Consultation & { phase: ConsultationPhase; site_name: string })[];
}) {
  return (
    <AdminLayout frame={frame} title="民意征集" section="letters">
      <p>
        <a class="button" href="/admin/consultations/new">
          发起民意征集
        </a>{" "}
        <a href="/admin/moderation">意见审核与敏感词</a>
      </p>
      {rows.length === 0 ? (
        <p class="empty">还没有民意征集。</p>
      ) : (
        <table class="data">
          <caption class="visually-hidden">民意征集</caption>
          <thead>
            <tr>
              <th scope="col">标题</th>
              <th scope="col">网站</th>
              <th scope="col">征集期</th>
              <th scope="col">状态</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={`/admin/consultations/${c.id}`}>{c.title}</a>
                </td>
                <td>{c.site_name}</td>
                <td>
                  {c.opens_on} 至 {c.closes_on}
                </td>
                <td>{PHASE_LABELS[c.phase]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

export function ConsultationEditPage(props: {
  frame: AdminFrame;
  id: number | null;
  sites: { id: number; name: string }[];
  phase: ConsultationPhase;
  totals: { all: number; visible: number; held: number } | null;
  adoptionReport: string;
  state: FormState;
}) {
  const { state } = props;
  const v = state.values;
  const f = state.fields ?? {};
  const editable = props.phase === "draft";
  return (
    <AdminLayout frame={props.frame} title={props.id ? "民意征集" : "发起民意征集"} section="letters">
      <ErrorSummary message={state.error} fields={state.fields} />
      {props.id && (
        <p>
          状态：{PHASE_LABELS[props.phase]}
          {props.totals &&
            `；收到意见 ${props.totals.all} 条，显示 ${props.totals.visible} 条，待审核 ${props.totals.held} 条`}
        </p>
      )}
      {editable ? (
        <form
          method="post"
          action={props.id ? `/admin/consultations/${props.id}` : "/admin/consultations/new"}
          class="narrow-form"
        >
          <CsrfField token={props.frame.csrf} />
          <Field
            name="siteId"
            label="发布网站"
            value={v.siteId}
            error={f.siteId}
            required
            options={props.sites.map((s) => ({ value: String(s.id), label: s.name }))}
          />
          <Field name="title" label="标题" value={v.title} error={f.title} required />
          <Field
            name="summary"
            label="说明"
            value={v.summary}
            multiline={3}
            hint="起草背景、征集范围、意见反馈方式等"
          />
          <Field
            name="opensOn"
            label="征集开始日期"
            type="date"
            value={v.opensOn}
            error={f.opensOn}
            required
          />
          <Field
            name="closesOn"
            label="征集截止日期"
            type="date"
            value={v.closesOn}
            error={f.closesOn}
            required
          />
          <Field
            name="sections"
            label="征求意见稿全文"
            value={v.sections}
            error={f.sections}
            required
            multiline={14}
            hint="分节书写，每节第一行以“# ”开头写标题，例如“# 第一条 适用范围”。公众可逐节发表意见、表示赞成或反对。"
          />
          <button type="submit">保存</button>
        </form>
      ) : (
        <p class="hint">已发布的民意征集不能修改内容。</p>
      )}
      {props.id && props.phase === "draft" && (
        <form method="post" action={`/admin/consultations/${props.id}/publish`} class="inline-form">
          <CsrfField token={props.frame.csrf} />
          <button type="submit">发布</button>
        </form>
      )}
      {props.id && props.phase === "closed" && (
        <form method="post" action={`/admin/consultations/${props.id}/adoption`} class="narrow-form">
          <h2>意见采纳情况</h2>
          <CsrfField token={props.frame.csrf} />
          <Field
            name="report"
            label="意见采纳情况"
            value={v.report ?? props.adoptionReport}
            error={f.report}
            required
            multiline={8}
            hint="写明收到意见的数量、采纳的意见及修改情况、未采纳意见的理由"
          />
          <button type="submit">发布意见采纳情况</button>
        </form>
      )}
    </AdminLayout>
  );
}

export function ModerationPage(props: {
  frame: AdminFrame;
  queue: {
    id: number;
    body: string;
    held_words: string[];
    created_at: Date;
    consultation_id: number;
    title: string;
    heading: string | null;
  }[];
  words: string[];
  canEditWords: boolean;
  state: FormState;
}) {
  const { state } = props;
  return (
    <AdminLayout frame={props.frame} title="意见审核与敏感词" section="letters">
      <ErrorSummary message={state.error} fields={state.fields} />
      <h2>待审核的意见</h2>
      {props.queue.length === 0 ? (
        <p class="empty">没有待审核的意见。</p>
      ) : (
        props.queue.map((q) => (
          <div key={q.id} class="panel">
            <p class="hint">
              {q.title}
              {q.heading && ` · ${q.heading}`} · {formatDateTime(q.created_at)} · 命中敏感词：
              {q.held_words.join("、")}
            </p>
            <p class="letter-text">{q.body}</p>
            <form method="post" action={`/admin/moderation/comments/${q.id}`} class="narrow-form">
              <CsrfField token={props.frame.csrf} />
              <Field name="reason" label="不予显示的理由（不予显示时必填）" value="" />
              <button type="submit" name="decision" value="approve">
                通过显示
              </button>{" "}
              <button type="submit" name="decision" value="reject" class="warning">
                不予显示
              </button>
            </form>
          </div>
        ))
      )}
      {props.canEditWords && (
        <form method="post" action="/admin/moderation/words" class="narrow-form">
          <h2>敏感词</h2>
          <CsrfField token={props.frame.csrf} />
          <Field
            name="words"
            label="敏感词表"
            value={state.values.words ?? props.words.join("\n")}
            error={state.fields?.words}
            multiline={10}
            hint="每行一个。公众发表的意见含有这些词时，先由审核人审核再显示；词中夹杂空格或标点也能识别。"
          />
          <button type="submit">保存敏感词</button>
        </form>
      )}
    </AdminLayout>
  );
}

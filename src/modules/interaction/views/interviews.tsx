import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import { formatDateTime } from "../../../web/html.ts";
import { islandUrl } from "../../../web/islands.ts";
import { PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import { INTERVIEW_PHASES, type InterviewPhase } from "../interviews.ts";
import type { Interview } from "../schema.ts";
import { PlainText } from "./letters.tsx";

/** Without JavaScript a live page reloads itself this often (a real-time event, WCAG 2.2.1). */
export const LIVE_REFRESH_SECONDS = 30;

const META = {
  column: {
    name: "在线访谈",
    description: "领导干部和部门负责人在线访谈",
    keywords: "在线访谈",
    type: "在线访谈",
  },
};

const crumbs = (frame: SiteFrame, last?: string) => [
  { label: "首页", href: `${frame.base}/` },
  ...(last ? [{ label: "在线访谈", href: `${frame.base}/zxft/` }, { label: last }] : [{ label: "在线访谈" }]),
];

export function InterviewListPage({
  frame,
  rows,
}: {
  frame: SiteFrame;
  rows: (Interview & { phase: InterviewPhase })[];
}) {
  return (
    <PublicLayout frame={frame} title="在线访谈" crumbs={crumbs(frame)} meta={META}>
      <h1>在线访谈</h1>
      {rows.length === 0 ? (
        <p class="empty">暂无在线访谈。</p>
      ) : (
        <ul class="doc-list">
          {rows.map((i) => (
            <li key={i.id}>
              <span class="tag">{INTERVIEW_PHASES[i.phase]}</span>{" "}
              <a href={`${frame.base}/zxft/${i.id}`}>{i.title}</a>
              <span class="hint"> · {formatDateTime(i.scheduled_at)}</span>
            </li>
          ))}
        </ul>
      )}
    </PublicLayout>
  );
}

export interface FeedEntry {
  id: number;
  speaker: string;
  question: string;
  asker: string;
  body: string;
  created_at: Date;
}

export function Feed({ entries, src }: { entries: FeedEntry[]; src?: string | undefined }) {
  return (
    <ol class="interview-feed" data-live-feed={src} aria-live={src ? "polite" : undefined}>
      {entries.map((e) => (
        <li key={e.id} id={`e-${e.id}`}>
          {e.question && (
            <p class="feed-question">
              网友“{e.asker}”问：{e.question}
            </p>
          )}
          <p>
            <strong>{e.speaker}：</strong>
            {e.body}
          </p>
          <p class="hint">{formatDateTime(e.created_at)}</p>
        </li>
      ))}
    </ol>
  );
}

export function InterviewPage(props: {
  frame: SiteFrame;
  csrf: string;
  interview: Interview;
  phase: InterviewPhase;
  entries: FeedEntry[];
  photos: { id: number; caption: string }[];
  state: FormState;
  asked: boolean;
}) {
  const { frame, interview: i, phase, state } = props;
  const here = `${frame.base}/zxft/${i.id}`;
  const live = phase === "live";
  const script = islandUrl("live-feed");
  return (
    <PublicLayout
      frame={frame}
      title={i.title}
      crumbs={crumbs(frame, i.title)}
      meta={{
        ...META,
        article: { title: i.title, pubDate: formatDateTime(i.scheduled_at), source: frame.site.name },
      }}
      head={
        live && (
          <>
            <noscript>
              <meta http-equiv="refresh" content={String(LIVE_REFRESH_SECONDS)} />
            </noscript>
            {script && <script src={script} defer />}
          </>
        )
      }
    >
      <article class="article interview">
        <h1>{i.title}</h1>
        <ErrorSummary message={state.error} fields={state.fields} />
        <dl class="summary-list">
          <dt>状态</dt>
          <dd>{INTERVIEW_PHASES[phase]}</dd>
          <dt>访谈时间</dt>
          <dd>{formatDateTime(i.scheduled_at)}</dd>
          {i.guests && (
            <>
              <dt>访谈嘉宾</dt>
              <dd>{i.guests}</dd>
            </>
          )}
          {i.video_url && (
            <>
              <dt>视频</dt>
              <dd>
                <a href={i.video_url} rel="noopener">
                  观看访谈视频
                </a>
              </dd>
            </>
          )}
        </dl>
        {i.topic && <PlainText text={i.topic} />}
        {props.photos.length > 0 && (
          <section aria-labelledby="photos" class="interview-photos">
            <h2 id="photos">访谈图片</h2>
            {props.photos.map((p) => (
              <figure key={p.id}>
                <img src={`/zxft/photo/${p.id}`} alt={p.caption} loading="lazy" />
                <figcaption>{p.caption}</figcaption>
              </figure>
            ))}
          </section>
        )}
        <section aria-labelledby="feed">
          <h2 id="feed">{phase === "ended" ? "访谈实录" : "访谈直播"}</h2>
          {live && (
            <p class="hint">
              内容实时更新；浏览器未启用脚本时，本页每 {LIVE_REFRESH_SECONDS} 秒自动刷新，也可以
              <a href={here}>手动刷新</a>。
            </p>
          )}
          {props.entries.length === 0 && (
            <p class="empty">{phase === "scheduled" ? "访谈尚未开始。" : "暂无内容。"}</p>
          )}
          <Feed entries={props.entries} src={live ? `${here}/feed` : undefined} />
        </section>
        {live && (
          <form method="post" action={`${here}/ask`} class="narrow-form panel">
            <h2>我要提问</h2>
            {props.asked && (
              <p class="flash" role="status">
                问题已提交，经主持人审核后由嘉宾回答。
              </p>
            )}
            <ErrorSummary message={state.error} fields={state.fields} />
            <CsrfField token={props.csrf} />
            <Field
              name="nickname"
              label="称呼"
              value={state.values.nickname}
              error={state.fields?.nickname}
              required
            />
            <Field
              name="body"
              label="问题"
              value={state.values.body}
              error={state.fields?.body}
              required
              multiline={3}
              hint="问题经审核后发布，请勿填写个人信息"
            />
            <button type="submit">提交问题</button>
          </form>
        )}
      </article>
    </PublicLayout>
  );
}

export function InterviewAdminListPage({
  frame,
  rows,
}: {
  frame: AdminFrame;
  rows: (Interview & { phase: InterviewPhase })[];
}) {
  return (
    <AdminLayout frame={frame} title="在线访谈" section="letters">
      <p>
        <a class="button" href="/admin/interviews/new">
          新建访谈
        </a>
      </p>
      {rows.length === 0 ? (
        <p class="empty">还没有在线访谈。</p>
      ) : (
        <ul class="doc-list">
          {rows.map((i) => (
            <li key={i.id}>
              <a href={`/admin/interviews/${i.id}`}>{i.title}</a>{" "}
              <span class="hint">
                {INTERVIEW_PHASES[i.phase]} · {formatDateTime(i.scheduled_at)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </AdminLayout>
  );
}

export function InterviewHostPage(props: {
  frame: AdminFrame;
  id: number | null;
  sites: { id: number; name: string }[];
  phase: InterviewPhase;
  pending: { id: number; nickname: string; body: string; held_words: string[]; created_at: Date }[];
  entries: FeedEntry[];
  state: FormState;
}) {
  const { state, id } = props;
  const v = state.values;
  const f = state.fields ?? {};
  const csrf = props.frame.csrf;
  const step = (name: string, label: string) => (
    <form method="post" action={`/admin/interviews/${id}/step`} class="inline-form">
      <CsrfField token={csrf} />
      <button type="submit" name="step" value={name}>
        {label}
      </button>
    </form>
  );
  return (
    <AdminLayout frame={props.frame} title={id ? "在线访谈" : "新建访谈"} section="letters">
      <ErrorSummary message={state.error} fields={state.fields} />
      {id && <p>状态：{INTERVIEW_PHASES[props.phase]}</p>}
      {id && props.phase === "draft" && step("publish", "发布预告")}
      {id && props.phase === "scheduled" && step("start", "开始直播")}
      {id && props.phase === "live" && step("end", "结束访谈")}
      {id && (props.phase === "live" || props.phase === "ended") && (
        <>
          <h2>待审核的网友提问</h2>
          {props.pending.length === 0 ? (
            <p class="empty">没有待处理的提问。</p>
          ) : (
            props.pending.map((q) => (
              <form
                key={q.id}
                method="post"
                action={`/admin/interviews/${id}/questions/${q.id}`}
                class="panel narrow-form"
              >
                <CsrfField token={csrf} />
                <p>
                  <strong>{q.nickname}</strong>：{q.body}
                </p>
                {q.held_words.length > 0 && (
                  <p class="badge-warning">命中敏感词：{q.held_words.join("、")}</p>
                )}
                <div class="field">
                  <label for={`q${q.id}-speaker`}>回答人</label>
                  <input type="text" id={`q${q.id}-speaker`} name="speaker" value={v.speaker ?? ""} />
                </div>
                <div class="field">
                  <label for={`q${q.id}-answer`}>回答</label>
                  <textarea id={`q${q.id}-answer`} name="answer" rows={3} />
                </div>
                <div class="field">
                  <label for={`q${q.id}-reason`}>不予发布的理由</label>
                  <input type="text" id={`q${q.id}-reason`} name="reason" value="" />
                </div>
                <button type="submit" name="decision" value="answer">
                  发布问答
                </button>{" "}
                <button type="submit" name="decision" value="reject" class="warning">
                  不予发布
                </button>
              </form>
            ))
          )}
          <form method="post" action={`/admin/interviews/${id}/remark`} class="narrow-form panel">
            <h2>发布发言</h2>
            <CsrfField token={csrf} />
            <Field name="speaker" label="发言人" value={v.speaker} error={f.speaker} required />
            <Field name="remark" label="发言内容" value={v.remark} error={f.remark} required multiline={4} />
            <button type="submit">发布</button>
          </form>
          <form
            method="post"
            action={`/admin/interviews/${id}/photos`}
            class="narrow-form panel"
            enctype="multipart/form-data"
          >
            <h2>上传图片</h2>
            <CsrfField token={csrf} />
            <Field name="photo" label="图片" type="file" error={f.photo} required />
            <Field name="caption" label="图片说明" value="" />
            <button type="submit">上传</button>
          </form>
          <h2>已发布内容</h2>
          <Feed entries={props.entries} />
        </>
      )}
      <form
        method="post"
        action={id ? `/admin/interviews/${id}` : "/admin/interviews/new"}
        class="narrow-form"
      >
        <h2>访谈信息</h2>
        <CsrfField token={csrf} />
        <Field
          name="siteId"
          label="发布网站"
          value={v.siteId}
          required
          options={props.sites.map((s) => ({ value: String(s.id), label: s.name }))}
        />
        <Field name="title" label="标题" value={v.title} error={f.title} required />
        <Field name="guests" label="访谈嘉宾" value={v.guests} />
        <Field
          name="scheduledAt"
          label="访谈时间"
          type="datetime-local"
          value={v.scheduledAt}
          error={f.scheduledAt}
          required
        />
        <Field name="topic" label="访谈主题与简介" value={v.topic} multiline={4} />
        <Field name="videoUrl" label="视频地址（访谈结束后填写）" value={v.videoUrl} error={f.videoUrl} />
        <button type="submit">保存</button>
      </form>
    </AdminLayout>
  );
}

import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import { PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import { Chart } from "../../disclosure/views/budget-public.tsx";
import { type ConsultationPhase, PHASE_LABELS } from "../consultations.ts";
import { QUESTION_KINDS, type Survey, type SurveyQuestion } from "../schema.ts";
import { type QuestionResult, RATING_SCALE } from "../surveys.ts";
import { PlainText } from "./letters.tsx";

const META = {
  column: {
    name: "调查问卷",
    description: "网上调查问卷和调查结果",
    keywords: "调查问卷,征集调查",
    type: "征集调查",
  },
};

const crumbs = (frame: SiteFrame, last?: string) => [
  { label: "首页", href: `${frame.base}/` },
  ...(last ? [{ label: "调查问卷", href: `${frame.base}/dcwj/` }, { label: last }] : [{ label: "调查问卷" }]),
];

export const RULE_TEXT = {
  account: "本问卷须登录后填写，每个账号只能提交一次。",
  browser:
    "本问卷匿名填写，不需要登录；每个浏览器只能提交一次（以浏览器保存的 Cookie 识别，清除 Cookie 或换用其他浏览器后系统无法识别）。",
} as const;

export function SurveyListPage({
  frame,
  rows,
}: {
  frame: SiteFrame;
  rows: (Survey & { phase: ConsultationPhase; responses: number })[];
}) {
  return (
    <PublicLayout frame={frame} title="调查问卷" crumbs={crumbs(frame)} meta={META}>
      <h1>调查问卷</h1>
      {rows.length === 0 ? (
        <p class="empty">暂无调查问卷。</p>
      ) : (
        <ul class="doc-list">
          {rows.map((v) => (
            <li key={v.id}>
              <span class="tag">{PHASE_LABELS[v.phase]}</span>{" "}
              <a href={`${frame.base}/dcwj/${v.id}`}>{v.title}</a>
              <span class="hint">
                {" "}
                · {v.opens_on} 至 {v.closes_on} · 已有 {v.responses} 人参与
                {v.results_public && (
                  <>
                    {" "}
                    ·{" "}
                    <a href={`${frame.base}/dcwj/${v.id}/jg`}>
                      查看结果<span class="visually-hidden">：{v.title}</span>
                    </a>
                  </>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </PublicLayout>
  );
}

function Required({ on }: { on: boolean }) {
  return on ? <span class="required">（必答）</span> : null;
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="error-message" id={`${id}-error`}>
      <span class="visually-hidden">错误：</span>
      {message}
    </p>
  );
}

function jumpNote(jump: number | null | undefined): string {
  if (jump === null || jump === undefined) return "";
  return jump === 0 ? "（选此项则答题结束）" : `（选此项请跳至第 ${jump} 题）`;
}

function Question({ q, state }: { q: SurveyQuestion; state: FormState }) {
  const name = `q${q.id}`;
  const id = `f-${name}`;
  const f = state.fields ?? {};
  const v = state.values;
  const title = (
    <>
      {q.position}. {q.prompt}
      <Required on={q.required} />
    </>
  );
  if (q.kind === "text")
    return (
      <Field
        name={name}
        label={`${q.position}. ${q.prompt}${q.required ? "（必答）" : ""}`}
        value={v[name]}
        error={f[name]}
        multiline={3}
      />
    );
  if (q.kind === "matrix") {
    const error = f[`${name}.0`];
    return (
      <fieldset
        class={`survey-question${error ? " field-error" : ""}`}
        id={`${id}-0`}
        aria-describedby={error ? `${id}-0-error` : undefined}
      >
        <legend>{title}</legend>
        <FieldError id={`${id}-0`} message={error} />
        <div class="table-scroll-plain">
          <table class="data matrix">
            <thead>
              <tr>
                <td />
                {q.options.map((c) => (
                  <th scope="col" key={c}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {q.rows.map((row, r) => (
                <tr key={row}>
                  <th scope="row">{row}</th>
                  {q.options.map((c, i) => (
                    <td key={c}>
                      <input
                        type="radio"
                        name={`${name}.${r}`}
                        value={String(i)}
                        aria-label={`${row}：${c}`}
                        checked={v[`${name}.${r}`] === String(i)}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </fieldset>
    );
  }
  const error = f[name];
  const choices =
    q.kind === "rating"
      ? RATING_SCALE.map((n) => ({
          value: String(n),
          label: `${n} 分${n === 1 ? "（很不满意）" : n === 5 ? "（很满意）" : ""}`,
          note: "",
        }))
      : q.options.map((o, i) => ({
          value: String(i),
          label: o,
          note: q.kind === "single" ? jumpNote(q.jumps[i]) : "",
        }));
  const picked = q.kind === "multiple" ? (v[name] ?? "").split(",") : [v[name] ?? ""];
  return (
    <fieldset
      class={`survey-question${error ? " field-error" : ""}`}
      id={id}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <legend>
        {title}
        {q.kind === "multiple" && <span class="hint">（可多选）</span>}
      </legend>
      <FieldError id={id} message={error} />
      {choices.map((c) => (
        <div class="checkbox" key={c.value}>
          <input
            type={q.kind === "multiple" ? "checkbox" : "radio"}
            id={`${id}-${c.value}`}
            name={name}
            value={c.value}
            checked={picked.includes(c.value)}
          />
          <label for={`${id}-${c.value}`}>
            {c.label}
            {c.note && <span class="hint">{c.note}</span>}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

export function SurveyPage(props: {
  frame: SiteFrame;
  csrf: string;
  survey: Survey;
  questions: SurveyQuestion[];
  phase: ConsultationPhase;
  /** Why the form is not shown, if it is not. */
  blocked: "answered" | "login" | "closed" | "upcoming" | null;
  state: FormState;
}) {
  const { frame, survey: s } = props;
  const here = `${frame.base}/dcwj/${s.id}`;
  return (
    <PublicLayout
      frame={frame}
      title={s.title}
      crumbs={crumbs(frame, s.title)}
      meta={{ ...META, article: { title: s.title, pubDate: `${s.opens_on} 00:00`, source: frame.site.name } }}
    >
      <h1>{s.title}</h1>
      <p>
        <span class="tag">{PHASE_LABELS[props.phase]}</span> 填写时间：{s.opens_on} 至 {s.closes_on}
      </p>
      {s.intro && <PlainText text={s.intro} />}
      <p class="notice-banner">{RULE_TEXT[s.response_rule]}</p>
      {props.blocked === "answered" && (
        <p class="flash" role="status">
          您已经填写过本问卷，感谢参与。
        </p>
      )}
      {props.blocked === "login" && (
        <p>
          <a href={`/account/login?next=${encodeURIComponent(here)}`}>登录后填写</a>
        </p>
      )}
      {props.blocked === "closed" && <p>本问卷已结束。</p>}
      {props.blocked === "upcoming" && <p>本问卷尚未开始。</p>}
      {props.blocked === null && (
        <>
          <ErrorSummary message={props.state.error} fields={props.state.fields} />
          <p class="hint">带“（必答）”的题目必须作答；按提示跳过的题目无需作答，填写了也不会记录。</p>
          <form method="post" action={here} class="survey-form">
            <CsrfField token={props.csrf} />
            {props.questions.map((q) => (
              <Question key={q.id} q={q} state={props.state} />
            ))}
            <button type="submit">提交问卷</button>
          </form>
        </>
      )}
      {s.results_public && (
        <p>
          <a href={`${here}/jg`}>查看调查结果</a>
        </p>
      )}
    </PublicLayout>
  );
}

function ResultTable({ r }: { r: QuestionResult }) {
  const q = r.question;
  if (q.kind === "text") return <p>共 {r.answered} 人填写（填空内容不公开显示）。</p>;
  if (q.kind === "matrix")
    return (
      <table class="data">
        <caption class="visually-hidden">{q.prompt}</caption>
        <thead>
          <tr>
            <td />
            {q.options.map((c) => (
              <th scope="col" key={c} class="num">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {q.rows.map((row, i) => (
            <tr key={row}>
              <th scope="row">{row}</th>
              {q.options.map((c, j) => (
                <td key={c} class="num">
                  {r.matrix[i]?.[j] ?? 0}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    );
  const labels = q.kind === "rating" ? RATING_SCALE.map((n) => `${n} 分`) : q.options;
  return (
    <table class="data">
      <caption class="visually-hidden">{q.prompt}</caption>
      <thead>
        <tr>
          <th scope="col">选项</th>
          <th scope="col" class="num">
            人数
          </th>
          <th scope="col" class="num">
            比例
          </th>
        </tr>
      </thead>
      <tbody>
        {labels.map((label, i) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td class="num">{r.counts[i] ?? 0}</td>
            <td class="num">
              {r.answered ? `${Math.round(((r.counts[i] ?? 0) / r.answered) * 1000) / 10}%` : "—"}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SurveyResultsPage(props: {
  frame: SiteFrame;
  survey: Survey;
  total: number;
  results: QuestionResult[];
  charts: Record<number, string>;
  thanks: boolean;
}) {
  const { frame, survey: s } = props;
  return (
    <PublicLayout frame={frame} title={`${s.title}——调查结果`} crumbs={crumbs(frame, "调查结果")} meta={META}>
      <h1>{s.title}——调查结果</h1>
      {props.thanks && (
        <p class="flash" role="status">
          问卷已提交，感谢您的参与！
        </p>
      )}
      <p>截至目前共 {props.total} 份答卷（实时统计）。</p>
      {props.results.map((r) => (
        <section key={r.question.id} aria-labelledby={`r-${r.question.id}`}>
          <h2 id={`r-${r.question.id}`}>
            {r.question.position}. {r.question.prompt}
            <span class="hint">
              （{QUESTION_KINDS[r.question.kind]}，{r.answered} 人作答
              {r.average !== null && `，平均 ${r.average} 分`}）
            </span>
          </h2>
          {props.charts[r.question.id] && (
            <Chart svg={props.charts[r.question.id] as string} caption={r.question.prompt} />
          )}
          <ResultTable r={r} />
        </section>
      ))}
      <p>
        <a href={`${frame.base}/dcwj/${s.id}`}>返回问卷</a>
      </p>
    </PublicLayout>
  );
}

export function SurveyAdminListPage({
  frame,
  rows,
}: {
  frame: AdminFrame;
  rows: (Survey & { phase: ConsultationPhase; responses: number; site_name: string })[];
}) {
  return (
    <AdminLayout frame={frame} title="调查问卷" section="letters">
      <p>
        <a class="button" href="/admin/surveys/new">
          新建问卷
        </a>
      </p>
      {rows.length === 0 ? (
        <p class="empty">还没有问卷。</p>
      ) : (
        <table class="data">
          <caption class="visually-hidden">调查问卷</caption>
          <thead>
            <tr>
              <th scope="col">标题</th>
              <th scope="col">网站</th>
              <th scope="col">填写时间</th>
              <th scope="col">状态</th>
              <th scope="col" class="num">
                答卷
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((v) => (
              <tr key={v.id}>
                <td>
                  <a href={`/admin/surveys/${v.id}`}>{v.title}</a>
                </td>
                <td>{v.site_name}</td>
                <td>
                  {v.opens_on} 至 {v.closes_on}
                </td>
                <td>{PHASE_LABELS[v.phase]}</td>
                <td class="num">{v.responses}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

export const SURVEY_EXAMPLE = `# 您的年龄段 [单选] *
- 18—59 岁
- 60 岁及以上
# 您近一年是否到政务服务大厅办过事？ [单选] *
- 是
- 否 -> 5
# 您对窗口服务打几分？ [评分] *
# 请评价以下方面 [矩阵]
- 行：办事效率
- 行：服务态度
- 列：满意
- 列：一般
- 列：不满意
# 您常用哪些办事渠道？ [多选]
- 政务服务大厅
- 禾易办 App
- 政务服务网
# 您还有什么建议？ [填空]`;

export function SurveyEditPage(props: {
  frame: AdminFrame;
  id: number | null;
  sites: { id: number; name: string }[];
  phase: ConsultationPhase;
  responses: number;
  state: FormState;
}) {
  const { state } = props;
  const v = state.values;
  const f = state.fields ?? {};
  return (
    <AdminLayout frame={props.frame} title={props.id ? "调查问卷" : "新建问卷"} section="letters">
      <ErrorSummary message={state.error} fields={state.fields} />
      {props.id && (
        <p>
          状态：{PHASE_LABELS[props.phase]}；已收到 {props.responses} 份答卷。{" "}
          <a href={`/admin/surveys/${props.id}/responses.csv`}>导出答卷（CSV）</a>
        </p>
      )}
      {props.phase === "draft" ? (
        <form
          method="post"
          action={props.id ? `/admin/surveys/${props.id}` : "/admin/surveys/new"}
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
          <Field name="intro" label="说明" value={v.intro} multiline={3} />
          <Field name="opensOn" label="开始日期" type="date" value={v.opensOn} error={f.opensOn} required />
          <Field
            name="closesOn"
            label="截止日期"
            type="date"
            value={v.closesOn}
            error={f.closesOn}
            required
          />
          <Field
            name="responseRule"
            label="填写方式"
            value={v.responseRule}
            error={f.responseRule}
            required
            options={[
              { value: "account", label: "登录填写，每个账号一次" },
              { value: "browser", label: "匿名填写，每个浏览器一次" },
            ]}
          />
          <div class="checkbox">
            <input
              type="checkbox"
              id="f-resultsPublic"
              name="resultsPublic"
              value="1"
              checked={v.resultsPublic !== "0"}
            />
            <label for="f-resultsPublic">公开调查结果（实时统计图表）</label>
          </div>
          <Field
            name="source"
            label="题目"
            value={v.source ?? SURVEY_EXAMPLE}
            error={f.source}
            required
            multiline={18}
            hint="每题一行“# 题目 [单选|多选|填空|评分|矩阵]”，末尾加 * 为必答；选项每行以“- ”开头；单选选项后写“-> 题号”可跳题，“-> 结束”结束答题；矩阵题写“- 行：…”“- 列：…”；评分为 1—5 分。"
          />
          <button type="submit">保存</button>
        </form>
      ) : (
        <p class="hint">已发布的问卷不能修改题目。</p>
      )}
      {props.id && props.phase === "draft" && (
        <form method="post" action={`/admin/surveys/${props.id}/publish`} class="inline-form">
          <CsrfField token={props.frame.csrf} />
          <button type="submit">发布</button>
        </form>
      )}
    </AdminLayout>
  );
}

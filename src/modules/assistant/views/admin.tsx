import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field, Pagination } from "../../../web/components.tsx";
import { formatDateTime } from "../../../web/html.ts";
import { type FaqRow, OUTCOME_LABELS, type QuestionOutcome } from "../schema.ts";

function AssistantNav({ current }: { current: "review" | "faqs" }) {
  return (
    <nav class="subnav" aria-label="智能问答管理">
      <ul>
        <li>
          <a href="/admin/assistant" aria-current={current === "review" ? "page" : undefined}>
            待处理提问
          </a>
        </li>
        <li>
          <a href="/admin/assistant/faqs" aria-current={current === "faqs" ? "page" : undefined}>
            知识库（常见问题）
          </a>
        </li>
        <li>
          <a href="/admin/search">站内搜索管理</a>
        </li>
      </ul>
    </nav>
  );
}

export function ReviewPage(props: {
  frame: AdminFrame;
  questions: {
    id: number;
    question: string;
    outcome: QuestionOutcome;
    rating: number | null;
    top_ref: string | null;
    created_at: Date;
  }[];
  stats: { outcome: QuestionOutcome; n: number }[];
}) {
  const { frame } = props;
  return (
    <AdminLayout frame={frame} title="智能问答待处理提问" section="assistant">
      <AssistantNav current="review" />
      <h1>待处理提问</h1>
      <p>
        累计提问：
        {props.stats.map((s) => `${OUTCOME_LABELS[s.outcome]} ${s.n} 次`).join("，") || "暂无"}。
        以下是未能回答、需要追问或被评为“没有帮助”的提问，可据此补充常见问题。
      </p>
      {props.questions.length ? (
        <table>
          <caption class="visually-hidden">待处理提问</caption>
          <thead>
            <tr>
              <th scope="col">提问</th>
              <th scope="col">结果</th>
              <th scope="col">时间</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {props.questions.map((q) => (
              <tr key={q.id}>
                <td>{q.question}</td>
                <td>
                  {OUTCOME_LABELS[q.outcome]}
                  {q.rating === -1 && "（评价：没有帮助）"}
                </td>
                <td>{formatDateTime(q.created_at)}</td>
                <td>
                  <a href={`/admin/assistant/faqs/new?from=${q.id}`}>据此新增问答</a>
                  <form
                    method="post"
                    action={`/admin/assistant/questions/${q.id}/resolve`}
                    class="inline-form"
                  >
                    <CsrfField token={frame.csrf} />
                    <button type="submit" class="link-button" aria-label={`忽略提问：${q.question}`}>
                      忽略
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>目前没有待处理的提问。</p>
      )}
    </AdminLayout>
  );
}

export function FaqListPage(props: {
  frame: AdminFrame;
  q: string;
  rows: FaqRow[];
  page: number;
  pages: number;
  total: number;
}) {
  return (
    <AdminLayout frame={props.frame} title="知识库" section="assistant">
      <AssistantNav current="faqs" />
      <h1>知识库（常见问题）</h1>
      <p>
        <a class="button" href="/admin/assistant/faqs/new">
          新增常见问题
        </a>
      </p>
      <form method="get" action="/admin/assistant/faqs" class="inline-form">
        <label for="faq-q">查找</label>
        <input id="faq-q" name="q" type="search" value={props.q} />
        <button type="submit">查找</button>
      </form>
      <p>共 {props.total} 条</p>
      <table>
        <caption class="visually-hidden">常见问题列表</caption>
        <thead>
          <tr>
            <th scope="col">编号</th>
            <th scope="col">问题</th>
            <th scope="col">状态</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((f) => (
            <tr key={f.id}>
              <td>{f.ref ?? f.id}</td>
              <td>
                <a href={`/admin/assistant/faqs/${f.id}`}>{f.question}</a>
              </td>
              <td>{f.published ? "已发布" : "未发布"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination
        page={props.page}
        pages={props.pages}
        href={(n) => `/admin/assistant/faqs?q=${encodeURIComponent(props.q)}&page=${n}`}
      />
    </AdminLayout>
  );
}

export function FaqEditPage(props: {
  frame: AdminFrame;
  id: number | null;
  fromQuestion: number | null;
  state: FormState;
}) {
  const v = props.state.values;
  const f = props.state.fields ?? {};
  const action = props.id ? `/admin/assistant/faqs/${props.id}` : "/admin/assistant/faqs/new";
  return (
    <AdminLayout frame={props.frame} title={props.id ? "编辑常见问题" : "新增常见问题"} section="assistant">
      <AssistantNav current="faqs" />
      <h1>{props.id ? "编辑常见问题" : "新增常见问题"}</h1>
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <form method="post" action={action} class="narrow-form">
        <CsrfField token={props.frame.csrf} />
        {props.fromQuestion && <input type="hidden" name="from" value={String(props.fromQuestion)} />}
        <Field name="question" label="问题" value={v.question} error={f.question} required />
        <Field
          name="answer"
          label="答案"
          value={v.answer}
          error={f.answer}
          required
          multiline={8}
          hint="写明金额、时限、材料和办理渠道；60—300 字为宜"
        />
        <Field
          name="tags"
          label="关键词"
          value={v.tags}
          error={f.tags}
          hint="多个用逗号分隔，如：公积金,提取,租房"
        />
        <Field
          name="refs"
          label="关联事项或政策编号"
          value={v.refs}
          error={f.refs}
          hint="如 svc-023, pol-017；回答时作为信息来源列出"
        />
        <div class="field">
          <label>
            <input type="checkbox" name="published" value="1" checked={v.published !== "0"} />{" "}
            发布（可被搜索和问答引用）
          </label>
        </div>
        <button type="submit">保存</button>
      </form>
    </AdminLayout>
  );
}

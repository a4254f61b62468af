import { CsrfField } from "../../../web/components.tsx";
import { PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import type { AssistantAnswer, AssistantSource } from "../service.ts";
import { LETTER_PATH } from "../service.ts";

function SourceList({ items, label }: { items: AssistantSource[]; label: string }) {
  if (!items.length) return null;
  return (
    <div class="assistant-sources">
      <h3>{label}</h3>
      <ol>
        {items.map((s) => (
          <li key={s.url}>
            <a href={s.url}>{s.title}</a>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function AssistantPage(props: {
  frame: SiteFrame;
  question: string;
  reply: AssistantAnswer | null;
  csrf: string;
  rated: boolean;
  error?: string | undefined;
}) {
  const { frame, reply } = props;
  const base = frame.base;
  return (
    <PublicLayout
      frame={frame}
      title="智能问答"
      crumbs={[{ label: "首页", href: `${base}/` }, { label: "智能问答" }]}
    >
      <h1>智能问答</h1>
      <p>
        用日常的话提问即可，例如“宝宝出生了怎么上户口”“公积金租房提取要什么材料”。回答来自本市常见问题、办事指南和政策文件，并注明出处。
      </p>
      {props.question && (
        <div class="assistant-chat" aria-live="polite">
          <div class="assistant-message assistant-user">
            <h2 class="visually-hidden">您的问题</h2>
            <p>{props.question}</p>
          </div>
          {reply && (
            <div class="assistant-message assistant-bot">
              <h2 class="visually-hidden">回答</h2>
              <p>{reply.answer}</p>
              {reply.outcome === "clarify" && (
                <ul class="assistant-options">
                  {reply.options.map((o) => (
                    <li key={o.question}>
                      <a href={`${base}/assistant?q=${encodeURIComponent(o.question)}`}>{o.question}</a>
                    </li>
                  ))}
                </ul>
              )}
              {reply.outcome === "answered" && <SourceList items={reply.sources} label="信息来源" />}
              {reply.outcome === "unknown" && (
                <>
                  <SourceList items={reply.related} label="可能有帮助的内容" />
                  <p>
                    <a class="button" href={LETTER_PATH}>
                      把问题写信咨询
                    </a>
                  </p>
                </>
              )}
              {reply.questionId !== null && reply.outcome === "answered" && !props.rated && (
                <form method="post" action={`/assistant/rate/${reply.questionId}`} class="assistant-rate">
                  <CsrfField token={props.csrf} />
                  <input type="hidden" name="q" value={props.question} />
                  <span>这个回答对您有帮助吗？</span>
                  <button type="submit" name="helpful" value="1">
                    有帮助
                  </button>
                  <button type="submit" name="helpful" value="0">
                    没有帮助
                  </button>
                </form>
              )}
              {props.rated && <p>感谢您的反馈，我们会据此改进回答。</p>}
            </div>
          )}
        </div>
      )}
      <form method="get" action={`${base}/assistant`} class="assistant-form">
        <div class={`field${props.error ? " field-error" : ""}`}>
          <label for="assistant-q">您的问题</label>
          {props.error && (
            <p class="error-message" id="assistant-q-error">
              <span class="visually-hidden">错误：</span>
              {props.error}
            </p>
          )}
          <textarea
            id="assistant-q"
            name="q"
            rows={3}
            maxLength={200}
            aria-describedby={props.error ? "assistant-q-error" : undefined}
          >
            {props.reply ? "" : props.question}
          </textarea>
        </div>
        <button type="submit" class="button">
          提问
        </button>
      </form>
      <p class="assistant-note">
        智能问答的回答仅供参考，以正式政策文件和办事指南为准。找不到答案时，可以
        <a href={LETTER_PATH}>写信咨询</a>
        或拨打 12345 政务服务便民热线。
      </p>
    </PublicLayout>
  );
}

export function FaqPage(props: {
  frame: SiteFrame;
  faq: { question: string; answer: string; department_name: string | null; tags: string[] };
  cited: AssistantSource[];
}) {
  const { frame, faq } = props;
  const base = frame.base;
  return (
    <PublicLayout
      frame={frame}
      title={faq.question}
      crumbs={[
        { label: "首页", href: `${base}/` },
        { label: "智能问答", href: `${base}/assistant` },
        { label: "常见问题" },
      ]}
    >
      <article class="faq-article">
        <h1>{faq.question}</h1>
        <p>{faq.answer}</p>
        {faq.department_name && <p class="search-meta">答复部门：{faq.department_name}</p>}
        <SourceList items={props.cited} label="相关办事指南和政策" />
      </article>
    </PublicLayout>
  );
}

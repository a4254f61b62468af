import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import type { SynonymRow } from "../schema.ts";
import type { searchAnalytics } from "../service.ts";

const KIND_SIGNS: Record<SynonymRow["kind"], string> = { equivalent: "=", related: "~", replace: "→" };
const KIND_LABELS: Record<SynonymRow["kind"], string> = {
  equivalent: "同义",
  related: "相关（扩展）",
  replace: "纠错",
};

function pct(part: number, whole: number): string {
  return whole ? `${Math.round((part / whole) * 100)}%` : "—";
}

export function SearchAdminPage(props: {
  frame: AdminFrame;
  synonyms: SynonymRow[];
  hotWords: { id: number; word: string; position: number }[];
  analytics: Awaited<ReturnType<typeof searchAnalytics>>;
  days: number;
  state?: FormState | undefined;
}) {
  const { frame, analytics: a } = props;
  const values = props.state?.values ?? {};
  const fields = props.state?.fields ?? {};
  return (
    <AdminLayout frame={frame} title="站内搜索管理" section="assistant">
      <h1>站内搜索管理</h1>
      <ErrorSummary message={props.state?.error} fields={props.state?.fields} />
      <section aria-labelledby="analytics-title">
        <h2 id="analytics-title">搜索统计（近 {props.days} 天）</h2>
        <p>
          搜索 {a.totals.searches} 次，有点击 {a.totals.clicked} 次（点击率{" "}
          {pct(a.totals.clicked, a.totals.searches)}
          ），无结果 {a.totals.zero} 次。
        </p>
        <div class="admin-columns">
          <table>
            <caption>热门搜索词</caption>
            <thead>
              <tr>
                <th scope="col">搜索词</th>
                <th scope="col">次数</th>
                <th scope="col">点击率</th>
              </tr>
            </thead>
            <tbody>
              {a.top.map((r) => (
                <tr key={r.query}>
                  <td>{r.query}</td>
                  <td>{r.searches}</td>
                  <td>{pct(Number(r.clicked), Number(r.searches))}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table>
            <caption>无结果搜索词（可据此补充同义词或常见问题）</caption>
            <thead>
              <tr>
                <th scope="col">搜索词</th>
                <th scope="col">次数</th>
              </tr>
            </thead>
            <tbody>
              {a.zero.map((r) => (
                <tr key={r.query}>
                  <td>{r.query}</td>
                  <td>{r.searches}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="synonyms-title">
        <h2 id="synonyms-title">同义词与纠错词</h2>
        <form method="post" action="/admin/search/synonyms" class="narrow-form">
          <CsrfField token={frame.csrf} />
          <Field
            name="rule"
            label="新增规则"
            value={values.rule}
            error={fields.rule}
            required
            hint="同义：社保=社会保险；相关扩展：营业执照~企业登记；纠错：公基金→公积金"
          />
          <button type="submit">添加</button>
        </form>
        <table>
          <caption>现有规则</caption>
          <thead>
            <tr>
              <th scope="col">类别</th>
              <th scope="col">规则</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {props.synonyms.map((s) => (
              <tr key={s.id}>
                <td>{KIND_LABELS[s.kind]}</td>
                <td>{s.words.join(KIND_SIGNS[s.kind])}</td>
                <td>
                  <form method="post" action={`/admin/search/synonyms/${s.id}/delete`}>
                    <CsrfField token={frame.csrf} />
                    <button
                      type="submit"
                      class="link-button"
                      aria-label={`删除规则 ${s.words.join(KIND_SIGNS[s.kind])}`}
                    >
                      删除
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="hot-title">
        <h2 id="hot-title">热词</h2>
        <form method="post" action="/admin/search/hot-words" class="narrow-form">
          <CsrfField token={frame.csrf} />
          <Field name="word" label="热词" value={values.word} error={fields.word} required />
          <Field name="position" label="排序（数字小的在前）" type="number" value={values.position ?? "0"} />
          <button type="submit">保存热词</button>
        </form>
        <ul>
          {props.hotWords.map((w) => (
            <li key={w.id}>
              {w.word}（{w.position}）
              <form method="post" action={`/admin/search/hot-words/${w.id}/delete`} class="inline-form">
                <CsrfField token={frame.csrf} />
                <button type="submit" class="link-button" aria-label={`删除热词 ${w.word}`}>
                  删除
                </button>
              </form>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="reindex-title">
        <h2 id="reindex-title">索引</h2>
        <p>发布和撤稿会自动更新索引。导入数据后可重建全部索引。</p>
        <form method="post" action="/admin/search/reindex">
          <CsrfField token={frame.csrf} />
          <button type="submit">重建索引</button>
        </form>
      </section>
    </AdminLayout>
  );
}

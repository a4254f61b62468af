import { render } from "preact-render-to-string";
import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import type { DisclosureTable, RequestTable } from "../annual-report.ts";

export interface ReportFigures {
  organ: string;
  year: number;
  disclosure: DisclosureTable;
  requests: RequestTable;
  fees: { notices: number; noticed: number; collected: number };
  narrative: Record<string, string>;
  manual: Record<string, number>;
}

export const MANUAL_DECISIONS = [
  ["licences", "第二十条第（五）项 行政许可", "本年处理决定数量"],
  ["penalties", "第二十条第（六）项 行政处罚", "本年处理决定数量"],
  ["enforcement", "第二十条第（六）项 行政强制", "本年处理决定数量"],
  ["charges", "第二十条第（八）项 行政事业性收费", "本年收费金额（单位：万元）"],
] as const;

export const REVIEW_COLUMNS = ["结果维持", "结果纠正", "其他结果", "尚未审结"] as const;
export const REVIEW_GROUPS = [
  ["review", "行政复议"],
  ["direct", "行政诉讼（未经复议直接起诉）"],
  ["after", "行政诉讼（复议后起诉）"],
] as const;

const paragraphs = (text: string | undefined) =>
  (text ?? "")
    .split(/\n+/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => <p key={p}>{p}</p>);

/** The report's body as published: the 2021 format's six parts, tables with headers for screen readers. */
function ReportBody({ f }: { f: ReportFigures }) {
  const r = f.requests;
  const last = r.columns.length - 1;
  return (
    <>
      <p>
        本报告根据《中华人民共和国政府信息公开条例》第五十条和《中华人民共和国政府信息公开工作年度报告格式》编制，数据统计期限为
        {f.year}年1月1日至{f.year}年12月31日。
      </p>
      <h2>一、总体情况</h2>
      {paragraphs(f.narrative.overview)}
      <h2>二、主动公开政府信息情况</h2>
      <table>
        <caption>第二十条第（一）项</caption>
        <thead>
          <tr>
            <th scope="col">信息内容</th>
            <th scope="col">本年制发件数</th>
            <th scope="col">本年废止件数</th>
            <th scope="col">现行有效件数</th>
          </tr>
        </thead>
        <tbody>
          {f.disclosure.regulations.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td>{row.issued}</td>
              <td>{row.repealed}</td>
              <td>{row.inForce}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table>
        <caption>第二十条第（五）、（六）、（八）项</caption>
        <thead>
          <tr>
            <th scope="col">信息内容</th>
            <th scope="col">统计项</th>
            <th scope="col">数量</th>
          </tr>
        </thead>
        <tbody>
          {MANUAL_DECISIONS.map(([key, label, unit]) => (
            <tr key={key}>
              <th scope="row">{label}</th>
              <td>{unit}</td>
              <td>{f.manual[key] ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>三、收到和处理政府信息公开申请情况</h2>
      <table>
        <caption>本表数据的勾稽关系：第一项加第二项之和，等于第三项加第四项之和</caption>
        <thead>
          <tr>
            <th scope="col" rowspan={2}>
              项目
            </th>
            <th scope="col" rowspan={2}>
              自然人
            </th>
            <th scope="colgroup" colspan={5}>
              法人或其他组织
            </th>
            <th scope="col" rowspan={2}>
              总计
            </th>
          </tr>
          <tr>
            {r.columns.slice(1, last).map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {r.rows.map((row) =>
            row.key === "handled_heading" ? (
              <tr key={row.key}>
                <th scope="row" colspan={8}>
                  {row.label}
                </th>
              </tr>
            ) : (
              <tr key={row.key}>
                <th scope="row">{row.label}</th>
                {row.values.map((v, i) => (
                  <td key={r.columns[i]}>{v}</td>
                ))}
              </tr>
            ),
          )}
        </tbody>
      </table>
      <h2>四、政府信息公开行政复议、行政诉讼情况</h2>
      <table>
        <caption>行政复议、行政诉讼情况</caption>
        <thead>
          <tr>
            {REVIEW_GROUPS.map(([key, label]) => (
              <th scope="colgroup" colspan={5} key={key}>
                {label}
              </th>
            ))}
          </tr>
          <tr>
            {REVIEW_GROUPS.flatMap(([key]) =>
              [...REVIEW_COLUMNS, "总计"].map((c) => (
                <th scope="col" key={`${key}-${c}`}>
                  {c}
                </th>
              )),
            )}
          </tr>
        </thead>
        <tbody>
          <tr>
            {REVIEW_GROUPS.flatMap(([key]) => {
              const values = REVIEW_COLUMNS.map((_, i) => f.manual[`${key}${i}`] ?? 0);
              return [...values, values.reduce((a, b) => a + b, 0)].map((v, i) => (
                <td key={`${key}-${REVIEW_COLUMNS[i] ?? "total"}`}>{v}</td>
              ));
            })}
          </tr>
        </tbody>
      </table>
      <h2>五、存在的主要问题及改进情况</h2>
      {paragraphs(f.narrative.problems)}
      <h2>六、其他需要报告的事项</h2>
      <p>
        本年度发出收费通知{f.fees.notices}件，收费通知总金额{f.fees.noticed.toFixed(2)}元，实际收取信息处理费
        {f.fees.collected.toFixed(2)}元。
      </p>
      {paragraphs(f.narrative.other)}
    </>
  );
}

export function renderReportBody(figures: ReportFigures): string {
  return render(<ReportBody f={figures} />);
}

export function AnnualReportPage(props: {
  frame: AdminFrame;
  siteName: string;
  figures: ReportFigures;
  state: FormState;
  action: string;
  documentHref: string | null;
  deadline: string;
}) {
  const v = props.state.values;
  const f = props.state.fields ?? {};
  return (
    <AdminLayout
      frame={props.frame}
      title={`${props.siteName} ${props.figures.year}年政府信息公开工作年度报告`}
      section="requests"
    >
      <p class="hint">
        依《中华人民共和国政府信息公开条例》第四十九条，应于 {props.deadline}{" "}
        前向社会公布。表二（部分）、表三由平台数据自动生成；叙述部分和平台不掌握的数字由您填写。
      </p>
      {props.documentHref && (
        <p>
          已生成报告文档：<a href={props.documentHref}>查看与审核</a>
        </p>
      )}
      {!props.figures.requests.balanced && <p class="error-message">表三勾稽关系不成立，请检查申请数据。</p>}
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <form method="post" action={props.action}>
        <CsrfField token={props.frame.csrf} />
        <Field
          name="overview"
          label="一、总体情况"
          value={v.overview}
          error={f.overview}
          multiline={6}
          hint="主动公开、依申请公开、政府信息管理、平台建设、监督保障"
        />
        <fieldset>
          <legend>二、主动公开（平台不掌握的数字）</legend>
          {MANUAL_DECISIONS.map(([key, label, unit]) => (
            <Field
              key={key}
              name={key}
              label={`${label}：${unit}`}
              type="number"
              value={v[key] ?? "0"}
              error={f[key]}
            />
          ))}
        </fieldset>
        <fieldset>
          <legend>四、行政复议、行政诉讼（件）</legend>
          {REVIEW_GROUPS.flatMap(([key, label]) =>
            REVIEW_COLUMNS.map((c, i) => (
              <Field
                key={`${key}${i}`}
                name={`${key}${i}`}
                label={`${label}：${c}`}
                type="number"
                value={v[`${key}${i}`] ?? "0"}
                error={f[`${key}${i}`]}
              />
            )),
          )}
        </fieldset>
        <Field
          name="problems"
          label="五、存在的主要问题及改进情况"
          value={v.problems}
          error={f.problems}
          multiline={5}
        />
        <Field
          name="other"
          label="六、其他需要报告的事项"
          value={v.other}
          multiline={4}
          hint="信息处理费的收取情况由平台自动填写"
        />
        <div class="button-row">
          <button type="submit" name="intent" value="save">
            保存
          </button>
          <button type="submit" name="intent" value="publish">
            保存并生成报告文档、提交审核
          </button>
        </div>
      </form>
      <h2>预览</h2>
      <div
        class="article-body report-preview"
        dangerouslySetInnerHTML={{ __html: renderReportBody(props.figures) }}
      />
    </AdminLayout>
  );
}

import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import { formatDateTime } from "../../../web/html.ts";
import type { Site } from "../../sites/schema.ts";
import {
  type BudgetLineInput,
  type ReportSummary,
  SECTIONS,
  type Section,
  type SectionKey,
  sectionTitle,
} from "../budget.ts";
import { type BudgetStage, STAGE_LABELS } from "../schema.ts";

/** Common names offered while typing (a datalist: any other name may be typed). */
const SUGGESTIONS: Record<SectionKey, string[]> = {
  gi: [
    "税收收入",
    "非税收入",
    "上级补助收入",
    "债务转贷收入",
    "调入资金",
    "动用预算稳定调节基金",
    "上年结转结余",
    "财政拨款收入",
    "事业收入",
    "经营收入",
    "其他收入",
  ],
  gs: [
    "一般公共服务支出",
    "国防支出",
    "公共安全支出",
    "教育支出",
    "科学技术支出",
    "文化旅游体育与传媒支出",
    "社会保障和就业支出",
    "卫生健康支出",
    "节能环保支出",
    "城乡社区支出",
    "农林水支出",
    "交通运输支出",
    "资源勘探工业信息等支出",
    "商业服务业等支出",
    "自然资源海洋气象等支出",
    "住房保障支出",
    "粮油物资储备支出",
    "灾害防治及应急管理支出",
    "预备费",
    "其他支出",
    "债务付息支出",
    "债务发行费用支出",
  ],
  fi: ["国有土地使用权出让收入", "城市基础设施配套费收入", "专项债务收入", "上级补助收入", "上年结转收入"],
  fs: ["城乡社区支出", "农林水支出", "交通运输支出", "其他支出", "债务付息支出", "债务还本支出", "调出资金"],
  sg: ["因公出国（境）费", "公务用车购置费", "公务用车运行维护费", "公务接待费"],
};

/** Blank rows offered for a new report, and below existing lines. */
const NEW_ROWS: Record<SectionKey, number> = { gi: 8, gs: 18, fi: 5, fs: 6, sg: 4 };
const EXTRA_ROWS = 3;

export interface BudgetFormState {
  sections: Record<SectionKey, BudgetLineInput[]>;
  note: string;
  published: boolean;
  error?: string | undefined;
  fields?: Record<string, string> | undefined;
}

export function budgetEditHref(siteId: number, year: number, stage: BudgetStage): string {
  return `/admin/disclosure/budget/${siteId}/${year}/${stage}`;
}

export function BudgetListPage(props: {
  frame: AdminFrame;
  sites: Site[];
  reports: ReportSummary[];
  open: {
    values: Record<string, string>;
    error?: string | undefined;
    fields?: Record<string, string> | undefined;
  };
}) {
  const v = props.open.values;
  const f = props.open.fields ?? {};
  return (
    <AdminLayout frame={props.frame} title="财政预决算" section="disclosure">
      <p>
        <a href="/admin/disclosure/projects">重大建设项目</a>
      </p>
      {props.reports.length === 0 ? (
        <p class="empty">尚未填报预决算数据。</p>
      ) : (
        <table class="data">
          <caption class="visually-hidden">已填报的预决算</caption>
          <thead>
            <tr>
              <th scope="col">站点</th>
              <th scope="col">年度</th>
              <th scope="col">阶段</th>
              <th scope="col">科目行数</th>
              <th scope="col">公开状态</th>
              <th scope="col">更新时间</th>
            </tr>
          </thead>
          <tbody>
            {props.reports.map((r) => (
              <tr key={`${r.siteId}-${r.year}-${r.stage}`}>
                <td>{r.siteName}</td>
                <td>
                  <a href={budgetEditHref(r.siteId, r.year, r.stage)}>
                    {r.year}年{STAGE_LABELS[r.stage]}
                    <span class="visually-hidden">：{r.siteName}</span>
                  </a>
                </td>
                <td>{STAGE_LABELS[r.stage]}</td>
                <td>{r.lines}</td>
                <td>{r.published ? "已公开" : "未公开"}</td>
                <td>{formatDateTime(r.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>填报或修改</h2>
      <ErrorSummary message={props.open.error} fields={props.open.fields} />
      <form method="get" action="/admin/disclosure/budget/open" class="narrow-form">
        <Field
          name="site"
          label="站点"
          value={v.site}
          error={f.site}
          required
          options={props.sites.map((s) => ({ value: String(s.id), label: s.name }))}
        />
        <Field
          name="year"
          label="年度"
          value={v.year}
          error={f.year}
          required
          hint="四位年份，如 2026"
          type="text"
        />
        <Field
          name="stage"
          label="阶段"
          value={v.stage}
          error={f.stage}
          required
          options={[
            { value: "budget", label: "预算" },
            { value: "final", label: "决算" },
          ]}
        />
        <button type="submit">打开填报表</button>
      </form>
    </AdminLayout>
  );
}

function LineTable({
  section,
  title,
  rows,
  fields,
  isNew,
}: {
  section: Section;
  title: string;
  rows: BudgetLineInput[];
  fields: Record<string, string>;
  isNew: boolean;
}) {
  const key = section.key;
  const id = `f-${key}`;
  const blank = { code: "", name: "", amount: "" };
  const shown = [
    ...rows,
    ...Array.from({ length: isNew && rows.length === 0 ? NEW_ROWS[key] : EXTRA_ROWS }, () => blank),
  ];
  const sectionError = fields[key];
  const cell = (
    i: number,
    part: keyof BudgetLineInput,
    value: string,
    extra: Record<string, string> = {},
  ) => {
    const inputId = `${id}-${i}-${part}`;
    const error = fields[`${key}.${i}.${part}`];
    return (
      <td>
        <input
          type="text"
          id={inputId}
          name={`${key}.${part}`}
          value={value}
          aria-labelledby={`${id}-h-${part} ${id}-r${i}`}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? `${inputId}-error` : undefined}
          {...extra}
        />
        {error && (
          <p class="error-message" id={`${inputId}-error`}>
            <span class="visually-hidden">错误：</span>
            {error}
          </p>
        )}
      </td>
    );
  };
  return (
    <fieldset id={id} class={sectionError ? "line-fieldset field-error" : "line-fieldset"} tabIndex={-1}>
      <legend>{title}（单位：万元）</legend>
      {sectionError && (
        <p class="error-message">
          <span class="visually-hidden">错误：</span>
          {sectionError}
        </p>
      )}
      <datalist id={`${id}-names`}>
        {SUGGESTIONS[key].map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <div class="table-scroll">
        <table class="data line-table">
          <caption class="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">行</th>
              <th scope="col" id={`${id}-h-code`}>
                科目编码
              </th>
              <th scope="col" id={`${id}-h-name`}>
                科目名称
              </th>
              <th scope="col" id={`${id}-h-amount`}>
                金额（万元）
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r, i) => (
              <tr key={i}>
                <th scope="row" id={`${id}-r${i}`}>
                  第 {i + 1} 行
                </th>
                {cell(i, "code", r.code, { inputmode: "numeric", class: "code-input" })}
                {cell(i, "name", r.name, { list: `${id}-names` })}
                {cell(i, "amount", r.amount, { inputmode: "decimal", class: "amount-input" })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </fieldset>
  );
}

export function BudgetEditPage(props: {
  frame: AdminFrame;
  site: Site;
  year: number;
  stage: BudgetStage;
  exists: boolean;
  publicHref: string | null;
  state: BudgetFormState;
}) {
  const { site, year, stage, state } = props;
  const action = budgetEditHref(site.id, year, stage);
  const fields = state.fields ?? {};
  return (
    <AdminLayout
      frame={props.frame}
      title={`${site.name}：${year}年${STAGE_LABELS[stage]}`}
      section="disclosure"
    >
      <p>
        <a href="/admin/disclosure/budget">返回财政预决算列表</a>
        {props.publicHref && (
          <>
            {" · "}
            <a href={props.publicHref}>查看公开页面</a>
          </>
        )}
      </p>
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action={action} class="budget-form">
        <CsrfField token={props.frame.csrf} />
        <p class="hint">
          每个科目填一行：科目编码可不填，金额单位为万元，最多两位小数。合计由各行相加得出，无需填写；收入合计应与支出合计相等。
          删除一行时清空该行即可。保存后会再提供空行。
        </p>
        {SECTIONS.map((s) => (
          <LineTable
            key={s.key}
            section={s}
            title={sectionTitle(s, site.kind)}
            rows={state.sections[s.key]}
            fields={fields}
            isNew={!props.exists}
          />
        ))}
        <Field
          name="note"
          label="说明"
          value={state.note}
          error={fields.note}
          multiline={3}
          hint="选填，显示在公开页面顶部，如数据口径或批准情况"
        />
        <div class="checkbox">
          <input type="checkbox" id="f-published" name="published" value="1" checked={state.published} />
          <label for="f-published">公开（勾选后在网站“财政预决算”栏目显示）</label>
        </div>
        <button type="submit">保存</button>
      </form>
      {props.exists && (
        <>
          <h2>删除</h2>
          <form method="post" action={`${action}/delete`}>
            <CsrfField token={props.frame.csrf} />
            <p class="hint">删除该年度{STAGE_LABELS[stage]}的全部科目，公开页面随之撤下。</p>
            <button type="submit" class="warning">
              删除{year}年{STAGE_LABELS[stage]}
            </button>
          </form>
        </>
      )}
    </AdminLayout>
  );
}

import type { ComponentChildren } from "preact";
import type { Crumb } from "../../../web/components.tsx";
import { formatDate } from "../../../web/html.ts";
import { type PageMeta, PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import type { Site } from "../../sites/schema.ts";
import {
  type BudgetReport,
  type BudgetYear,
  budgetEntity,
  type Comparison,
  compareLines,
  fundName,
  linesOf,
  primaryOf,
  type SectionKey,
  total,
} from "../budget.ts";
import { barChartSvg, pieChartSvg, sankeySvg } from "../charts.ts";
import { formatAmount, formatChange, formatRate, formatShare } from "../money.ts";
import { type BudgetStage, STAGE_LABELS } from "../schema.ts";

export interface PageContext {
  frame: SiteFrame;
  crumbs: Crumb[];
  meta: PageMeta;
  activeColumnId: number | undefined;
}

/** A chart drawn on the server: the SVG carries role="img" and its label; the table beside it has the data. */
export function Chart({ svg, caption }: { svg: string; caption: string }) {
  return (
    <figure class="chart">
      <div class="chart-svg" dangerouslySetInnerHTML={{ __html: svg }} />
      <figcaption>{caption}（数据见下表）</figcaption>
    </figure>
  );
}

/** A table that scrolls sideways on a narrow screen instead of widening the page; keyboard-scrollable. */
export function ScrollTable({ id, children }: { id: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
    <section class="table-scroll" aria-labelledby={id} tabIndex={0}>
      {children}
    </section>
  );
}

function CodeName({ code, name }: { code: string; name: string }) {
  return (
    <>
      {code && <span class="subject-code">{code} </span>}
      {name}
    </>
  );
}

const amountCell = (cents: number | null) => (cents === null ? "—" : formatAmount(cents));

/** This year's lines beside last year's: amounts, 增减额 and 增减率. */
export function ComparisonTable(props: {
  id: string;
  caption: string;
  comparison: Comparison;
  currentLabel: string;
  previousLabel: string;
}) {
  const { comparison: c } = props;
  return (
    <ScrollTable id={props.id}>
      <table class="data figures">
        <caption id={props.id}>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">科目</th>
            {c.hasPrevious && (
              <th scope="col" class="num">
                {props.previousLabel}
              </th>
            )}
            <th scope="col" class="num">
              {props.currentLabel}
            </th>
            {c.hasPrevious && (
              <>
                <th scope="col" class="num">
                  增减额
                </th>
                <th scope="col" class="num">
                  增减率
                </th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {c.rows.map((r) => (
            <tr key={r.name}>
              <th scope="row">
                <CodeName code={r.code} name={r.name} />
              </th>
              {c.hasPrevious && <td class="num">{amountCell(r.previous)}</td>}
              <td class="num">{amountCell(r.cents)}</td>
              {c.hasPrevious && (
                <>
                  <td class="num">{r.change === null ? "—" : formatChange(r.change)}</td>
                  <td class="num">{formatRate(r.rate)}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">合计</th>
            {c.hasPrevious && <td class="num">{amountCell(c.total.previous)}</td>}
            <td class="num">{amountCell(c.total.cents)}</td>
            {c.hasPrevious && (
              <>
                <td class="num">{c.total.change === null ? "—" : formatChange(c.total.change)}</td>
                <td class="num">{formatRate(c.total.rate)}</td>
              </>
            )}
          </tr>
        </tfoot>
      </table>
    </ScrollTable>
  );
}

function YearNav({
  base,
  years,
  shown,
  onYearPage,
}: {
  base: string;
  years: { year: number; stages: BudgetStage[] }[];
  shown: number;
  onYearPage: boolean;
}) {
  return (
    <nav class="year-nav" aria-label="选择年度">
      <h2 class="year-nav-title">选择年度</h2>
      <ul>
        {years.map((y) => (
          <li key={y.year}>
            <a
              href={`${base}/czyjs/${y.year}/`}
              aria-current={y.year === shown ? (onYearPage ? "page" : "true") : undefined}
            >
              {y.year}年<span class="year-stages">（{y.stages.map((s) => STAGE_LABELS[s]).join("、")}）</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Downloads({ base, year }: { base: string; year: number }) {
  return (
    <section class="downloads" aria-labelledby="downloads-title">
      <h2 id="downloads-title">数据下载</h2>
      <ul>
        <li>
          <a href={`${base}/czyjs/${year}.csv`} download>
            {year}年数据（CSV，可用 Excel 打开）
          </a>
        </li>
        <li>
          <a href={`${base}/czyjs/${year}.json`}>{year}年数据（JSON）</a>
        </li>
      </ul>
    </section>
  );
}

/** 资金来源 and 资金去向 of the Sankey as a table: the same flows with amounts and shares. */
function FlowTable({
  id,
  caption,
  sources,
  uses,
}: {
  id: string;
  caption: string;
  sources: { code: string; name: string; cents: number }[];
  uses: { code: string; name: string; cents: number }[];
}) {
  const inTotal = sources.reduce((s, l) => s + l.cents, 0);
  const outTotal = uses.reduce((s, l) => s + l.cents, 0);
  const group = (label: string, lines: typeof sources, whole: number) =>
    lines.map((l) => (
      <tr key={`${label}-${l.name}`}>
        <td>{label}</td>
        <th scope="row">
          <CodeName code={l.code} name={l.name} />
        </th>
        <td class="num">{formatAmount(l.cents)}</td>
        <td class="num">{formatShare(l.cents, whole)}</td>
      </tr>
    ));
  return (
    <ScrollTable id={id}>
      <table class="data figures">
        <caption id={id}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">流向</th>
            <th scope="col">科目</th>
            <th scope="col" class="num">
              金额
            </th>
            <th scope="col" class="num">
              占比
            </th>
          </tr>
        </thead>
        <tbody>{group("来源", sources, inTotal)}</tbody>
        <tbody>{group("去向", uses, outTotal)}</tbody>
        <tfoot>
          <tr>
            <td>来源</td>
            <th scope="row">收入合计</th>
            <td class="num">{formatAmount(inTotal)}</td>
            <td class="num">100.0%</td>
          </tr>
          <tr>
            <td>去向</td>
            <th scope="row">支出合计</th>
            <td class="num">{formatAmount(outTotal)}</td>
            <td class="num">100.0%</td>
          </tr>
        </tfoot>
      </table>
    </ScrollTable>
  );
}

/** 预算执行情况: each spending line of the 决算 beside its 预算 and the share carried out. */
function ExecutionTable({
  id,
  caption,
  comparison,
}: {
  id: string;
  caption: string;
  comparison: Comparison;
}) {
  const rate = (cents: number | null, budget: number | null) =>
    cents === null || budget === null ? "—" : formatShare(cents, budget);
  return (
    <ScrollTable id={id}>
      <table class="data figures">
        <caption id={id}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">科目</th>
            <th scope="col" class="num">
              预算数
            </th>
            <th scope="col" class="num">
              决算数
            </th>
            <th scope="col" class="num">
              决算为预算的%
            </th>
          </tr>
        </thead>
        <tbody>
          {comparison.rows.map((r) => (
            <tr key={r.name}>
              <th scope="row">
                <CodeName code={r.code} name={r.name} />
              </th>
              <td class="num">{amountCell(r.previous)}</td>
              <td class="num">{amountCell(r.cents)}</td>
              <td class="num">{rate(r.cents, r.previous)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">合计</th>
            <td class="num">{amountCell(comparison.total.previous)}</td>
            <td class="num">{amountCell(comparison.total.cents)}</td>
            <td class="num">{rate(comparison.total.cents, comparison.total.previous)}</td>
          </tr>
        </tfoot>
      </table>
    </ScrollTable>
  );
}

/** Everything published for one year: key figures, three charts each with its table, the other tables. */
function YearContent({ site, base, view }: { site: Site; base: string; view: BudgetYear }) {
  const { current, previous } = primaryOf(view);
  const stage = STAGE_LABELS[current.stage];
  const year = view.year;
  const kind = site.kind;
  const general = fundName("general", kind);
  const section = (key: SectionKey, base?: BudgetReport) => {
    const baseLines = base ? linesOf(base, key) : [];
    return compareLines(linesOf(current, key), baseLines.length ? baseLines : undefined);
  };
  const spending = section("gs", previous);
  const income = section("gi", previous);
  const fundIncome = section("fi", previous);
  const fundSpending = section("fs", previous);
  const sangong = section("sg", previous);
  const cur = `${year}年${stage}数`;
  const prev = `${year - 1}年${stage}数`;
  const incomeLines = linesOf(current, "gi");
  const spendingLines = linesOf(current, "gs");
  let n = 0;
  const next = () => {
    n += 1;
    return n;
  };
  const barLabel = `${general}支出分科目柱状图：${year}年${stage}${spending.hasPrevious ? `与${year - 1}年对比` : ""}，合计 ${formatAmount(total(spendingLines))} 万元`;
  const pieLabel = `${general}收入结构环形图：${year}年${stage}收入合计 ${formatAmount(total(incomeLines))} 万元`;
  const sankeyLabel = `钱从哪里来、到哪里去桑基图：${incomeLines.length} 项收入汇入${general}，流向 ${spendingLines.length} 项支出`;
  const execution =
    view.budget && view.final ? compareLines(linesOf(view.final, "gs"), linesOf(view.budget, "gs")) : null;
  return (
    <>
      {current.note && <p class="notice-banner">{current.note}</p>}
      <section aria-labelledby="overview-title">
        <h2 id="overview-title">
          {year}年{general}
          {stage}概况
        </h2>
        <dl class="key-figures">
          <div>
            <dt>收入合计</dt>
            <dd>
              {formatAmount(income.total.cents ?? 0)} <span class="unit">万元</span>
            </dd>
          </div>
          <div>
            <dt>支出合计</dt>
            <dd>
              {formatAmount(spending.total.cents ?? 0)} <span class="unit">万元</span>
            </dd>
          </div>
          {spending.hasPrevious && (
            <div>
              <dt>支出比上年</dt>
              <dd>{formatRate(spending.total.rate)}</dd>
            </div>
          )}
          {current.publishedAt && (
            <div>
              <dt>公开日期</dt>
              <dd>
                <time dateTime={formatDate(current.publishedAt)}>{formatDate(current.publishedAt)}</time>
              </dd>
            </div>
          )}
        </dl>
        <p class="hint">金额单位：万元。增减率为与上年同口径{stage}数相比。</p>
      </section>

      {spendingLines.length > 0 && (
        <section aria-labelledby="spending-title">
          <h2 id="spending-title">{general}支出（按功能分类）</h2>
          <Chart
            caption={`图${next()} ${year}年${general}支出${spending.hasPrevious ? "及与上年对比" : ""}`}
            svg={barChartSvg({
              label: barLabel,
              categories: spending.rows.map((r) => r.name),
              series: [
                ...(spending.hasPrevious
                  ? [{ name: `${year - 1}年`, values: spending.rows.map((r) => (r.previous ?? 0) / 100) }]
                  : []),
                { name: `${year}年`, values: spending.rows.map((r) => (r.cents ?? 0) / 100) },
              ],
            })}
          />
          <ComparisonTable
            id="t-spending"
            caption={`表${n} ${year}年${general}支出（单位：万元）`}
            comparison={spending}
            currentLabel={cur}
            previousLabel={prev}
          />
        </section>
      )}

      {incomeLines.length > 0 && (
        <section aria-labelledby="income-title">
          <h2 id="income-title">{general}收入</h2>
          <Chart
            caption={`图${next()} ${year}年${general}收入结构`}
            svg={pieChartSvg({
              label: pieLabel,
              items: incomeLines.map((l) => ({ name: l.name, value: l.cents / 100 })),
            })}
          />
          <ComparisonTable
            id="t-income"
            caption={`表${n} ${year}年${general}收入（单位：万元）`}
            comparison={income}
            currentLabel={cur}
            previousLabel={prev}
          />
        </section>
      )}

      {incomeLines.length > 0 && spendingLines.length > 0 && (
        <section aria-labelledby="flow-title">
          <h2 id="flow-title">钱从哪里来、到哪里去</h2>
          <Chart
            caption={`图${next()} ${year}年${general}资金来源与去向`}
            svg={sankeySvg({
              label: sankeyLabel,
              pool: general,
              sources: incomeLines.map((l) => ({ name: l.name, value: l.cents / 100 })),
              uses: spendingLines.map((l) => ({ name: l.name, value: l.cents / 100 })),
            })}
          />
          <FlowTable
            id="t-flow"
            caption={`表${n} ${year}年${general}资金来源与去向（单位：万元）`}
            sources={incomeLines}
            uses={spendingLines}
          />
        </section>
      )}

      {(fundIncome.rows.length > 0 || fundSpending.rows.length > 0) && (
        <section aria-labelledby="fund-title">
          <h2 id="fund-title">政府性基金预算</h2>
          {fundIncome.rows.length > 0 && (
            <ComparisonTable
              id="t-fund-income"
              caption={`表${next()} ${year}年政府性基金预算收入（单位：万元）`}
              comparison={fundIncome}
              currentLabel={cur}
              previousLabel={prev}
            />
          )}
          {fundSpending.rows.length > 0 && (
            <ComparisonTable
              id="t-fund-spending"
              caption={`表${next()} ${year}年政府性基金预算支出（单位：万元）`}
              comparison={fundSpending}
              currentLabel={cur}
              previousLabel={prev}
            />
          )}
        </section>
      )}

      {sangong.rows.length > 0 && (
        <section aria-labelledby="sangong-title">
          <h2 id="sangong-title">“三公”经费</h2>
          <ComparisonTable
            id="t-sangong"
            caption={`表${next()} ${year}年“三公”经费${stage}（单位：万元）`}
            comparison={sangong}
            currentLabel={cur}
            previousLabel={prev}
          />
        </section>
      )}

      {execution && execution.rows.length > 0 && (
        <section aria-labelledby="execution-title">
          <h2 id="execution-title">
            {year}年{general}预算执行情况（决算）
          </h2>
          {view.final?.note && view.final.note !== current.note && <p class="hint">{view.final.note}</p>}
          <ExecutionTable
            id="t-execution"
            caption={`表${next()} ${year}年${general}支出决算与预算对比（单位：万元）`}
            comparison={execution}
          />
        </section>
      )}

      <Downloads base={base} year={year} />
    </>
  );
}

export function BudgetPage(props: {
  page: PageContext;
  heading: string;
  view: BudgetYear | undefined;
  years: { year: number; stages: BudgetStage[] }[];
  onYearPage: boolean;
  departments: { name: string; href: string }[];
}) {
  const { frame } = props.page;
  const { site, base } = frame;
  return (
    <PublicLayout
      frame={frame}
      title={props.heading}
      crumbs={props.page.crumbs}
      meta={props.page.meta}
      activeColumnId={props.page.activeColumnId}
    >
      <div class="budget">
        <h1>{props.heading}</h1>
        {props.view ? (
          <>
            <p class="lead">
              {budgetEntity(site)}
              {props.view.year}年{props.view.budget ? "预算" : ""}
              {props.view.budget && props.view.final ? "和" : ""}
              {props.view.final ? "决算" : ""}
              公开信息。每张图后都有对应的数据表。
            </p>
            <YearNav base={base} years={props.years} shown={props.view.year} onYearPage={props.onYearPage} />
            <YearContent site={site} base={base} view={props.view} />
          </>
        ) : (
          <p class="empty">本站暂未公开财政预决算信息。</p>
        )}
        {props.departments.length > 0 && (
          <section aria-labelledby="departments-title">
            <h2 id="departments-title">部门预决算</h2>
            <ul class="site-links">
              {props.departments.map((d) => (
                <li key={d.href}>
                  <a href={d.href}>{d.name}</a>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
    </PublicLayout>
  );
}

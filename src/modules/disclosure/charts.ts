import { BarChart, PieChart, SankeyChart } from "echarts/charts";
import { GridComponent, LegendComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

/**
 * Charts drawn on the server as SVG with Apache ECharts, so they show without JavaScript and in the
 * static mirror. Every chart is paired on the page with a data table, its accessible equivalent.
 *
 * The SVG is made safe for the site's Content-Security-Policy (style-src 'self'): ECharts' hover
 * <style> blocks are dropped (hover needs script anyway) and inline style attributes become
 * presentation attributes, which CSP does not govern. Text from the data arrives escaped by ECharts.
 */
echarts.use([BarChart, PieChart, SankeyChart, GridComponent, LegendComponent, SVGRenderer]);

/** Colours with at least 3:1 contrast against white (WCAG 1.4.11), in the site's palette. */
export const PALETTE = [
  "#0b4f9c",
  "#a8071a",
  "#0b6b2f",
  "#b35900",
  "#5b2a86",
  "#00727a",
  "#7d5a00",
  "#c41d7f",
  "#3f6212",
  "#575757",
  "#1d39c4",
  "#874d00",
];
const INK = "#1f1f1f";
const MUTED = "#575757";
const FONT = "sans-serif";

const PRESENTATION = new Set([
  "font-size",
  "font-family",
  "font-weight",
  "font-style",
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-opacity",
  "opacity",
]);

function escapeAttr(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Post-processes ECharts' SSR output for a strict CSP and for assistive technology: no <style>, no
 * style attributes, no ECharts bookkeeping attributes; the root gets role="img", an aria-label and a
 * <title>.
 */
export function cleanSvg(svg: string, label: string): string {
  let out = svg
    .replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, "")
    .replace(/\s(?:ecmeta_[a-z_]+|class|pointer-events)="[^"]*"/g, "")
    .replace(/\sstyle="([^"]*)"/g, (_all, css: string) =>
      css
        .split(";")
        .map((decl) => {
          const i = decl.indexOf(":");
          if (i < 0) return "";
          const prop = decl.slice(0, i).trim().toLowerCase();
          const value = decl.slice(i + 1).trim();
          if (!PRESENTATION.has(prop) || !/^[\w\s.,#%()-]+$/.test(value)) return "";
          return ` ${prop}="${value}"`;
        })
        .join(""),
    )
    .replace(/\n/g, "");
  const safeLabel = escapeAttr(label);
  out = out.replace(
    /^<svg\b([^>]*)>/,
    `<svg$1 role="img" aria-label="${safeLabel}" focusable="false"><title>${safeLabel}</title>`,
  );
  return out;
}

/** Rendered charts by their option, so repeated page views do not redraw (bounded, oldest out). */
const cache = new Map<string, string>();
const CACHE_SIZE = 200;

function render(option: Record<string, unknown>, width: number, height: number, label: string): string {
  const key = JSON.stringify([option, width, height, label]);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  let svg: string;
  try {
    chart.setOption({
      animation: false,
      color: PALETTE,
      textStyle: { fontFamily: FONT, fontSize: 13, color: INK },
      ...option,
    });
    svg = cleanSvg(chart.renderToSVGString(), label);
  } finally {
    chart.dispose();
  }
  if (cache.size >= CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, svg);
  return svg;
}

export interface BarSeries {
  name: string;
  values: number[];
}

/** Horizontal bars, one group per category (first on top), e.g. this year's and last year's spending. */
export function barChartSvg(input: {
  label: string;
  categories: string[];
  series: BarSeries[];
  /** The axis unit when the bars are not money (件, %, 工作日); money is in 万元 or 亿元. */
  unit?: string;
}): string {
  const rows = input.categories.length;
  const height = Math.max(200, 60 + rows * (input.series.length > 1 ? 34 : 26) + 40);
  const colors = input.series.length > 1 ? ["#767676", PALETTE[0]] : [PALETTE[0]];
  // ticks in 亿元 once the largest bar passes 10 亿元 (100,000 万元)
  const max = Math.max(0, ...input.series.flatMap((s) => s.values));
  const yi = input.unit === undefined && max >= 100_000;
  return render(
    {
      color: colors,
      legend: {
        show: input.series.length > 1,
        top: 0,
        textStyle: { color: INK, fontSize: 13 },
        itemWidth: 18,
        itemHeight: 12,
      },
      grid: { left: 8, right: 24, top: 34, bottom: 8 },
      xAxis: {
        type: "value",
        name: input.unit ?? (yi ? "亿元" : "万元"),
        nameTextStyle: { color: MUTED },
        axisLabel: {
          color: MUTED,
          formatter: (v: number) => String(yi ? Number((v / 10000).toFixed(1)) : v),
        },
        splitLine: { lineStyle: { color: "#e0e0e0" } },
      },
      yAxis: {
        type: "category",
        inverse: true,
        data: input.categories,
        axisLabel: { color: INK, fontSize: 13 },
        axisTick: { show: false },
      },
      series: input.series.map((s) => ({ type: "bar", name: s.name, data: s.values, barMaxWidth: 14 })),
    },
    720,
    height,
    input.label,
  );
}

/** A ring of shares, e.g. where income comes from. */
export function pieChartSvg(input: { label: string; items: { name: string; value: number }[] }): string {
  return render(
    {
      series: [
        {
          type: "pie",
          radius: ["38%", "66%"],
          center: ["50%", "52%"],
          data: input.items.filter((i) => i.value > 0),
          label: { color: INK, fontSize: 13, formatter: "{b}\n{d}%" },
          labelLine: { length: 12, length2: 10, lineStyle: { color: MUTED } },
          itemStyle: { borderColor: "#fff", borderWidth: 2 },
        },
      ],
    },
    720,
    380,
    input.label,
  );
}

/**
 * 钱从哪里来、到哪里去: sources on the left flow into one pool, which flows out to the uses on the
 * right. Inflows and outflows of the pool should balance; names are made unique across the sides.
 */
export function sankeySvg(input: {
  label: string;
  pool: string;
  sources: { name: string; value: number }[];
  uses: { name: string; value: number }[];
}): string {
  const taken = new Set([input.pool]);
  const unique = (name: string, side: string) => {
    let n = name;
    if (taken.has(n)) n = `${name}（${side}）`;
    while (taken.has(n)) n = `${n}′`;
    taken.add(n);
    return n;
  };
  const sources = input.sources
    .filter((s) => s.value > 0)
    .map((s) => ({ ...s, node: unique(s.name, "来源") }));
  const uses = input.uses.filter((u) => u.value > 0).map((u) => ({ ...u, node: unique(u.name, "去向") }));
  const rows = Math.max(sources.length, uses.length);
  const height = Math.max(320, rows * 30 + 40);
  return render(
    {
      series: [
        {
          type: "sankey",
          left: 150,
          right: 170,
          top: 28,
          bottom: 16,
          nodeWidth: 14,
          nodeGap: 10,
          layoutIterations: 0,
          draggable: false,
          label: { color: INK, fontSize: 13 },
          lineStyle: { color: "gradient", opacity: 0.35, curveness: 0.5 },
          data: [
            ...sources.map((s) => ({ name: s.node, label: { position: "left" } })),
            { name: input.pool, itemStyle: { color: INK }, label: { position: "top", fontWeight: "bold" } },
            ...uses.map((u) => ({ name: u.node })),
          ],
          links: [
            ...sources.map((s) => ({ source: s.node, target: input.pool, value: s.value })),
            ...uses.map((u) => ({ source: input.pool, target: u.node, value: u.value })),
          ],
        },
      ],
    },
    720,
    height,
    input.label,
  );
}

import type { VNode } from "preact";
import { render } from "preact-render-to-string";

/** Renders a page to a complete HTML document. Text is escaped by preact; raw HTML only via sanitized fields. */
export function page(node: VNode): string {
  return `<!doctype html>${render(node)}`;
}

// Intl is costly to construct; build the China-time formatters once. sv-SE prints ISO-like dates.
const DATE = new Intl.DateTimeFormat("sv-SE", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const DATE_TIME = new Intl.DateTimeFormat("sv-SE", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

function format(formatter: Intl.DateTimeFormat, date: Date | string | null | undefined): string {
  if (!date) return "";
  return formatter.format(typeof date === "string" ? new Date(date) : date);
}

/** YYYY-MM-DD in China time. */
export function formatDate(date: Date | string | null | undefined): string {
  return format(DATE, date);
}

/** YYYY-MM-DD HH:MM in China time, the PubDate format of the national page specification. */
export function formatDateTime(date: Date | string | null | undefined): string {
  return format(DATE_TIME, date);
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Wraps each table of sanitized rich text in a focusable region that scrolls sideways, so wide
 * tables (annual reports, fee schedules) never make a phone screen scroll.
 */
export function scrollableTables(html: string): string {
  return html
    .replace(
      /<table\b/g,
      '<div class="table-scroll" role="region" tabindex="0" aria-label="表格（可左右滑动）"><table',
    )
    .replace(/<\/table>/g, "</table></div>");
}

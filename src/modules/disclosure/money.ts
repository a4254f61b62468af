/**
 * Amounts in 万元 with two decimals, carried as integer hundredths ("cents" of 万元) so that totals
 * are exact sums of their lines.
 */

/** numeric(14,2) text from PostgreSQL (or a number) to hundredths. */
export function toCents(value: string | number): number {
  return Math.round(Number(value) * 100);
}

/** Hundredths to the numeric text PostgreSQL stores. */
export function centsToNumeric(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Hundredths to a JSON number of 万元. */
export function centsToNumber(cents: number): number {
  return Number(centsToNumeric(cents));
}

const AMOUNT = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** "1,234,567.89" */
export function formatAmount(cents: number): string {
  return AMOUNT.format(cents / 100);
}

/** Signed change for tables: "+1,234.00", "-56.70", "0.00". */
export function formatChange(cents: number): string {
  return cents > 0 ? `+${formatAmount(cents)}` : formatAmount(cents);
}

/** Percentage change, one decimal, or null when there is no base to compare with. */
export function changeRate(current: number, previous: number | null): number | null {
  if (previous === null || previous === 0) return null;
  return Math.round(((current - previous) / previous) * 1000) / 10;
}

/** "+12.3%", "-4.5%", "0.0%", or "—". */
export function formatRate(rate: number | null): string {
  if (rate === null) return "—";
  const text = `${rate.toFixed(1)}%`;
  return rate > 0 ? `+${text}` : text;
}

/** A share of a whole as "12.3%". */
export function formatShare(part: number, whole: number): string {
  if (whole === 0) return "—";
  return `${((part / whole) * 100).toFixed(1)}%`;
}

/**
 * Parses what a person typed as an amount in 万元: ASCII or full-width digits, optional thousands
 * separators, at most two decimals. Returns hundredths, or null when it is not such an amount.
 */
export function parseAmount(text: string): number | null {
  const normal = text
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/．/g, ".")
    .replace(/[,，\s]/g, "");
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(normal);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}

/**
 * 信息处理费 under 《政府信息公开信息处理费管理办法》(国办函〔2020〕109号): free by default; when
 * charged, one of two progressive (超额累进) methods, never both.
 */
export type FeeMethod = "per_request" | "per_page";

/**
 * 按件: the same applicant's requests in one calendar month — the first 10 free, the 11th–30th
 * 100 元 each, then each further band of 10 costs 100 元 more per request.
 */
export function perRequestFee(nthThisMonth: number): number {
  if (nthThisMonth <= 10) return 0;
  if (nthThisMonth <= 30) return 100;
  return 100 + Math.ceil((nthThisMonth - 30) / 10) * 100;
}

/** 按量: up to 30 pages free; pages 31–100 at 10 元, 101–200 at 20 元, from 201 at 40 元. */
export function perPageFee(pages: number): number {
  const band = (from: number, to: number) => Math.max(0, Math.min(pages, to) - from + 1);
  return band(31, 100) * 10 + band(101, 200) * 20 + band(201, Number.POSITIVE_INFINITY) * 40;
}

export const FEE_METHOD_LABELS: Record<FeeMethod, string> = {
  per_request: "按件计收",
  per_page: "按量计收",
};

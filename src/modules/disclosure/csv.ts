import type { FastifyReply } from "fastify";

/** A CSV cell: text is quoted when needed and guarded against spreadsheet formulas; numbers as is. */
function cell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  // a leading =, +, -, @ or tab would make Excel evaluate the cell (CSV injection)
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV as Excel on a Chinese-locale desktop opens it correctly: UTF-8 with a byte-order mark, CRLF
 * line ends, a header row.
 */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n")}\r\n`;
}

/** Open data may be held by any cache for a while; what a signed-in user downloads is theirs alone. */
function isPrivate(reply: FastifyReply): boolean {
  return Boolean(reply.request.actor);
}

export function sendCsv(reply: FastifyReply, filename: string, csv: string): FastifyReply {
  return reply
    .type("text/csv; charset=utf-8")
    .header("Content-Disposition", `attachment; filename="${filename}"`)
    .header("Cache-Control", isPrivate(reply) ? "private, no-store" : "public, max-age=300")
    .send(csv);
}

export function sendJson(reply: FastifyReply, data: unknown): FastifyReply {
  if (isPrivate(reply)) reply.header("Cache-Control", "private, no-store");
  else reply.header("Cache-Control", "public, max-age=300").header("Access-Control-Allow-Origin", "*");
  return reply.type("application/json; charset=utf-8").send(JSON.stringify(data, null, 2));
}

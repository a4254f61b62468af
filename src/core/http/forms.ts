import type { FastifyReply, FastifyRequest } from "fastify";
import type { VNode } from "preact";
import { page } from "../../web/html.ts";
import { UserError } from "../errors.ts";

type Raw = unknown;

/** A form body as plain strings, whether it came urlencoded or multipart. */
export interface Form {
  text(name: string): string;
  all(name: string): string[];
  int(name: string): number | null;
  has(name: string): boolean;
  files(name: string): { filename: string; data: Buffer }[];
}

function unwrap(value: Raw): Raw {
  // multipart fields arrive as { type: "field", value }; files as { type: "file", ... }
  if (value && typeof value === "object" && "type" in value && (value as { type: string }).type === "field") {
    return (value as unknown as { value: Raw }).value;
  }
  return value;
}

export function readForm(request: FastifyRequest): Form {
  const body = (request.body ?? {}) as Record<string, Raw>;
  const list = (name: string): Raw[] => {
    const v = body[name];
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).map(unwrap);
  };
  return {
    text: (name) => {
      const v = list(name)[0];
      return typeof v === "string" ? v.replace(/\r\n/g, "\n") : "";
    },
    all: (name) => list(name).filter((v): v is string => typeof v === "string"),
    int: (name) => {
      const v = list(name)[0];
      if (typeof v !== "string" || !/^-?\d{1,9}$/.test(v.trim())) return null;
      return Number(v.trim());
    },
    has: (name) => list(name).length > 0,
    files: (name) =>
      list(name).flatMap((v) => {
        const f = v as { type?: string; filename?: string; data?: Buffer };
        return f?.type === "file" && f.filename && f.data && f.data.length > 0
          ? [{ filename: f.filename, data: f.data }]
          : [];
      }),
  };
}

export function sendPage(reply: FastifyReply, node: VNode, status = 200): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").send(page(node));
}

/** Query-string integer with bounds, defaulting when absent or malformed. */
export function queryInt(value: unknown, fallback: number, min = 1, max = 1_000_000): number {
  const n = typeof value === "string" && /^\d{1,9}$/.test(value) ? Number(value) : fallback;
  return Math.min(Math.max(n, min), max);
}

/** What a re-rendered form needs: the values typed, a summary and per-field messages. */
export interface FormState {
  values: Record<string, string>;
  error?: string | undefined;
  fields?: Record<string, string> | undefined;
}

/**
 * Turns a form problem into state for showing the form again with the user's input. Refusals (403,
 * 404) and unexpected errors are rethrown for the error page.
 */
export function formProblem(error: unknown, values: Record<string, string>): FormState {
  if (!(error instanceof UserError) || error.statusCode === 403 || error.statusCode === 404) throw error;
  return { values, error: error.message, fields: error.fields };
}

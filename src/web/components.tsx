import type { ComponentChildren } from "preact";

export interface Crumb {
  label: string;
  href?: string;
}

export function Breadcrumbs({ items }: { items: Crumb[] }) {
  return (
    <nav class="breadcrumbs" aria-label="当前位置">
      <span class="breadcrumbs-label">当前位置：</span>
      <ol>
        {items.map((item, i) =>
          item.href && i < items.length - 1 ? (
            <li key={item.label}>
              <a href={item.href}>{item.label}</a>
            </li>
          ) : (
            <li key={item.label} aria-current="page">
              {item.label}
            </li>
          ),
        )}
      </ol>
    </nav>
  );
}

/** Page links built by `href(n)`; renders nothing for a single page. */
export function Pagination({
  page,
  pages,
  href,
}: {
  page: number;
  pages: number;
  href: (n: number) => string;
}) {
  if (pages <= 1) return null;
  const shown = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])]
    .filter((n) => n >= 1 && n <= pages)
    .sort((a, b) => a - b);
  return (
    <nav class="pagination" aria-label="分页">
      <ul>
        {page > 1 && (
          <li>
            <a href={href(page - 1)} rel="prev">
              上一页
            </a>
          </li>
        )}
        {shown.map((n) => (
          <li key={n}>
            {n === page ? (
              <span aria-current="page">第 {n} 页</span>
            ) : (
              <a href={href(n)} aria-label={`第 ${n} 页`}>
                {n}
              </a>
            )}
          </li>
        ))}
        {page < pages && (
          <li>
            <a href={href(page + 1)} rel="next">
              下一页
            </a>
          </li>
        )}
      </ul>
      <p class="pagination-summary">共 {pages} 页</p>
    </nav>
  );
}

/** The GOV.UK-style summary of form problems, linking to each field. */
export function ErrorSummary({
  message,
  fields,
}: {
  message?: string | undefined;
  fields?: Record<string, string> | undefined;
}) {
  if (!message) return null;
  const entries = Object.entries(fields ?? {});
  return (
    <div class="error-summary" role="alert" tabIndex={-1}>
      <h2>{message}</h2>
      {entries.length > 0 && (
        <ul>
          {entries.map(([field, text]) => (
            <li key={field}>
              <a href={`#f-${field.replace(/\./g, "-")}`}>{text}</a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export interface FieldProps {
  name: string;
  label: string;
  value?: string | number | null | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  type?: string;
  required?: boolean;
  autocomplete?: string;
  multiline?: number;
  multiple?: boolean;
  /** Enhances a multiline field with the rich-text island when JavaScript is on. */
  richText?: boolean;
  options?: readonly (string | { value: string; label: string })[] | undefined;
  children?: ComponentChildren;
}

/** A labelled input with hint and error, wired for screen readers. */
export function Field(props: FieldProps) {
  const id = `f-${props.name.replace(/\./g, "-")}`;
  const describedBy =
    [props.hint ? `${id}-hint` : "", props.error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    name: props.name,
    required: props.required,
    "aria-describedby": describedBy,
    "aria-invalid": props.error ? ("true" as const) : undefined,
  };
  const value = props.value === null || props.value === undefined ? "" : String(props.value);
  return (
    <div class={`field${props.error ? " field-error" : ""}`}>
      <label for={id}>
        {props.label}
        {props.required && <span class="required">（必填）</span>}
      </label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="error-message" id={`${id}-error`}>
          <span class="visually-hidden">错误：</span>
          {props.error}
        </p>
      )}
      {props.options ? (
        <select {...common}>
          <option value="">请选择</option>
          {props.options.map((o) => {
            const opt = typeof o === "string" ? { value: o, label: o } : o;
            return (
              <option key={opt.value} value={opt.value} selected={opt.value === value}>
                {opt.label}
              </option>
            );
          })}
        </select>
      ) : props.multiline ? (
        <textarea {...common} rows={props.multiline} data-rich-text={props.richText ? "" : undefined}>
          {value}
        </textarea>
      ) : (
        <input
          {...common}
          type={(props.type ?? "text") as "text"}
          value={props.type === "file" ? undefined : value}
          autocomplete={props.autocomplete}
          multiple={props.multiple}
        />
      )}
      {props.children}
    </div>
  );
}

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** The box a citizen sees once a submission is stored: what was received and the codes to follow it. */
export function Confirmation(props: {
  heading: string;
  codes: [label: string, value: string][];
  lead?: string;
}) {
  return (
    <div class="confirmation" role="status">
      <h1>{props.heading}</h1>
      {props.lead && <p>{props.lead}</p>}
      {props.codes.map(([label, value]) => (
        <p key={label}>
          {label}：<strong class="code">{value}</strong>
        </p>
      ))}
    </div>
  );
}

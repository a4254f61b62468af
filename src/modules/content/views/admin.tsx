import type { FormState } from "../../../core/http/forms.ts";
import type { Reminder } from "../../../core/reminders.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field, Pagination } from "../../../web/components.tsx";
import { formatDateTime, formatSize } from "../../../web/html.ts";
import { FLAG_TRUE, METADATA_FIELDS } from "../metadata.ts";
import {
  DOCUMENT_TYPE_LABELS,
  DOCUMENT_TYPES,
  type DocumentType,
  VERSION_STATUS_LABELS,
  type VersionStatus,
} from "../schema.ts";
import type { DiffPart } from "../service.ts";

export interface ColumnChoice {
  id: number;
  label: string;
}

interface ListRow {
  id: number;
  type: DocumentType;
  title: string;
  status: VersionStatus;
  review_level: number | null;
  review_steps: string[];
  live_version_id: number | null;
  withdrawn_at: Date | null;
  saved_at: Date;
  column_name: string;
  site_name: string;
}

function statusText(r: Pick<ListRow, "status" | "review_level" | "review_steps">): string {
  if (r.status === "in_review")
    return `审核中：${r.review_steps[(r.review_level ?? 1) - 1] ?? `第 ${r.review_level} 级`}`;
  return VERSION_STATUS_LABELS[r.status];
}

function publicState(r: Pick<ListRow, "live_version_id" | "withdrawn_at">): string {
  if (r.withdrawn_at) return "已撤稿";
  return r.live_version_id ? "已发布" : "未发布";
}

export function DocumentTable({ rows }: { rows: ListRow[] }) {
  if (rows.length === 0) return <p class="empty">暂无文档。</p>;
  return (
    <table class="data">
      <caption class="visually-hidden">文档列表</caption>
      <thead>
        <tr>
          <th scope="col">标题</th>
          <th scope="col">站点 / 栏目</th>
          <th scope="col">最新版本</th>
          <th scope="col">公开状态</th>
          <th scope="col">保存时间</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>
            <td>
              <a href={`/admin/documents/${r.id}`}>{r.title}</a>{" "}
              <span class="tag">{DOCUMENT_TYPE_LABELS[r.type]}</span>
            </td>
            <td>
              {r.site_name} / {r.column_name}
            </td>
            <td>{statusText(r)}</td>
            <td>{publicState(r)}</td>
            <td>{formatDateTime(r.saved_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const REMINDER_LABELS: Record<Reminder["level"], string> = {
  overdue: "已逾期",
  warning: "即将到期",
  notice: "提醒",
};

export function DashboardPage({
  frame,
  reminders,
  drafts,
  awaiting,
}: {
  frame: AdminFrame;
  reminders: Reminder[];
  drafts: ListRow[];
  awaiting: ListRow[];
}) {
  return (
    <AdminLayout frame={frame} title="工作台" section="home">
      <p>欢迎，{frame.actor.name}。</p>
      {reminders.length > 0 && (
        <section class="reminders" aria-labelledby="reminders-title">
          <h2 id="reminders-title">待办提醒（{reminders.length}）</h2>
          <ul>
            {reminders.map((r) => (
              <li key={r.href} class={`reminder reminder-${r.level}`}>
                <strong>{REMINDER_LABELS[r.level]}</strong> <a href={r.href}>{r.text}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
      <h2>待我审核（{awaiting.length}）</h2>
      <DocumentTable rows={awaiting} />
      <h2>最近编辑</h2>
      <DocumentTable rows={drafts} />
      <p>
        <a class="button" href="/admin/documents/new">
          撰写新信息
        </a>
      </p>
    </AdminLayout>
  );
}

export function DocumentsPage(props: {
  frame: AdminFrame;
  title: string;
  section: string;
  action: string;
  filter: { site: string; q: string };
  sites: { id: number; name: string }[];
  rows: ListRow[];
  total: number;
  page: number;
  pages: number;
  href: (n: number) => string;
}) {
  return (
    <AdminLayout frame={props.frame} title={props.title} section={props.section}>
      {props.section === "documents" && (
        <p class="button-row">
          <a class="button" href="/admin/documents/new">
            撰写新信息
          </a>
          <a class="button" href="/admin/placements">
            引用其他站点的信息
          </a>
        </p>
      )}
      <form method="get" action={props.action} class="filter-form" aria-label="筛选">
        <Field
          name="site"
          label="站点"
          value={props.filter.site}
          options={props.sites.map((s) => ({ value: String(s.id), label: s.name }))}
        />
        <Field name="q" label="标题包含" value={props.filter.q} type="search" />
        <button type="submit">筛选</button>
      </form>
      <p class="count">共 {props.total} 条</p>
      <DocumentTable rows={props.rows} />
      <Pagination page={props.page} pages={props.pages} href={props.href} />
    </AdminLayout>
  );
}

/** Choices for the metadata fields that name another document, by field key. */
export type LinkChoices = Record<string, { value: string; label: string }[]>;

function FlagField({
  name,
  label,
  hint,
  checked,
}: {
  name: string;
  label: string;
  hint?: string;
  checked: boolean;
}) {
  const id = `f-${name.replace(/\./g, "-")}`;
  return (
    <div class="field">
      <div class="checkbox">
        <input
          type="checkbox"
          id={id}
          name={name}
          value="true"
          checked={checked}
          aria-describedby={hint ? `${id}-hint` : undefined}
        />
        <label for={id}>{label}</label>
      </div>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

function MetadataFields({
  type,
  state,
  choices = {},
}: {
  type: DocumentType;
  state: FormState;
  choices?: LinkChoices | undefined;
}) {
  const fields = METADATA_FIELDS[type];
  if (fields.length === 0) return null;
  return (
    <fieldset>
      <legend>{DOCUMENT_TYPE_LABELS[type]}元数据</legend>
      {fields.map((f) => {
        const name = `meta.${f.key}`;
        const value = state.values[name];
        if (f.kind === "flag")
          return (
            <FlagField key={f.key} name={name} label={f.label} hint={f.hint} checked={value === FLAG_TRUE} />
          );
        return (
          <Field
            key={f.key}
            name={name}
            label={f.label}
            value={value}
            error={state.fields?.[name]}
            hint={f.hint}
            required={f.required}
            type={f.kind === "url" ? "url" : undefined}
            multiline={f.kind === "longtext" ? 4 : undefined}
            options={f.kind === "link" ? (choices[f.key] ?? []) : f.options}
          />
        );
      })}
    </fieldset>
  );
}

function ContentFields({ state }: { state: FormState }) {
  const f = state.fields ?? {};
  return (
    <>
      <Field name="title" label="标题" value={state.values.title} error={f.title} required />
      <Field
        name="summary"
        label="摘要"
        value={state.values.summary}
        error={f.summary}
        multiline={3}
        hint="选填，不超过 500 字；用于列表和搜索结果"
      />
      <Field
        name="bodyHtml"
        label="正文"
        value={state.values.bodyHtml}
        error={f.bodyHtml}
        multiline={16}
        richText
        hint="支持段落、标题、列表、表格、链接和图片等格式（HTML）；保存时会自动清除脚本等不安全内容"
      />
      <Field
        name="files"
        label="上传附件"
        type="file"
        multiple
        error={f.files}
        hint="可多选；支持 PDF、Word、Excel、OFD、图片等，单个文件不超过 20 MB"
      />
    </>
  );
}

export function NewDocumentPage(props: {
  frame: AdminFrame;
  state: FormState;
  columns: ColumnChoice[];
  type: DocumentType;
  choices?: LinkChoices;
}) {
  const { frame, state } = props;
  const f = state.fields ?? {};
  return (
    <AdminLayout frame={frame} title="撰写新信息" section="documents">
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="get" action="/admin/documents/new" class="inline-form type-switch">
        <Field
          name="type"
          label="文档类型"
          value={props.type}
          options={DOCUMENT_TYPES.map((t) => ({ value: t, label: DOCUMENT_TYPE_LABELS[t] }))}
        />
        <input type="hidden" name="column" value={state.values.columnId ?? ""} />
        <button type="submit" class="secondary">
          切换类型
        </button>
      </form>
      <form method="post" action="/admin/documents/new" enctype="multipart/form-data">
        <CsrfField token={frame.csrf} />
        <input type="hidden" name="type" value={props.type} />
        <Field
          name="columnId"
          label="所属栏目"
          value={state.values.columnId}
          error={f.columnId}
          required
          options={props.columns.map((c) => ({ value: String(c.id), label: c.label }))}
        />
        <ContentFields state={state} />
        <MetadataFields type={props.type} state={state} choices={props.choices} />
        <button type="submit">保存草稿</button>
      </form>
    </AdminLayout>
  );
}

export interface EditorData {
  doc: {
    id: number;
    type: DocumentType;
    live_version_id: number | null;
    withdrawn_at: Date | null;
    withdrawn_reason: string | null;
    first_published_at: Date | null;
    index_no: string | null;
  };
  column: { name: string; review_steps: string[] };
  versions: {
    id: number;
    number: number;
    title: string;
    status: VersionStatus;
    review_level: number | null;
    publish_at: Date | null;
    created_at: Date;
    author_name: string | null;
    attachment_ids: number[];
  }[];
  attachments: { id: number; filename: string; size: number }[];
  placements: { column_id: number; is_primary: boolean; column_name: string; site_name: string }[];
  decisions: {
    id: number;
    level: number;
    step_name: string;
    decision: string;
    comment: string;
    reviewer_name: string;
    created_at: Date;
    version_id: number;
  }[];
  actions: string[];
  mayEdit: boolean;
  mayPublish: boolean;
}

/** What the catalogue says about publishing this document (规范性文件 without an interpretation). */
export interface PublishingNotice {
  gate: "warn" | "block";
  missingInterpretation: boolean;
  warning: string;
  refusal: string;
  /** Where to write the missing interpretation, prefilled with this policy. */
  writeHref: string;
}

export function DocumentEditorPage(props: {
  frame: AdminFrame;
  data: EditorData;
  state: FormState;
  placeChoices: ColumnChoice[];
  publicHref: string | null;
  choices?: LinkChoices;
  notice?: PublishingNotice | undefined;
}) {
  const { frame, data, state } = props;
  const latest = data.versions[0];
  const f = state.fields ?? {};
  const chain = data.column.review_steps;
  return (
    <AdminLayout frame={frame} title={latest?.title ?? "文档"} section="documents">
      <ErrorSummary message={state.error} fields={state.fields} />
      <dl class="summary-list">
        <dt>类型</dt>
        <dd>{DOCUMENT_TYPE_LABELS[data.doc.type]}</dd>
        {(data.doc.type === "policy" || data.doc.type === "interpretation") && (
          <>
            <dt>索引号</dt>
            <dd>{data.doc.index_no ?? "首次发布时自动生成"}</dd>
          </>
        )}
        <dt>主栏目</dt>
        <dd>{data.column.name}</dd>
        <dt>审核流程</dt>
        <dd>{chain.length ? chain.join(" → ") : "无需审核（提交即发布）"}</dd>
        <dt>最新版本</dt>
        <dd>
          第 {latest?.number} 版 · {latest ? VERSION_STATUS_LABELS[latest.status] : ""}
          {latest?.status === "in_review" && `（${chain[(latest.review_level ?? 1) - 1] ?? ""}）`}
        </dd>
        <dt>公开状态</dt>
        <dd>
          {data.doc.withdrawn_at
            ? `已撤稿（${formatDateTime(data.doc.withdrawn_at)}，原因：${data.doc.withdrawn_reason ?? ""}）`
            : data.doc.live_version_id
              ? `已发布第 ${data.versions.find((v) => v.id === data.doc.live_version_id)?.number ?? ""} 版`
              : "未发布"}
          {props.publicHref && (
            <>
              {" "}
              <a href={props.publicHref}>查看公开页面</a>
            </>
          )}
        </dd>
      </dl>

      {props.notice?.missingInterpretation && (
        <div class={`notice-banner${props.notice.gate === "block" ? " notice-refusal" : ""}`} role="note">
          <p>
            {props.notice.gate === "block" && !data.doc.first_published_at
              ? props.notice.refusal
              : props.notice.warning}
          </p>
          {data.mayEdit && (
            <p>
              <a href={props.notice.writeHref}>为本文件撰写政策解读</a>
            </p>
          )}
        </div>
      )}

      {data.actions.includes("approve") && latest && (
        <section class="panel" aria-labelledby="review-title">
          <h2 id="review-title">审核：{chain[(latest.review_level ?? 1) - 1]}</h2>
          {latest.publish_at && <p>申请定时发布：{formatDateTime(latest.publish_at)}</p>}
          <form method="post" action={`/admin/versions/${latest.id}/decide`}>
            <CsrfField token={frame.csrf} />
            <Field
              name="comment"
              label="审核意见"
              multiline={3}
              error={f.comment}
              hint="退回时必填"
              value={state.values.comment}
            />
            <div class="button-row">
              <button type="submit" name="decision" value="approve">
                审核通过
              </button>
              <button type="submit" name="decision" value="reject" class="warning">
                退回修改
              </button>
            </div>
          </form>
        </section>
      )}

      {data.actions.includes("submit") && (
        <section class="panel" aria-labelledby="submit-title">
          <h2 id="submit-title">提交审核</h2>
          <form method="post" action={`/admin/documents/${data.doc.id}/submit`}>
            <CsrfField token={frame.csrf} />
            <Field
              name="publishAt"
              label="定时发布（选填）"
              type="datetime-local"
              error={f.publishAt}
              hint="留空则审核通过后立即发布；按北京时间填写"
              value={state.values.publishAt}
            />
            <button type="submit">{chain.length ? "提交审核" : "发布"}</button>
          </form>
        </section>
      )}

      {data.mayEdit && (
        <section aria-labelledby="edit-title">
          <h2 id="edit-title">编辑</h2>
          <p class="hint">保存会生成新版本；已发布的版本在新版本审核通过前保持公开。</p>
          <form method="post" action={`/admin/documents/${data.doc.id}`} enctype="multipart/form-data">
            <CsrfField token={frame.csrf} />
            <ContentFields state={state} />
            {data.attachments.length > 0 && (
              <fieldset>
                <legend>保留的附件</legend>
                {data.attachments.map((a) => (
                  <div class="checkbox" key={a.id}>
                    <input
                      type="checkbox"
                      id={`att-${a.id}`}
                      name="keepAttachment"
                      value={String(a.id)}
                      checked={latest?.attachment_ids.includes(a.id)}
                    />
                    <label for={`att-${a.id}`}>
                      {a.filename}（{formatSize(a.size)}）
                    </label>
                  </div>
                ))}
              </fieldset>
            )}
            <MetadataFields type={data.doc.type} state={state} choices={props.choices} />
            <button type="submit">保存为新版本</button>
          </form>
        </section>
      )}

      {data.mayPublish &&
        (data.doc.live_version_id || data.versions.some((v) => v.status === "approved")) && (
          <section class="panel" aria-labelledby="withdraw-title">
            <h2 id="withdraw-title">撤稿</h2>
            <form method="post" action={`/admin/documents/${data.doc.id}/withdraw`}>
              <CsrfField token={frame.csrf} />
              <Field name="reason" label="撤稿原因" required error={f.reason} value={state.values.reason} />
              <button type="submit" class="warning">
                撤稿
              </button>
            </form>
          </section>
        )}

      <section aria-labelledby="place-title">
        <h2 id="place-title">发布位置</h2>
        <p class="hint">信息只存一份；引用到其他栏目或其他站点时显示的是同一篇文档。</p>
        <ul>
          {data.placements.map((p) => (
            <li key={p.column_id}>
              {p.site_name} / {p.column_name} {p.is_primary ? "（主栏目）" : "（引用）"}
              {!p.is_primary && (
                <form
                  method="post"
                  action={`/admin/documents/${data.doc.id}/placements/${p.column_id}/delete`}
                  class="inline-form"
                >
                  <CsrfField token={frame.csrf} />
                  <button type="submit" class="link-button">
                    移除引用<span class="visually-hidden">：{p.column_name}</span>
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
        {props.placeChoices.length > 0 && (
          <form method="post" action={`/admin/documents/${data.doc.id}/placements`} class="inline-form">
            <CsrfField token={frame.csrf} />
            <Field
              name="columnId"
              label="引用到栏目"
              error={f.columnId}
              options={props.placeChoices.map((c) => ({ value: String(c.id), label: c.label }))}
            />
            <button type="submit">引用</button>
          </form>
        )}
      </section>

      <section aria-labelledby="history-title">
        <h2 id="history-title">版本历史</h2>
        <table class="data">
          <caption class="visually-hidden">版本历史</caption>
          <thead>
            <tr>
              <th scope="col">版本</th>
              <th scope="col">标题</th>
              <th scope="col">状态</th>
              <th scope="col">作者</th>
              <th scope="col">保存时间</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {data.versions.map((v, i) => {
              const previous = data.versions[i + 1];
              return (
                <tr key={v.id}>
                  <td>第 {v.number} 版</td>
                  <td>{v.title}</td>
                  <td>
                    {v.id === data.doc.live_version_id ? "公开中" : VERSION_STATUS_LABELS[v.status]}
                    {v.status === "approved" &&
                      v.publish_at &&
                      v.id !== data.doc.live_version_id &&
                      `（定时 ${formatDateTime(v.publish_at)}）`}
                  </td>
                  <td>{v.author_name ?? "—"}</td>
                  <td>{formatDateTime(v.created_at)}</td>
                  <td>
                    {previous && (
                      <a href={`/admin/documents/${data.doc.id}/diff?from=${previous.id}&to=${v.id}`}>
                        与上一版对比<span class="visually-hidden">（第 {v.number} 版）</span>
                      </a>
                    )}
                    {data.mayEdit && i > 0 && (
                      <form
                        method="post"
                        action={`/admin/documents/${data.doc.id}/restore/${v.id}`}
                        class="inline-form"
                      >
                        <CsrfField token={frame.csrf} />
                        <button type="submit" class="link-button">
                          恢复此版本<span class="visually-hidden">（第 {v.number} 版）</span>
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {data.decisions.length > 0 && (
          <>
            <h3>审核记录</h3>
            <ul class="decisions">
              {data.decisions.map((d) => (
                <li key={d.id}>
                  {formatDateTime(d.created_at)} {d.reviewer_name}（{d.step_name}）：
                  {d.decision === "approve" ? "通过" : "退回"}
                  {d.comment && `，意见：${d.comment}`}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </AdminLayout>
  );
}

export function DiffPage(props: {
  frame: AdminFrame;
  documentId: number;
  fromNumber: number;
  toNumber: number;
  parts: DiffPart[];
}) {
  return (
    <AdminLayout
      frame={props.frame}
      title={`第 ${props.fromNumber} 版与第 ${props.toNumber} 版对比`}
      section="documents"
    >
      <p>
        <ins>新增内容</ins> · <del>删除内容</del>
      </p>
      <div class="diff">
        {props.parts.map((p, i) =>
          p.added ? (
            <ins key={i}>{p.value}</ins>
          ) : p.removed ? (
            <del key={i}>{p.value}</del>
          ) : (
            <span key={i}>{p.value}</span>
          ),
        )}
      </div>
      <p>
        <a href={`/admin/documents/${props.documentId}`}>返回文档</a>
      </p>
    </AdminLayout>
  );
}

/** 引用信息: find a published document anywhere in the cluster and place it into one of my columns. */
export function PlacementSearchPage(props: {
  frame: AdminFrame;
  columns: ColumnChoice[];
  columnId: string;
  term: string;
  results: { id: number; title: string; site_name: string; first_published_at: Date | null }[];
}) {
  const { frame } = props;
  return (
    <AdminLayout frame={frame} title="引用其他站点的信息" section="documents">
      <p class="hint">信息只存一份：引用后，所选栏目显示的是原文档，原站点修改或撤稿时同步生效。</p>
      <form method="get" action="/admin/placements" class="narrow-form">
        <Field
          name="column"
          label="引用到栏目"
          value={props.columnId}
          required
          options={props.columns.map((c) => ({ value: String(c.id), label: c.label }))}
        />
        <Field name="q" label="标题关键词" value={props.term} type="search" />
        <button type="submit">查找</button>
      </form>
      {props.term && (
        <section aria-labelledby="results-title">
          <h2 id="results-title">查找结果（{props.results.length}）</h2>
          {props.results.length === 0 ? (
            <p class="empty">没有找到标题包含“{props.term}”的已发布信息。</p>
          ) : (
            <table class="data">
              <caption class="visually-hidden">可引用的信息</caption>
              <thead>
                <tr>
                  <th scope="col">标题</th>
                  <th scope="col">来源站点</th>
                  <th scope="col">发布时间</th>
                  <th scope="col">操作</th>
                </tr>
              </thead>
              <tbody>
                {props.results.map((r) => (
                  <tr key={r.id}>
                    <td>{r.title}</td>
                    <td>{r.site_name}</td>
                    <td>{formatDateTime(r.first_published_at)}</td>
                    <td>
                      <form method="post" action="/admin/placements" class="inline-form">
                        <CsrfField token={frame.csrf} />
                        <input type="hidden" name="documentId" value={String(r.id)} />
                        <input type="hidden" name="columnId" value={props.columnId} />
                        <button type="submit" class="link-button">
                          引用<span class="visually-hidden">：{r.title}</span>
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </AdminLayout>
  );
}

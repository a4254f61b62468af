import type { Crumb } from "../../../web/components.tsx";
import { formatDate, formatDateTime, formatSize } from "../../../web/html.ts";
import { type PageMeta, PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import { METADATA_FIELDS } from "../metadata.ts";
import type { DocumentType } from "../schema.ts";

export interface ArticleView {
  id: number;
  type: DocumentType;
  title: string;
  summary: string;
  body_html: string;
  metadata: Record<string, string>;
  first_published_at: Date | null;
  owner_name: string;
  department_name: string | null;
  attachments: { id: number; filename: string; mime: string; size: number }[];
}

export function ArticlePage(props: {
  frame: SiteFrame;
  doc: ArticleView;
  crumbs: Crumb[];
  topId: number | undefined;
  canonical?: string | undefined;
  /** A single-page column shown as its document also carries the column tags. */
  column?: PageMeta["column"];
}) {
  const { doc, frame } = props;
  const source = doc.metadata.source || doc.metadata.issuer || doc.department_name || doc.owner_name;
  const facts = METADATA_FIELDS[doc.type].filter((f) => doc.metadata[f.key]);
  return (
    <PublicLayout
      frame={frame}
      title={doc.title}
      crumbs={props.crumbs}
      activeColumnId={props.topId}
      canonical={props.canonical}
      meta={{
        column: props.column,
        article: {
          title: doc.title,
          pubDate: formatDateTime(doc.first_published_at),
          source,
          description: doc.summary || undefined,
          author: doc.metadata.author,
        },
      }}
    >
      <article class="article">
        {facts.length > 0 && doc.type === "policy" && (
          <table class="facts metadata">
            <caption>文件信息</caption>
            <tbody>
              {facts.map((f) => (
                <tr key={f.key}>
                  <th scope="row">{f.label}</th>
                  <td>{doc.metadata[f.key]}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">发布日期</th>
                <td>{formatDate(doc.first_published_at)}</td>
              </tr>
            </tbody>
          </table>
        )}
        <h1>{doc.title}</h1>
        <p class="article-meta">
          <span>发布时间：{formatDateTime(doc.first_published_at)}</span>
          <span>来源：{source}</span>
          {doc.metadata.author && <span>作者：{doc.metadata.author}</span>}
        </p>
        {doc.metadata.validity && doc.metadata.validity !== "有效" && (
          <p class="notice-banner" role="note">
            本文件已{doc.metadata.validity}，仅供查阅参考。
          </p>
        )}
        {/* body_html passed the one sanitizer when it was saved */}
        <div class="article-body" dangerouslySetInnerHTML={{ __html: doc.body_html }} />
        {doc.attachments.length > 0 && (
          <section class="attachments" aria-labelledby="att-title">
            <h2 id="att-title">附件</h2>
            <ul>
              {doc.attachments.map((a) => (
                <li key={a.id}>
                  <a href={`/files/${a.id}/${encodeURIComponent(a.filename)}`} download={a.filename}>
                    {a.filename}
                  </a>{" "}
                  <span class="file-size">（{formatSize(a.size)}）</span>
                </li>
              ))}
            </ul>
          </section>
        )}
        <p class="print-hint">
          <a href="#main">返回顶部</a>
        </p>
      </article>
    </PublicLayout>
  );
}

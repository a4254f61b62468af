import type { ComponentChildren } from "preact";
import { chinaDay } from "../../../core/calendar.ts";
import type { Crumb } from "../../../web/components.tsx";
import { formatDate, formatDateTime, formatSize, scrollableTables } from "../../../web/html.ts";
import { documentHref, type PageMeta, PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import { isNormative, METADATA_FIELDS, parseQa, validityOn } from "../metadata.ts";
import type { DocumentLinks, LinkedDocument } from "../public.ts";
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
  /** 索引号 of a catalogue item (policy, interpretation). */
  index_no?: string | null;
  links?: DocumentLinks;
}

/** Where a linked document is read from this site: in it when placed here, else in its own site. */
function linkHref(base: string, doc: LinkedDocument): string {
  if (doc.here) return documentHref(base, doc.id);
  return documentHref(doc.owner_kind === "portal" ? "" : `/sites/${doc.owner_code}`, doc.id);
}

function attachmentHref(a: { id: number; filename: string }): string {
  return `/files/${a.id}/${encodeURIComponent(a.filename)}`;
}

const label = (type: DocumentType, key: string) =>
  METADATA_FIELDS[type].find((f) => f.key === key)?.label ?? key;

/** The 政府信息公开目录 block: the catalogue fields of a policy or an interpretation. */
function CatalogueBlock({ doc, base }: { doc: ArticleView; base: string }) {
  const m = doc.metadata;
  const rows: [string, ComponentChildren][] = [];
  const add = (name: string, value: ComponentChildren) => {
    if (value !== undefined && value !== null && value !== "") rows.push([name, value]);
  };
  add("索引号", doc.index_no);
  add("名称", doc.title);
  if (doc.type === "policy") {
    add(label("policy", "theme"), m.theme);
    add(label("policy", "doc_form"), m.doc_form);
    add(label("policy", "issuer"), m.issuer);
    add(label("policy", "doc_number"), m.doc_number);
    add(label("policy", "written_date"), m.written_date);
    add("发布日期", formatDate(doc.first_published_at));
    const validity = validityOn(m, chinaDay());
    add(
      label("policy", "validity"),
      validity && (
        <span class={validity === "有效" ? "validity" : "validity validity-lapsed"}>{validity}</span>
      ),
    );
    add(label("policy", "valid_from"), m.valid_from);
    add(m.validity === "废止" ? "废止日期" : "失效日期", m.validity !== "有效" ? m.valid_to : undefined);
    add("有效期至", m.validity === "有效" ? m.valid_to : undefined);
    if (isNormative(m)) add("文件类别", "行政规范性文件");
  } else {
    add(label("interpretation", "interpreter"), m.interpreter);
    add("发布日期", formatDate(doc.first_published_at));
    add(label("interpretation", "form"), m.form);
    const policy = doc.links?.policy;
    add(
      "相关政策",
      policy && (
        <>
          <a href={linkHref(base, policy)}>《{policy.title}》</a>
          <LapsedTag doc={policy} />
        </>
      ),
    );
  }
  add("内容概述", doc.summary);
  add(label(doc.type, "disclosure"), m.disclosure ?? "主动公开");
  return (
    <table class="facts metadata">
      <caption>{doc.type === "policy" ? "文件信息" : "解读信息"}</caption>
      <tbody>
        {rows.map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** 失效 / 废止, said before anything else, with the document that took its place. */
function ValidityBanner({ doc, base }: { doc: ArticleView; base: string }) {
  const validity = validityOn(doc.metadata, chinaDay());
  if (doc.type !== "policy" || !validity || validity === "有效") return null;
  const replacedBy = doc.links?.replacedBy;
  const date = doc.metadata.valid_to;
  // marked 有效 with a 有效期 that has run out: lapsed by itself
  const expired = doc.metadata.validity === "有效";
  return (
    <div class="notice-banner validity-banner" role="note" aria-label="文件有效性">
      <p>
        <strong>本文件已{validity}</strong>
        {date && (expired ? `（有效期至 ${date}）` : `（${validity}日期：${date}）`)}，仅供查阅参考。
      </p>
      {replacedBy && (
        <p>
          已被<a href={linkHref(base, replacedBy)}>《{replacedBy.title}》</a>
          {validity === "废止" ? "废止" : "替代"}，请以新文件为准。
        </p>
      )}
    </div>
  );
}

/** A linked policy that is no longer valid says so wherever it is linked. */
function LapsedTag({ doc }: { doc: LinkedDocument }) {
  if (doc.type !== "policy") return null;
  const validity = validityOn(doc.metadata, chinaDay());
  if (!validity || validity === "有效") return null;
  return <span class="tag validity-lapsed">已{validity}</span>;
}

function RelatedList({
  id,
  title,
  docs,
  base,
}: {
  id: string;
  title: string;
  docs: LinkedDocument[];
  base: string;
}) {
  if (docs.length === 0) return null;
  return (
    <section class="related" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <ul>
        {docs.map((d) => (
          <li key={d.id}>
            <a href={linkHref(base, d)}>{d.title}</a>
            {d.metadata.form && d.metadata.form !== "文字解读" && <span class="tag">{d.metadata.form}</span>}
            <LapsedTag doc={d} />{" "}
            <time dateTime={formatDate(d.first_published_at)}>{formatDate(d.first_published_at)}</time>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The forms of an interpretation beyond text: 图解 with its text alternative, a video as a link. */
function InterpretationForm({ doc }: { doc: ArticleView }) {
  const m = doc.metadata;
  if (doc.type !== "interpretation") return null;
  if (m.form === "视频" && m.video_url) {
    let host = "";
    try {
      host = new URL(m.video_url).hostname;
    } catch {
      host = "";
    }
    return (
      <p class="video-link">
        <a href={m.video_url} rel="noopener noreferrer">
          观看解读视频<span class="visually-hidden">：{doc.title}</span>
        </a>
        {host && <span class="hint">（外部链接：{host}）</span>}
      </p>
    );
  }
  if (m.form === "图解") {
    const images = doc.attachments.filter((a) => a.mime.startsWith("image/"));
    return (
      <section class="graphic" aria-labelledby="graphic-title">
        <h2 id="graphic-title">图解</h2>
        {images.map((a) => (
          <figure key={a.id}>
            <img
              src={attachmentHref(a)}
              alt={`《${doc.title}》图解，文字说明见下方`}
              aria-describedby={m.alt_text ? "graphic-text" : undefined}
            />
          </figure>
        ))}
        {m.alt_text && (
          <div class="graphic-text" id="graphic-text">
            <h3>图解文字说明</h3>
            {m.alt_text
              .split(/\n+/)
              .filter((line) => line.trim())
              .map((line, i) => (
                <p key={i}>{line}</p>
              ))}
          </div>
        )}
      </section>
    );
  }
  if (m.form === "问答" && m.qa) {
    const qa = parseQa(m.qa);
    if ("problem" in qa) return null;
    return (
      <section class="qa" aria-labelledby="qa-title">
        <h2 id="qa-title">问答</h2>
        {qa.pairs.map((pair, i) => (
          <div class="qa-item" key={i}>
            <h3>问：{pair.question}</h3>
            {pair.answer.map((line, j) => (
              <p key={j}>
                {j === 0 && "答："}
                {line}
              </p>
            ))}
          </div>
        ))}
      </section>
    );
  }
  return null;
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
  const base = frame.base;
  const source =
    doc.metadata.source ||
    doc.metadata.issuer ||
    doc.metadata.interpreter ||
    doc.department_name ||
    doc.owner_name;
  const catalogue = doc.type === "policy" || doc.type === "interpretation";
  // 依申请公开: the catalogue entry is public, the text is provided on application
  const onApplication = catalogue && doc.metadata.disclosure === "依申请公开";
  const links = doc.links;
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
        <ValidityBanner doc={doc} base={base} />
        {catalogue && <CatalogueBlock doc={doc} base={base} />}
        <h1>{doc.title}</h1>
        <p class="article-meta">
          <span>发布时间：{formatDateTime(doc.first_published_at)}</span>
          <span>来源：{source}</span>
          {doc.metadata.author && <span>作者：{doc.metadata.author}</span>}
        </p>
        {onApplication ? (
          <p class="notice-banner" role="note">
            本信息属于依申请公开的政府信息，全文不在网站公开。如需获取，请通过“依申请公开”渠道提出申请，并注明索引号。
          </p>
        ) : (
          <>
            <InterpretationForm doc={doc} />
            {/* body_html passed the one sanitizer when it was saved */}
            <div class="article-body" dangerouslySetInnerHTML={{ __html: scrollableTables(doc.body_html) }} />
            {doc.attachments.length > 0 && (
              <section class="attachments" aria-labelledby="att-title">
                <h2 id="att-title">附件</h2>
                <ul>
                  {doc.attachments.map((a) => (
                    <li key={a.id}>
                      <a href={attachmentHref(a)} download={a.filename}>
                        {a.filename}
                      </a>{" "}
                      <span class="file-size">（{formatSize(a.size)}）</span>
                    </li>
                  ))}
                </ul>
              </section>
            )}
          </>
        )}
        {links && (
          <>
            <RelatedList id="related-jd" title="相关解读" docs={links.interpretations} base={base} />
            <RelatedList
              id="related-policy"
              title="相关政策"
              docs={links.policy ? [links.policy] : []}
              base={base}
            />
            <RelatedList id="related-replaces" title="本文件替代的文件" docs={links.replaces} base={base} />
          </>
        )}
        <p class="print-hint">
          <a href="#main">返回顶部</a>
        </p>
      </article>
    </PublicLayout>
  );
}

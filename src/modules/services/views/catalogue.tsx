import { formatDate } from "../../../web/html.ts";
import { PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import { AUDIENCE_LABELS, type Audience, type ServiceItem } from "../schema.ts";

export const bsfwCrumbs = (frame: SiteFrame, ...rest: { label: string; href?: string }[]) => [
  { label: "首页", href: `${frame.base}/` },
  { label: "办事服务", href: `${frame.base}/bsfw/` },
  ...rest,
];

interface ListedItem {
  id: number;
  code: string;
  name: string;
  type: string;
  audience: Audience;
  online_level: string;
  promised_days: number;
  department_name: string;
}

export const daysText = (days: number) => (days === 0 ? "即办" : `${days} 个工作日`);

/** Links between the public service pages, shown at the top of each. */
export function ServiceNav({ frame, current }: { frame: SiteFrame; current: string }) {
  const links: [string, string, string][] = [
    ["catalogue", `${frame.base}/bsfw/`, "办事指南"],
    ["bundles", `${frame.base}/bsfw/yjs/`, "一件事一次办"],
    ["matching", `${frame.base}/bsfw/zcjsq/`, "政策计算器"],
    ["lookup", `${frame.base}/bsfw/cx/`, "办件进度查询"],
    ["mine", "/account/bsfw/", "我的办件"],
    ["ratings", `${frame.base}/bsfw/hcp/`, "好差评"],
  ];
  return (
    <nav class="subnav-inline" aria-label="办事服务">
      <ul>
        {links.map(([key, href, label]) => (
          <li key={key}>
            <a href={href} aria-current={key === current ? "page" : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function CataloguePage(props: {
  frame: SiteFrame;
  items: ListedItem[];
  departments: { id: number; name: string; n: number }[];
  lifeEvents: { event: string; n: number }[];
  filter: { audience: string; departmentId: number | null; lifeEvent: string; q: string };
}) {
  const { frame, filter } = props;
  const link = (change: Partial<{ dx: string; bm: string; zt: string }>) => {
    const params = new URLSearchParams();
    const dx = change.dx ?? filter.audience;
    const bm = change.bm ?? (filter.departmentId ? String(filter.departmentId) : "");
    const zt = change.zt ?? filter.lifeEvent;
    if (dx) params.set("dx", dx);
    if (bm) params.set("bm", bm);
    if (zt) params.set("zt", zt);
    const qs = params.toString();
    return `${frame.base}/bsfw/${qs ? `?${qs}` : ""}`;
  };
  return (
    <PublicLayout frame={frame} title="办事指南" crumbs={bsfwCrumbs(frame, { label: "办事指南" })}>
      <h1>办事服务</h1>
      <ServiceNav frame={frame} current="catalogue" />
      <form method="get" action={`${frame.base}/bsfw/`} class="filter-form" aria-label="搜索服务事项">
        <div class="field">
          <label for="f-q">搜索事项</label>
          <input id="f-q" name="q" type="search" value={filter.q} />
        </div>
        {filter.audience && <input type="hidden" name="dx" value={filter.audience} />}
        <button type="submit">搜索</button>
      </form>
      <div class="with-sidebar services-browse">
        <aside class="subnav" aria-label="分类浏览">
          <h2>服务对象</h2>
          <ul>
            {["", "个人", "法人"].map((dx) => (
              <li key={dx || "all"}>
                <a href={link({ dx })} aria-current={filter.audience === dx ? "page" : undefined}>
                  {dx === "" ? "全部" : `${dx}办事`}
                </a>
              </li>
            ))}
          </ul>
          {props.lifeEvents.length > 0 && (
            <>
              <h2>主题分类</h2>
              <ul>
                <li>
                  <a href={link({ zt: "" })} aria-current={filter.lifeEvent === "" ? "page" : undefined}>
                    全部主题
                  </a>
                </li>
                {props.lifeEvents.map((e) => (
                  <li key={e.event}>
                    <a
                      href={link({ zt: e.event })}
                      aria-current={filter.lifeEvent === e.event ? "page" : undefined}
                    >
                      {e.event}（{e.n}）
                    </a>
                  </li>
                ))}
              </ul>
            </>
          )}
          {props.departments.length > 1 && (
            <>
              <h2>实施部门</h2>
              <ul>
                <li>
                  <a href={link({ bm: "" })} aria-current={filter.departmentId === null ? "page" : undefined}>
                    全部部门
                  </a>
                </li>
                {props.departments.map((d) => (
                  <li key={d.id}>
                    <a
                      href={link({ bm: String(d.id) })}
                      aria-current={filter.departmentId === d.id ? "page" : undefined}
                    >
                      {d.name}（{d.n}）
                    </a>
                  </li>
                ))}
              </ul>
            </>
          )}
        </aside>
        <section aria-labelledby="results-title">
          <h2 id="results-title">
            {filter.q ? `“${filter.q}”的搜索结果` : "服务事项"}（共 {props.items.length} 项）
          </h2>
          {props.items.length === 0 ? (
            <p>没有找到符合条件的事项。请换个关键词，或拨打 12345 政务服务便民热线咨询。</p>
          ) : (
            <ul class="service-list">
              {props.items.map((i) => (
                <li key={i.id}>
                  <a href={`${frame.base}/bsfw/item/${encodeURIComponent(i.code)}`}>{i.name}</a>
                  <p class="hint">
                    {i.department_name} · {i.type} · {AUDIENCE_LABELS[i.audience]} · {i.online_level} ·
                    承诺时限 {daysText(i.promised_days)}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </PublicLayout>
  );
}

type GuideItem = ServiceItem & { department_name: string };

function List({ items }: { items: string[] }) {
  if (items.length === 0) return <p>（未填写）</p>;
  return (
    <ul>
      {items.map((s) => (
        <li key={s}>{s}</li>
      ))}
    </ul>
  );
}

interface GuideProps {
  frame: SiteFrame;
  item: GuideItem;
  policies: { ref: string | null; title: string }[];
  bundles: { id: number; name: string }[];
  ratings: { n: number; average: number | null };
}

/** The full 办事指南 of one item, with a link to apply online where the item allows it. */
export function GuidePage(props: GuideProps) {
  const { frame, item } = props;
  const itemHref = `${frame.base}/bsfw/item/${encodeURIComponent(item.code)}`;
  return (
    <PublicLayout frame={frame} title={item.name} crumbs={bsfwCrumbs(frame, { label: item.name })}>
      <article class="guide">
        <h1>{item.name}</h1>
        <p class="no-print button-row">
          {item.online_level !== "窗口办理" && (
            <a class="button" href={`${itemHref}/apply`}>
              在线申请
            </a>
          )}
          <a class="button secondary" href={`${itemHref}/print`}>
            打印版办事指南
          </a>
        </p>
        <GuideBody {...props} />
      </article>
    </PublicLayout>
  );
}

/** The guide alone on a page for printing or saving, without the site's navigation. */
export function GuidePrintPage(props: GuideProps) {
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.item.name} 办事指南`}</title>
        <link rel="stylesheet" href="/assets/site.css" />
      </head>
      <body class="print-document">
        <main id="main" class="wrap">
          <p class="no-print">
            <a href={`${props.frame.base}/bsfw/item/${encodeURIComponent(props.item.code)}`}>返回办事指南</a>
            ：请使用浏览器的“打印”功能打印本页。
          </p>
          <h1>{props.item.name} 办事指南</h1>
          <p>{props.frame.site.name}</p>
          <GuideBody {...props} />
        </main>
      </body>
    </html>
  );
}

function GuideBody(props: GuideProps) {
  const { frame, item } = props;
  return (
    <>
      <h2>基本信息</h2>
      <table class="facts">
        <tbody>
          <tr>
            <th scope="row">事项编码</th>
            <td class="code">{item.code}</td>
          </tr>
          <tr>
            <th scope="row">事项类型</th>
            <td>{item.type}</td>
          </tr>
          <tr>
            <th scope="row">服务对象</th>
            <td>{AUDIENCE_LABELS[item.audience]}</td>
          </tr>
          <tr>
            <th scope="row">实施部门</th>
            <td>{item.department_name}</td>
          </tr>
          <tr>
            <th scope="row">法定时限</th>
            <td>{daysText(item.statutory_days)}</td>
          </tr>
          <tr>
            <th scope="row">承诺时限</th>
            <td>
              {daysText(item.promised_days)}
              {item.time_limit_note && <span class="hint">（{item.time_limit_note}）</span>}
            </td>
          </tr>
          <tr>
            <th scope="row">办件类型</th>
            <td>{item.promised_days === 0 ? "即办件" : "承诺件"}</td>
          </tr>
          <tr>
            <th scope="row">网办深度</th>
            <td>{item.online_level}</td>
          </tr>
          <tr>
            <th scope="row">收费标准</th>
            <td>
              {item.fee_charged ? item.fee_standard : item.fee_standard || "不收费"}
              {item.fee_basis && <span class="hint">（收费依据：{item.fee_basis}）</span>}
            </td>
          </tr>
          <tr>
            <th scope="row">办理结果</th>
            <td>
              {item.outputs.join("、") || "（未填写）"}
              {item.licence_name && <span class="hint">（核发电子证照）</span>}
            </td>
          </tr>
          {props.ratings.n > 0 && props.ratings.average !== null && (
            <tr>
              <th scope="row">好差评</th>
              <td>
                共 {props.ratings.n} 条评价，平均 {props.ratings.average.toFixed(1)} 分（满分 5 分）
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <h2>设定依据</h2>
      <List items={item.legal_basis} />
      <h2>受理条件</h2>
      <List items={item.conditions} />
      <h2>申请材料</h2>
      {item.materials.length === 0 ? (
        <p>无需提交材料。</p>
      ) : (
        <div class="table-scroll">
          <table class="data">
            <caption class="visually-hidden">申请材料清单</caption>
            <thead>
              <tr>
                <th scope="col">序号</th>
                <th scope="col">材料名称</th>
                <th scope="col">材料形式</th>
                <th scope="col">份数</th>
                <th scope="col">说明</th>
              </tr>
            </thead>
            <tbody>
              {item.materials.map((m, i) => (
                <tr key={m.name}>
                  <td>{i + 1}</td>
                  <td>
                    {m.name}
                    {!m.required && <span class="tag">特定情形</span>}
                    {m.blankUrl && (
                      <>
                        {" "}
                        <a href={m.blankUrl}>
                          空白表格<span class="visually-hidden">：{m.name}</span>
                        </a>
                      </>
                    )}
                    {m.sampleUrl && (
                      <>
                        {" "}
                        <a href={m.sampleUrl}>
                          示例样表<span class="visually-hidden">：{m.name}</span>
                        </a>
                      </>
                    )}
                  </td>
                  <td>{m.form}</td>
                  <td>{m.count}</td>
                  <td>{m.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>办理流程</h2>
      {item.process.length === 0 ? (
        <p>（未填写）</p>
      ) : (
        <ol>
          {item.process.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ol>
      )}
      <h2>办理地点和时间</h2>
      <List items={item.locations} />
      <p>办理时间：{item.hours || "请致电咨询"}</p>
      <h2>咨询和监督</h2>
      <p>咨询电话：{item.consult_phone || "12345"}</p>
      <p>监督投诉电话：{item.supervise_phone || "12345"}</p>
      {props.policies.length > 0 && (
        <>
          <h2>相关政策</h2>
          <ul>
            {props.policies.map((policy) => (
              <li key={policy.ref}>
                <a href={`/ref/${policy.ref}`}>{policy.title}</a>
              </li>
            ))}
          </ul>
        </>
      )}
      {props.bundles.length > 0 && (
        <>
          <h2>可与以下“一件事”一并办理</h2>
          <ul>
            {props.bundles.map((b) => (
              <li key={b.id}>
                <a href={`${frame.base}/bsfw/yjs/${b.id}`}>{b.name}</a>
              </li>
            ))}
          </ul>
        </>
      )}
      {item.faqs.length > 0 && (
        <>
          <h2>常见问题</h2>
          <dl class="faq">
            {item.faqs.map((f) => (
              <>
                <dt>{f.question}</dt>
                <dd>{f.answer}</dd>
              </>
            ))}
          </dl>
        </>
      )}
      <p class="hint">
        指南版本 {item.version}，更新于 {formatDate(item.updated_at)}
      </p>
    </>
  );
}

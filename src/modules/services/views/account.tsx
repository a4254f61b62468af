import { formatDateTime } from "../../../web/html.ts";
import { PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import type { Verdict } from "../licences.ts";
import { VERDICT_LABELS } from "../licences.ts";
import type { Licence } from "../schema.ts";
import { bsfwCrumbs, ServiceNav } from "./catalogue.tsx";

const accountCrumbs = (label: string) => [
  { label: "首页", href: "/" },
  { label: "个人中心", href: "/account" },
  { label },
];

export function LicencesPage({ frame, licences }: { frame: SiteFrame; licences: Licence[] }) {
  return (
    <PublicLayout frame={frame} title="我的证照" crumbs={accountCrumbs("我的证照")}>
      <h1>我的证照</h1>
      <ServiceNav frame={frame} current="licences" />
      <p>以下电子证照由本平台签发，办理其他事项时可直接调用，免于提交相应材料。</p>
      {licences.length === 0 ? (
        <p>暂无电子证照。</p>
      ) : (
        <ul class="service-list">
          {licences.map((l) => (
            <li key={l.id}>
              <a href={`/bsfw/zz/${l.number}`}>{l.name}</a>
              <p class="hint">
                证照编号 {l.number} · {l.issuer} · 签发日期 {l.issued_on} ·{" "}
                {l.status === "valid" ? "有效" : "已注销"}
              </p>
            </li>
          ))}
        </ul>
      )}
    </PublicLayout>
  );
}

/** The page a licence's QR code opens: anyone can see whether it is valid, revoked or altered. */
export function VerifyPage(props: {
  frame: SiteFrame;
  licence: Licence;
  verdict: Verdict;
  qr: string;
  url: string;
}) {
  const l = props.licence;
  return (
    <PublicLayout
      frame={props.frame}
      title="电子证照核验"
      crumbs={bsfwCrumbs(props.frame, { label: "电子证照核验" })}
    >
      <h1>电子证照核验</h1>
      <p class={`verdict verdict-${props.verdict}`} role="status">
        核验结果：<strong>{VERDICT_LABELS[props.verdict]}</strong>
      </p>
      <dl class="summary-list">
        <dt>证照名称</dt>
        <dd>{l.name}</dd>
        <dt>证照编号</dt>
        <dd class="code">{l.number}</dd>
        <dt>持证人</dt>
        <dd>{maskName(l.holder_name)}</dd>
        <dt>签发机关</dt>
        <dd>{l.issuer}</dd>
        <dt>签发日期</dt>
        <dd>{l.issued_on}</dd>
        {l.status === "revoked" && (
          <>
            <dt>注销时间</dt>
            <dd>{formatDateTime(l.revoked_at)}</dd>
            <dt>注销原因</dt>
            <dd>{l.revoke_reason}</dd>
          </>
        )}
      </dl>
      <figure class="qr">
        <img src={props.qr} alt={`核验二维码，扫描后打开本页：${props.url}`} width="164" height="164" />
        <figcaption>扫描二维码核验本证照</figcaption>
      </figure>
    </PublicLayout>
  );
}

/** 张三丰 → 张**: a verifier sees that the name matches without the page listing full names. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? name : `${chars[0]}${"*".repeat(chars.length - 1)}`;
}

export function RatingStatsPage(props: {
  frame: SiteFrame;
  stats: {
    byDepartment: {
      id: number;
      name: string;
      n: number;
      average: number;
      bad: number;
      followed_up: number;
    }[];
    byItem: { id: number; name: string; code: string; n: number; average: number; bad: number }[];
  };
}) {
  const { frame, stats } = props;
  return (
    <PublicLayout frame={frame} title="政务服务好差评" crumbs={bsfwCrumbs(frame, { label: "好差评" })}>
      <h1>政务服务“好差评”</h1>
      <ServiceNav frame={frame} current="ratings" />
      <p>
        评价分为非常满意、满意、基本满意、不满意、非常不满意五个等级，不满意和非常不满意为差评。差评由部门回访核实并整改。
      </p>
      <div class="table-scroll">
        <table class="data">
          <caption>各部门评价情况</caption>
          <thead>
            <tr>
              <th scope="col">部门</th>
              <th scope="col">评价数</th>
              <th scope="col">平均分</th>
              <th scope="col">差评数</th>
              <th scope="col">差评已整改</th>
            </tr>
          </thead>
          <tbody>
            {stats.byDepartment.map((d) => (
              <tr key={d.id}>
                <th scope="row">{d.name}</th>
                <td class="num">{d.n}</td>
                <td class="num">{d.average.toFixed(2)}</td>
                <td class="num">{d.bad}</td>
                <td class="num">{d.followed_up}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="table-scroll">
        <table class="data">
          <caption>各事项评价情况</caption>
          <thead>
            <tr>
              <th scope="col">事项</th>
              <th scope="col">评价数</th>
              <th scope="col">平均分</th>
              <th scope="col">差评数</th>
            </tr>
          </thead>
          <tbody>
            {stats.byItem.map((i) => (
              <tr key={i.id}>
                <th scope="row">
                  <a href={`${frame.base}/bsfw/item/${encodeURIComponent(i.code)}`}>{i.name}</a>
                </th>
                <td class="num">{i.n}</td>
                <td class="num">{i.average.toFixed(2)}</td>
                <td class="num">{i.bad}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {stats.byItem.length === 0 && <p>暂无评价。</p>}
    </PublicLayout>
  );
}

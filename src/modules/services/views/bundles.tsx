import type { FormState } from "../../../core/http/forms.ts";
import { CsrfField, ErrorSummary } from "../../../web/components.tsx";
import { formatDateTime } from "../../../web/html.ts";
import { PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import { AUDIENCE_LABELS, type Audience, type FormField } from "../schema.ts";
import { FormFields, MaterialFields, type MaterialSlot } from "./apply.tsx";
import { bsfwCrumbs, daysText, ServiceNav } from "./catalogue.tsx";

export function BundleListPage(props: {
  frame: SiteFrame;
  bundles: {
    id: number;
    name: string;
    description: string;
    audience: Audience;
    promised_days: number;
    members: { name: string; optional: boolean }[];
  }[];
}) {
  const { frame } = props;
  return (
    <PublicLayout frame={frame} title="一件事一次办" crumbs={bsfwCrumbs(frame, { label: "一件事一次办" })}>
      <h1>一件事一次办</h1>
      <ServiceNav frame={frame} current="bundles" />
      <p class="lead">多个关联事项一次告知、一表申请、一套材料、一次提交，各部门同步办理。</p>
      <ul class="service-list">
        {props.bundles.map((b) => (
          <li key={b.id}>
            <a href={`${frame.base}/bsfw/yjs/${b.id}`}>{b.name}</a>
            <p class="hint">
              {AUDIENCE_LABELS[b.audience]} · 含 {b.members.length} 个事项 · 承诺时限{" "}
              {daysText(b.promised_days)}
            </p>
            <p>{b.description}</p>
          </li>
        ))}
      </ul>
    </PublicLayout>
  );
}

interface Member {
  id: number;
  code: string;
  name: string;
  department_name: string;
  optional: boolean;
}

export function BundlePage(props: {
  frame: SiteFrame;
  bundle: {
    id: number;
    name: string;
    description: string;
    entry: string;
    online_level: string;
    promised_days: number;
    material_count_before: number;
    shared_materials: { name: string; producedBy: string; usedBy: string[] }[];
  };
  leadDepartment: string;
  members: Member[];
  slots: MaterialSlot[];
}) {
  const { frame, bundle } = props;
  const names = new Map(props.members.map((m) => [m.code, m.name]));
  return (
    <PublicLayout
      frame={frame}
      title={bundle.name}
      crumbs={bsfwCrumbs(
        frame,
        { label: "一件事一次办", href: `${frame.base}/bsfw/yjs/` },
        { label: bundle.name },
      )}
    >
      <h1>{bundle.name}</h1>
      <p class="lead">{bundle.description}</p>
      <p class="button-row">
        <a class="button" href={`${frame.base}/bsfw/yjs/${bundle.id}/apply`}>
          一次申请
        </a>
      </p>
      <table class="facts">
        <tbody>
          <tr>
            <th scope="row">牵头部门</th>
            <td>{props.leadDepartment}</td>
          </tr>
          <tr>
            <th scope="row">办理渠道</th>
            <td>
              {bundle.online_level}；{bundle.entry}
            </td>
          </tr>
          <tr>
            <th scope="row">承诺时限</th>
            <td>{daysText(bundle.promised_days)}</td>
          </tr>
          <tr>
            <th scope="row">材料</th>
            <td>
              合并前 {bundle.material_count_before} 份，合并去重后 {props.slots.length} 份
            </td>
          </tr>
        </tbody>
      </table>
      <h2>包含的事项</h2>
      <ol>
        {props.members.map((m) => (
          <li key={m.id}>
            <a href={`${frame.base}/bsfw/item/${encodeURIComponent(m.code)}`}>{m.name}</a>（
            {m.department_name}）{m.optional && <span class="tag">可选</span>}
          </li>
        ))}
      </ol>
      <h2>合并后的材料清单</h2>
      <div class="table-scroll">
        <table class="data">
          <caption class="visually-hidden">合并后的材料清单</caption>
          <thead>
            <tr>
              <th scope="col">材料名称</th>
              <th scope="col">形式</th>
              <th scope="col">用于事项</th>
              <th scope="col">说明</th>
            </tr>
          </thead>
          <tbody>
            {props.slots.map((s) => (
              <tr key={s.key}>
                <td>{s.material.name}</td>
                <td>{s.material.form}</td>
                <td>{(s.usedBy ?? []).join("、")}</td>
                <td>{s.material.note}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {bundle.shared_materials.length > 0 && (
        <>
          <h2>部门间共享、无需提交的证照</h2>
          <ul>
            {bundle.shared_materials.map((m) => (
              <li key={m.name}>
                {m.name}：由“{names.get(m.producedBy) ?? m.producedBy}”产生，供{" "}
                {m.usedBy.map((c) => names.get(c) ?? c).join("、")} 使用
              </li>
            ))}
          </ul>
        </>
      )}
    </PublicLayout>
  );
}

export function BundleApplyPage(props: {
  frame: SiteFrame;
  csrf: string;
  bundle: { id: number; name: string };
  fields: FormField[];
  slots: MaterialSlot[];
  optional: Member[];
  state: FormState;
}) {
  const { frame, bundle } = props;
  const chosen = new Set((props.state.values.optional ?? "").split(","));
  return (
    <PublicLayout
      frame={frame}
      title={`一次申请：${bundle.name}`}
      crumbs={bsfwCrumbs(
        frame,
        { label: "一件事一次办", href: `${frame.base}/bsfw/yjs/` },
        { label: bundle.name, href: `${frame.base}/bsfw/yjs/${bundle.id}` },
        { label: "一次申请" },
      )}
    >
      <h1>一次申请：{bundle.name}</h1>
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <form
        method="post"
        action={`${frame.base}/bsfw/yjs/${bundle.id}/apply`}
        encType="multipart/form-data"
        class="narrow-form"
        noValidate
      >
        <CsrfField token={props.csrf} />
        {props.optional.length > 0 && (
          <fieldset>
            <legend>可选事项</legend>
            {props.optional.map((m) => (
              <div class="checkbox" key={m.id}>
                <input
                  type="checkbox"
                  id={`f-optional-${m.id}`}
                  name="optional"
                  value={String(m.id)}
                  checked={chosen.has(String(m.id))}
                />
                <label for={`f-optional-${m.id}`}>同时申请“{m.name}”</label>
              </div>
            ))}
          </fieldset>
        )}
        <fieldset>
          <legend>申请信息（一表填报）</legend>
          <FormFields fields={props.fields} state={props.state} />
        </fieldset>
        <fieldset>
          <legend>申请材料（合并去重，一次提交）</legend>
          <MaterialFields slots={props.slots} state={props.state} />
        </fieldset>
        <button type="submit">一次提交</button>
      </form>
    </PublicLayout>
  );
}

export function BundleStatusPage(props: {
  frame: SiteFrame;
  own: boolean;
  status: {
    number: string;
    name: string;
    submitted_at: Date;
    status: string;
    cases: {
      id: number;
      number: string;
      item_name: string;
      department_name: string;
      state_label: string;
      due_on: string | null;
    }[];
  };
}) {
  const { frame, status } = props;
  return (
    <PublicLayout
      frame={frame}
      title={`${status.name} ${status.number}`}
      crumbs={bsfwCrumbs(frame, { label: "一件事办理进度" })}
    >
      <h1>{status.name}</h1>
      <dl class="summary-list">
        <dt>一件事编号</dt>
        <dd class="code">{status.number}</dd>
        <dt>提交时间</dt>
        <dd>{formatDateTime(status.submitted_at)}</dd>
        <dt>总体状态</dt>
        <dd>{status.status}</dd>
      </dl>
      <table class="data">
        <caption>各事项办理情况</caption>
        <thead>
          <tr>
            <th scope="col">事项</th>
            <th scope="col">部门</th>
            <th scope="col">状态</th>
            <th scope="col">承诺期限</th>
          </tr>
        </thead>
        <tbody>
          {status.cases.map((c) => (
            <tr key={c.id}>
              <td>{props.own ? <a href={`/account/bsfw/${c.number}`}>{c.item_name}</a> : c.item_name}</td>
              <td>{c.department_name}</td>
              <td>{c.state_label}</td>
              <td>{c.due_on ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </PublicLayout>
  );
}

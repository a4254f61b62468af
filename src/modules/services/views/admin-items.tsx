import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import { formatDateTime } from "../../../web/html.ts";
import {
  AUDIENCE_LABELS,
  AUDIENCES,
  type Audience,
  FIELD_KINDS,
  ITEM_TYPES,
  ONLINE_LEVELS,
} from "../schema.ts";
import type { KeyElement } from "../service.ts";

/** Sub-navigation of the services back office. */
export function ServicesAdminNav({ current }: { current: string }) {
  const links: [string, string, string][] = [
    ["cases", "/admin/services", "办件"],
    ["items", "/admin/services/items", "事项管理"],
    ["completeness", "/admin/services/completeness", "要素完整性检查"],
    ["followups", "/admin/services/followups", "差评整改"],
    ["rules", "/admin/services/rules", "政策匹配规则"],
    ["inbox", "/account/inbox", "站内消息"],
  ];
  return (
    <nav class="subnav-inline" aria-label="政务服务">
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

interface ItemRow {
  id: number;
  code: string;
  name: string;
  type: string;
  audience: Audience;
  department_name: string;
  visible: boolean;
  version: number;
  check: { missing: KeyElement[]; warnings: string[] };
}

export function ItemListPage({ frame, items }: { frame: AdminFrame; items: ItemRow[] }) {
  return (
    <AdminLayout frame={frame} title="服务事项管理" section="services">
      <ServicesAdminNav current="items" />
      <p>
        <a class="button" href="/admin/services/items/new">
          新增事项
        </a>
      </p>
      {items.length === 0 ? (
        <p>您维护的部门还没有服务事项。</p>
      ) : (
        <div class="table-scroll">
          <table class="data">
            <caption class="visually-hidden">服务事项</caption>
            <thead>
              <tr>
                <th scope="col">事项编码</th>
                <th scope="col">事项名称</th>
                <th scope="col">类型</th>
                <th scope="col">服务对象</th>
                <th scope="col">实施部门</th>
                <th scope="col">要素</th>
                <th scope="col">版本</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.id}>
                  <td class="code">{i.code}</td>
                  <td>
                    <a href={`/admin/services/items/${i.id}`}>{i.name}</a>
                    {!i.visible && <span class="tag">未公布</span>}
                  </td>
                  <td>{i.type}</td>
                  <td>{AUDIENCE_LABELS[i.audience]}</td>
                  <td>{i.department_name}</td>
                  <td>{i.check.missing.length === 0 ? "完整" : `缺 ${i.check.missing.join("、")}`}</td>
                  <td>{i.version}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminLayout>
  );
}

export function CompletenessPage(props: {
  frame: AdminFrame;
  report: {
    total: number;
    complete: number;
    byElement: { element: KeyElement; missing: number }[];
    incomplete: ItemRow[];
  };
}) {
  const r = props.report;
  return (
    <AdminLayout frame={props.frame} title="办事指南要素完整性检查" section="services">
      <ServicesAdminNav current="completeness" />
      <p class="lead">
        按国办政府网站与政务新媒体检查指标，办事指南须包含事项名称、设定依据、申请条件、办理材料、办理地点、办理机构、收费标准、办理时间、联系电话、办理流程等
        10 类要素。共检查 {r.total} 个事项，要素完整 {r.complete} 个，需补充 {r.total - r.complete} 个。
      </p>
      <table class="data">
        <caption>各类要素缺失情况</caption>
        <thead>
          <tr>
            <th scope="col">要素</th>
            <th scope="col">缺失事项数</th>
          </tr>
        </thead>
        <tbody>
          {r.byElement.map((e) => (
            <tr key={e.element}>
              <th scope="row">{e.element}</th>
              <td class="num">{e.missing}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.incomplete.length > 0 && (
        <table class="data">
          <caption>需补充的事项</caption>
          <thead>
            <tr>
              <th scope="col">事项</th>
              <th scope="col">实施部门</th>
              <th scope="col">缺失要素</th>
              <th scope="col">其他问题</th>
            </tr>
          </thead>
          <tbody>
            {r.incomplete.map((i) => (
              <tr key={i.id}>
                <td>
                  <a href={`/admin/services/items/${i.id}`}>{i.name}</a>
                </td>
                <td>{i.department_name}</td>
                <td>{i.check.missing.join("、") || "—"}</td>
                <td>{i.check.warnings.join("；") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

export function ItemFormPage(props: {
  frame: AdminFrame;
  id: number | null;
  sites: { id: number; name: string }[];
  state: FormState;
  versions: { version: number; saved_at: Date; saved_by_name: string | null }[];
  publicHref: string | null;
}) {
  const v = props.state.values;
  const f = props.state.fields ?? {};
  const action = props.id === null ? "/admin/services/items/new" : `/admin/services/items/${props.id}`;
  return (
    <AdminLayout
      frame={props.frame}
      title={props.id === null ? "新增服务事项" : `编辑：${v.name ?? ""}`}
      section="services"
    >
      <ServicesAdminNav current="items" />
      {props.publicHref && (
        <p>
          <a href={props.publicHref}>查看公开的办事指南</a>
        </p>
      )}
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <form method="post" action={action} class="narrow-form" noValidate>
        <CsrfField token={props.frame.csrf} />
        <fieldset>
          <legend>基本信息</legend>
          <Field name="code" label="事项编码（实施编码）" value={v.code} error={f.code} required />
          <Field name="name" label="事项名称" value={v.name} error={f.name} required />
          <Field name="type" label="事项类型" value={v.type} error={f.type} required options={ITEM_TYPES} />
          <Field
            name="audience"
            label="服务对象"
            value={v.audience}
            error={f.audience}
            required
            options={AUDIENCES.map((a) => ({ value: a, label: AUDIENCE_LABELS[a] }))}
          />
          <Field
            name="siteId"
            label="实施部门"
            value={v.siteId}
            error={f.siteId}
            required
            options={props.sites.map((s) => ({ value: String(s.id), label: s.name }))}
          />
          <Field
            name="legalBasis"
            label="设定依据（每行一项）"
            value={v.legalBasis}
            error={f.legalBasis}
            multiline={3}
          />
          <Field
            name="conditions"
            label="受理条件（每行一项）"
            value={v.conditions}
            error={f.conditions}
            multiline={4}
          />
        </fieldset>
        <fieldset>
          <legend>申请材料与表单</legend>
          <Field
            name="materials"
            label="申请材料"
            value={v.materials}
            error={f.materials}
            multiline={6}
            hint="每行一项：材料名称 | 原件/复印件/电子证照 | 份数 | 必要/容缺 | 说明 | 空白表格地址 | 示例样表地址（地址可省略，须为本平台附件 /files/… 或 https 地址）。须写明具体材料，不得使用“其他材料”等兜底表述。"
          />
          <Field
            name="formFields"
            label="在线申请表单"
            value={v.formFields}
            error={f.formFields}
            multiline={6}
            hint={`每行一个字段：字段名 | 标签 | 类型（${FIELD_KINDS.join("/")}） | 必填/选填 | 选项（用顿号分隔） | 自动填充（name/phone） | 提示`}
          />
        </fieldset>
        <fieldset>
          <legend>办理</legend>
          <Field
            name="process"
            label="办理流程（每行一步）"
            value={v.process}
            error={f.process}
            multiline={4}
          />
          <Field
            name="statutoryDays"
            label="法定时限（工作日，0 为即办）"
            value={v.statutoryDays}
            error={f.statutoryDays}
            required
          />
          <Field
            name="promisedDays"
            label="承诺时限（工作日，0 为即办）"
            value={v.promisedDays}
            error={f.promisedDays}
            required
          />
          <Field name="timeLimitNote" label="时限说明" value={v.timeLimitNote} error={f.timeLimitNote} />
          <Field
            name="onlineLevel"
            label="网办深度"
            value={v.onlineLevel}
            error={f.onlineLevel}
            required
            options={ONLINE_LEVELS}
          />
          <Field
            name="locations"
            label="办理地点（每行一处）"
            value={v.locations}
            error={f.locations}
            multiline={3}
          />
          <Field name="hours" label="办理时间" value={v.hours} error={f.hours} />
          <Field name="outputs" label="办理结果（用顿号分隔）" value={v.outputs} error={f.outputs} />
          <Field
            name="licenceName"
            label="核发电子证照名称"
            value={v.licenceName}
            error={f.licenceName}
            hint="填写后，办结“准予”的办件自动核发该名称的电子证照"
          />
          <Field name="lifeEvents" label="主题分类（用顿号分隔）" value={v.lifeEvents} error={f.lifeEvents} />
        </fieldset>
        <fieldset>
          <legend>收费与咨询</legend>
          <div class="checkbox">
            <input
              type="checkbox"
              id="f-feeCharged"
              name="feeCharged"
              value="1"
              checked={v.feeCharged === "1"}
            />
            <label for="f-feeCharged">该事项收费</label>
          </div>
          <Field
            name="feeStandard"
            label="收费标准"
            value={v.feeStandard}
            error={f.feeStandard}
            hint="不收费的留空即显示“不收费”"
          />
          <Field name="feeBasis" label="收费依据" value={v.feeBasis} error={f.feeBasis} />
          <Field name="consultPhone" label="咨询电话" value={v.consultPhone} error={f.consultPhone} />
          <Field
            name="supervisePhone"
            label="监督投诉电话"
            value={v.supervisePhone}
            error={f.supervisePhone}
          />
          <Field
            name="faqs"
            label="常见问题（每行：问题 | 解答）"
            value={v.faqs}
            error={f.faqs}
            multiline={4}
          />
          <div class="checkbox">
            <input type="checkbox" id="f-visible" name="visible" value="1" checked={v.visible === "1"} />
            <label for="f-visible">对外公布</label>
          </div>
        </fieldset>
        <button type="submit">保存</button>
      </form>
      {props.id !== null && (
        <>
          <h2>历史版本</h2>
          <ul>
            {props.versions.map((ver) => (
              <li key={ver.version}>
                第 {ver.version} 版，{formatDateTime(ver.saved_at)}，{ver.saved_by_name ?? "系统导入"}
              </li>
            ))}
          </ul>
          <form method="post" action={`/admin/services/items/${props.id}/delete`} class="inline-form">
            <CsrfField token={props.frame.csrf} />
            <button type="submit" class="warning">
              删除事项
            </button>
          </form>
        </>
      )}
    </AdminLayout>
  );
}

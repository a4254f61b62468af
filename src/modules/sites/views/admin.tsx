import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import {
  COLUMN_KIND_LABELS,
  COLUMN_KINDS,
  type Column,
  NATIONAL_COLUMN_TYPES,
  type Site,
} from "../schema.ts";
import type { ColumnNode } from "../service.ts";

const SITE_KINDS = [
  { value: "portal", label: "政府门户网站" },
  { value: "department", label: "部门网站" },
  { value: "topic", label: "专题网站" },
];

export function SitesPage({
  frame,
  sites,
  mayCreate,
}: {
  frame: AdminFrame;
  sites: Site[];
  mayCreate: boolean;
}) {
  return (
    <AdminLayout frame={frame} title="站点与栏目" section="sites">
      {mayCreate && (
        <p class="button-row">
          <a class="button" href="/admin/sites/new">
            新建站点
          </a>
          <a class="button" href="/admin/calendar">
            工作日历
          </a>
        </p>
      )}
      <table class="data">
        <caption class="visually-hidden">站点</caption>
        <thead>
          <tr>
            <th scope="col">站点名称</th>
            <th scope="col">类型</th>
            <th scope="col">代码</th>
            <th scope="col">网站标识码</th>
            <th scope="col">操作</th>
          </tr>
        </thead>
        <tbody>
          {sites.map((s) => (
            <tr key={s.id}>
              <td>{s.name}</td>
              <td>{SITE_KINDS.find((k) => k.value === s.kind)?.label}</td>
              <td>{s.code}</td>
              <td>{s.settings.idCode ?? "—"}</td>
              <td>
                <a href={`/admin/sites/${s.id}`}>
                  设置<span class="visually-hidden">{s.name}</span>
                </a>{" "}
                ·{" "}
                <a href={`/admin/sites/${s.id}/columns`}>
                  栏目<span class="visually-hidden">：{s.name}</span>
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminLayout>
  );
}

export function siteValues(site: Site): Record<string, string> {
  const s = site.settings;
  return {
    code: site.code,
    name: site.name,
    kind: site.kind,
    host: site.host ?? "",
    departmentId: site.department_id ? String(site.department_id) : "",
    idCode: s.idCode ?? "",
    icp: s.icp ?? "",
    psb: s.psb ?? "",
    sponsor: s.sponsor ?? "",
    organizer: s.organizer ?? "",
    phone: s.phone ?? "",
    address: s.address ?? "",
    email: s.email ?? "",
    domain: s.domain ?? "",
    description: s.description ?? "",
  };
}

export function SiteFormPage(props: {
  frame: AdminFrame;
  title: string;
  action: string;
  state: FormState;
  departments: { id: number; name: string }[];
}) {
  const v = props.state.values;
  const f = props.state.fields ?? {};
  return (
    <AdminLayout frame={props.frame} title={props.title} section="sites">
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <form method="post" action={props.action} class="narrow-form">
        <CsrfField token={props.frame.csrf} />
        <Field name="name" label="站点名称" value={v.name} error={f.name} required />
        <Field
          name="code"
          label="站点代码"
          value={v.code}
          error={f.code}
          required
          hint="用于访问路径 /sites/代码/ 和二级域名，如 rsj"
        />
        <Field name="kind" label="站点类型" value={v.kind} error={f.kind} required options={SITE_KINDS} />
        <Field
          name="departmentId"
          label="主办部门"
          value={v.departmentId}
          options={props.departments.map((d) => ({ value: String(d.id), label: d.name }))}
        />
        <Field
          name="host"
          label="绑定域名"
          value={v.host}
          error={f.host}
          hint="选填；绑定后该域名的根路径直接显示本站点，如 rsj.qinghe.gov.cn"
        />
        <fieldset>
          <legend>网站标识与页面底部信息</legend>
          <Field
            name="idCode"
            label="网站标识码"
            value={v.idCode}
            error={f.idCode}
            hint="10 位数字（6 位行政区划代码 + 4 位顺序号）"
          />
          <Field name="domain" label="网站域名" value={v.domain} hint="输出为 SiteDomain 标签" />
          <Field name="sponsor" label="主办单位" value={v.sponsor} />
          <Field name="organizer" label="承办单位" value={v.organizer} />
          <Field name="icp" label="ICP备案编号" value={v.icp} />
          <Field name="psb" label="公安机关备案号" value={v.psb} />
          <Field name="phone" label="联系电话" value={v.phone} />
          <Field name="address" label="联系地址" value={v.address} />
          <Field name="email" label="电子邮箱" value={v.email} />
          <Field name="description" label="网站简介" value={v.description} multiline={3} />
        </fieldset>
        <button type="submit">保存</button>
      </form>
    </AdminLayout>
  );
}

function Tree({ nodes }: { nodes: ColumnNode[] }) {
  return (
    <ul class="column-tree">
      {nodes.map((n) => (
        <li key={n.id}>
          <a href={`/admin/columns/${n.id}`}>{n.name}</a>{" "}
          <span class="tag">{COLUMN_KIND_LABELS[n.type]}</span>
          {n.review_steps.length > 0 && <span class="hint"> 审核：{n.review_steps.join(" → ")}</span>}
          {n.children.length > 0 && <Tree nodes={n.children} />}
        </li>
      ))}
    </ul>
  );
}

export function columnValues(c: Column): Record<string, string> {
  return {
    parentId: c.parent_id ? String(c.parent_id) : "",
    slug: c.slug,
    name: c.name,
    type: c.type,
    columnType: c.column_type,
    description: c.description,
    keywords: c.keywords,
    linkUrl: c.link_url ?? "",
    updateDays: c.update_days ? String(c.update_days) : "",
    step1: c.review_steps[0] ?? "",
    step2: c.review_steps[1] ?? "",
    step3: c.review_steps[2] ?? "",
    position: String(c.position),
    inNav: c.in_nav ? "1" : "",
  };
}

function ColumnFields({ state, columns }: { state: FormState; columns: Column[] }) {
  const v = state.values;
  const f = state.fields ?? {};
  return (
    <>
      <Field name="name" label="栏目名称" value={v.name} error={f.name} required />
      <Field
        name="slug"
        label="栏目路径"
        value={v.slug}
        error={f.slug}
        required
        hint="小写字母、数字或连字符，如 gzdt"
      />
      <Field
        name="type"
        label="栏目类型"
        value={v.type}
        error={f.type}
        required
        options={COLUMN_KINDS.map((k) => ({ value: k, label: COLUMN_KIND_LABELS[k] }))}
      />
      <Field
        name="parentId"
        label="上级栏目"
        value={v.parentId}
        error={f.parentId}
        options={columns.map((c) => ({ value: String(c.id), label: c.name }))}
        hint="不选则为一级栏目"
      />
      <Field
        name="columnType"
        label="栏目分类（ColumnType）"
        value={v.columnType}
        error={f.columnType}
        options={NATIONAL_COLUMN_TYPES}
      />
      <Field name="linkUrl" label="外链地址" value={v.linkUrl} error={f.linkUrl} hint="仅外链栏目填写" />
      <Field
        name="updateDays"
        label="更新周期（天）"
        type="number"
        value={v.updateDays}
        error={f.updateDays}
        hint="用于栏目更新监测，如动态类 14、政策文件类 180"
      />
      <Field name="description" label="栏目描述" value={v.description} multiline={2} />
      <Field name="keywords" label="栏目关键词" value={v.keywords} />
      <fieldset>
        <legend>审核流程（0—3 级，按顺序填写；都不填则提交即发布）</legend>
        {f.reviewSteps && <p class="error-message">{f.reviewSteps}</p>}
        <Field name="step1" label="第 1 级" value={v.step1} hint="如 科室初审" />
        <Field name="step2" label="第 2 级" value={v.step2} hint="如 分管领导复审" />
        <Field name="step3" label="第 3 级" value={v.step3} hint="如 办公室终审" />
      </fieldset>
      <Field name="position" label="排序" type="number" value={v.position} hint="数字小的排在前面" />
      <div class="checkbox">
        <input type="checkbox" id="f-inNav" name="inNav" value="1" checked={v.inNav === "1"} />
        <label for="f-inNav">显示在导航中</label>
      </div>
    </>
  );
}

export function ColumnsPage(props: {
  frame: AdminFrame;
  site: Site;
  tree: ColumnNode[];
  columns: Column[];
  state: FormState;
}) {
  return (
    <AdminLayout frame={props.frame} title={`${props.site.name}：栏目管理`} section="sites">
      {props.tree.length === 0 ? <p>尚无栏目。</p> : <Tree nodes={props.tree} />}
      <h2>新建栏目</h2>
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <form method="post" action={`/admin/sites/${props.site.id}/columns`} class="narrow-form">
        <CsrfField token={props.frame.csrf} />
        <ColumnFields state={props.state} columns={props.columns} />
        <button type="submit">创建栏目</button>
      </form>
    </AdminLayout>
  );
}

export function ColumnPage(props: {
  frame: AdminFrame;
  site: Site;
  column: Column;
  columns: Column[];
  state: FormState;
}) {
  return (
    <AdminLayout frame={props.frame} title={`栏目：${props.column.name}`} section="sites">
      <p>
        <a href={`/admin/sites/${props.site.id}/columns`}>返回{props.site.name}栏目列表</a>
      </p>
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <form method="post" action={`/admin/columns/${props.column.id}`} class="narrow-form">
        <CsrfField token={props.frame.csrf} />
        <ColumnFields state={props.state} columns={props.columns.filter((c) => c.id !== props.column.id)} />
        <button type="submit">保存</button>
      </form>
      <h2>删除栏目</h2>
      <form method="post" action={`/admin/columns/${props.column.id}/delete`}>
        <CsrfField token={props.frame.csrf} />
        <p class="hint">只能删除没有子栏目、没有文档的栏目。</p>
        <button type="submit" class="warning">
          删除栏目
        </button>
      </form>
    </AdminLayout>
  );
}

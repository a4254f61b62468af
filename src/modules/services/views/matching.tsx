import type { FormState } from "../../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../../web/components.tsx";
import { PublicLayout, type SiteFrame } from "../../../web/layout.tsx";
import { ATTRIBUTES, describeCondition, OPS, type PolicyRule } from "../matching.ts";
import { ServicesAdminNav } from "./admin-items.tsx";
import { bsfwCrumbs, ServiceNav } from "./catalogue.tsx";

interface Match extends PolicyRule {
  item_code: string | null;
  item_name: string | null;
  because: string[];
}

export function MatchingPage(props: {
  frame: SiteFrame;
  audience: "个人" | "法人";
  state: FormState;
  matches: Match[] | null;
}) {
  const { frame, audience, state } = props;
  const f = state.fields ?? {};
  return (
    <PublicLayout frame={frame} title="政策计算器" crumbs={bsfwCrumbs(frame, { label: "政策计算器" })}>
      <h1>政策计算器</h1>
      <ServiceNav frame={frame} current="matching" />
      <p class="lead">
        填写几项基本情况，查看您可能享受的政策和可办理的服务，以及据以判断的条件。不填写的项目不参与匹配，填写内容不会被保存。
      </p>
      <nav class="subnav-inline" aria-label="适用对象">
        <ul>
          {(["个人", "法人"] as const).map((a) => (
            <li key={a}>
              <a
                href={`${frame.base}/bsfw/zcjsq/?dx=${encodeURIComponent(a)}`}
                aria-current={a === audience ? "page" : undefined}
              >
                {a === "个人" ? "个人（自然人）" : "企业和其他组织"}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="get" action={`${frame.base}/bsfw/zcjsq/`} class="narrow-form">
        <input type="hidden" name="dx" value={audience} />
        {ATTRIBUTES.filter((a) => a.audience === audience).map((a) => (
          <Field
            key={a.key}
            name={a.key}
            label={a.unit ? `${a.label}（${a.unit}）` : a.label}
            value={state.values[a.key]}
            error={f[a.key]}
            options={a.kind === "choice" ? a.options : undefined}
            type={a.kind === "number" ? "number" : "text"}
          />
        ))}
        <input type="hidden" name="run" value="1" />
        <button type="submit">查看可享受的政策</button>
      </form>
      {props.matches && (
        <section aria-labelledby="matches-title">
          <h2 id="matches-title">匹配结果（{props.matches.length} 项）</h2>
          {props.matches.length === 0 ? (
            <p>根据您填写的情况，暂未匹配到政策。可补充更多信息后再试，或拨打 12345 咨询。</p>
          ) : (
            <ul class="service-list">
              {props.matches.map((m) => (
                <li key={m.id}>
                  <h3>
                    {m.name}
                    {m.automatic && <span class="tag">免申即享</span>}
                  </h3>
                  <p>{m.benefit}</p>
                  <p class="hint">匹配依据：{m.because.join("；")}</p>
                  <p>
                    {m.policy_ref && (
                      <a href={`/ref/${m.policy_ref}`}>
                        查看政策原文<span class="visually-hidden">：{m.name}</span>
                      </a>
                    )}
                    {m.item_code && (
                      <>
                        {m.policy_ref && " · "}
                        <a href={`${frame.base}/bsfw/item/${encodeURIComponent(m.item_code)}`}>
                          {m.automatic ? "查看" : "办理"}“{m.item_name}”
                        </a>
                      </>
                    )}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </PublicLayout>
  );
}

export function RuleListPage({
  frame,
  rules,
}: {
  frame: AdminFrame;
  rules: (PolicyRule & { site_name: string })[];
}) {
  return (
    <AdminLayout frame={frame} title="政策匹配规则" section="services">
      <ServicesAdminNav current="rules" />
      <p>
        <a class="button" href="/admin/services/rules/new">
          新增规则
        </a>
      </p>
      <table class="data">
        <caption class="visually-hidden">政策匹配规则</caption>
        <thead>
          <tr>
            <th scope="col">名称</th>
            <th scope="col">对象</th>
            <th scope="col">条件</th>
            <th scope="col">维护部门</th>
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.id}>
              <td>
                <a href={`/admin/services/rules/${r.id}`}>{r.name}</a>
                {!r.active && <span class="tag">停用</span>}
              </td>
              <td>{r.audience}</td>
              <td>{r.conditions.map(describeCondition).join("；")}</td>
              <td>{r.site_name}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminLayout>
  );
}

export function RuleFormPage(props: {
  frame: AdminFrame;
  id: number | null;
  sites: { id: number; name: string }[];
  state: FormState;
}) {
  const v = props.state.values;
  const f = props.state.fields ?? {};
  const attributes = ATTRIBUTES.map(
    (a) => `${a.key}（${a.audience}·${a.label}${a.options ? `：${a.options.join("/")}` : "，数字"}）`,
  ).join("；");
  return (
    <AdminLayout
      frame={props.frame}
      title={props.id === null ? "新增政策匹配规则" : `编辑规则：${v.name ?? ""}`}
      section="services"
    >
      <ServicesAdminNav current="rules" />
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <form
        method="post"
        action={props.id === null ? "/admin/services/rules/new" : `/admin/services/rules/${props.id}`}
        class="narrow-form"
        noValidate
      >
        <CsrfField token={props.frame.csrf} />
        <Field name="name" label="政策或服务名称" value={v.name} error={f.name} required />
        <Field
          name="audience"
          label="适用对象"
          value={v.audience}
          error={f.audience}
          required
          options={["个人", "法人"]}
        />
        <Field
          name="siteId"
          label="维护部门"
          value={v.siteId}
          error={f.siteId}
          required
          options={props.sites.map((s) => ({ value: String(s.id), label: s.name }))}
        />
        <Field
          name="benefit"
          label="可享受的内容及依据条款"
          value={v.benefit}
          error={f.benefit}
          required
          multiline={3}
        />
        <Field
          name="conditions"
          label="匹配条件（全部满足才匹配）"
          value={v.conditions}
          error={f.conditions}
          required
          multiline={4}
          hint={`每行一条：属性 运算符 取值，运算符为 ${Object.entries(OPS)
            .map(([op, label]) => `${op}（${label}）`)
            .join("、")}，“in”的取值用顿号分隔。可用属性：${attributes}`}
        />
        <Field name="policyRef" label="政策编号（如 pol-045）" value={v.policyRef} error={f.policyRef} />
        <Field name="itemCode" label="办理事项编码" value={v.itemCode} error={f.itemCode} />
        <div class="checkbox">
          <input type="checkbox" id="f-automatic" name="automatic" value="1" checked={v.automatic === "1"} />
          <label for="f-automatic">免申即享（无需申请，数据比对后直接享受）</label>
        </div>
        <div class="checkbox">
          <input type="checkbox" id="f-active" name="active" value="1" checked={v.active === "1"} />
          <label for="f-active">启用</label>
        </div>
        <button type="submit">保存</button>
      </form>
    </AdminLayout>
  );
}

import { ADMIN_ROLES } from "../../core/auth/permissions.ts";
import type { FormState } from "../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../web/components.tsx";
import { formatDateTime } from "../../web/html.ts";
import { PlainPage } from "../../web/layout.tsx";
import { REQUEST_STATES, type RequestState } from "../disclosure/request-schema.ts";
import type { Grant } from "./schema.ts";
import { ROLE_LABELS, ROLES } from "./schema.ts";

export function StaffLoginPage({ csrf, next, state }: { csrf: string; next: string; state: FormState }) {
  return (
    <PlainPage title="管理后台登录">
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action="/admin/login" class="narrow-form">
        <CsrfField token={csrf} />
        <input type="hidden" name="next" value={next} />
        <Field
          name="username"
          label="用户名"
          value={state.values.username}
          required
          autocomplete="username"
        />
        <Field name="password" label="密码" type="password" required autocomplete="current-password" />
        <button type="submit">登录</button>
      </form>
      <p>
        <a href="/">返回网站首页</a>
      </p>
    </PlainPage>
  );
}

export function CitizenLoginPage({
  csrf,
  next,
  state,
  oidcName,
}: {
  csrf: string;
  next: string;
  state: FormState;
  /** The 统一身份认证 provider's name, when one is configured. */
  oidcName?: string | undefined;
}) {
  return (
    <PlainPage title="用户登录">
      <ErrorSummary message={state.error} fields={state.fields} />
      {oidcName && (
        <div class="oidc-login">
          <p>
            <a class="button" href={`/account/oidc/login?next=${encodeURIComponent(next)}`}>
              使用{oidcName}登录
            </a>
          </p>
          <p class="hint">
            首次使用将以{oidcName}提供的姓名和已验证的手机号码开通本平台账号，即表示您同意
            <a href="/privacy">《个人信息保护说明》</a>。
          </p>
          <h2>用手机号码和密码登录</h2>
        </div>
      )}
      <form method="post" action="/account/login" class="narrow-form">
        <CsrfField token={csrf} />
        <input type="hidden" name="next" value={next} />
        <Field
          name="phone"
          label="手机号码"
          type="tel"
          value={state.values.phone}
          required
          autocomplete="tel"
        />
        <Field name="password" label="密码" type="password" required autocomplete="current-password" />
        <button type="submit">登录</button>
      </form>
      <p>
        <a href={`/account/sms?next=${encodeURIComponent(next)}`}>短信验证码登录</a>（无需注册） ·
        还没有账号？
        <a href="/account/register">立即注册</a> · <a href="/">返回首页</a>
      </p>
    </PlainPage>
  );
}

export function RegisterPage({ csrf, state }: { csrf: string; state: FormState }) {
  const f = state.fields ?? {};
  return (
    <PlainPage title="用户注册">
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action="/account/register" class="narrow-form">
        <CsrfField token={csrf} />
        <Field
          name="phone"
          label="手机号码"
          type="tel"
          value={state.values.phone}
          error={f.phone}
          required
          autocomplete="tel"
          hint="用于登录和接收办理结果通知，将加密保存"
        />
        <Field
          name="displayName"
          label="称呼"
          value={state.values.displayName}
          error={f.displayName}
          required
          autocomplete="name"
        />
        <Field
          name="password"
          label="密码"
          type="password"
          error={f.password}
          required
          autocomplete="new-password"
          hint="至少 8 位，包含大写字母、小写字母、数字、符号中的至少三种"
        />
        <Field
          name="passwordConfirm"
          label="确认密码"
          type="password"
          error={f.passwordConfirm}
          required
          autocomplete="new-password"
        />
        <div class={`field checkbox${f.agreed ? " field-error" : ""}`}>
          {f.agreed && (
            <p class="error-message" id="f-agreed-error">
              <span class="visually-hidden">错误：</span>
              {f.agreed}
            </p>
          )}
          <input
            type="checkbox"
            id="f-agreed"
            name="agreed"
            value="1"
            checked={state.values.agreed === "1"}
            aria-describedby={f.agreed ? "f-agreed-error" : undefined}
            aria-invalid={f.agreed ? "true" : undefined}
          />
          <label for="f-agreed">
            我已阅读并同意《个人信息保护说明》（见本页下方链接）：手机号码仅用于登录和办事通知，加密存储，不对外公开。
          </label>
        </div>
        <button type="submit">注册</button>
      </form>
      <p>
        <a href="/privacy">个人信息保护说明</a> · 已有账号？<a href="/account/login">直接登录</a>
      </p>
    </PlainPage>
  );
}

export function AccountPage({
  csrf,
  user,
  requests,
}: {
  csrf: string;
  user: { display_name: string; phone_masked: string | null; created_at: Date };
  requests: {
    id: number;
    tracking_no: string;
    description: string;
    state: RequestState;
    due_on: string | null;
  }[];
}) {
  return (
    <PlainPage title="个人中心">
      <table class="facts">
        <tbody>
          <tr>
            <th scope="row">称呼</th>
            <td>{user.display_name}</td>
          </tr>
          <tr>
            <th scope="row">手机号码</th>
            <td>{user.phone_masked ?? "—"}</td>
          </tr>
          <tr>
            <th scope="row">注册时间</th>
            <td>{formatDateTime(user.created_at)}</td>
          </tr>
        </tbody>
      </table>
      <p>
        <a href="/account/bsfw/">我的办件</a> · <a href="/account/licences">我的证照</a> ·{" "}
        <a href="/account/inbox">站内消息</a>
      </p>
      <h2>我的政府信息公开申请</h2>
      {requests.length === 0 ? (
        <p class="empty">暂无申请。</p>
      ) : (
        <ul>
          {requests.map((r) => (
            <li key={r.id}>
              <a href={`/account/requests/${r.id}`}>{r.tracking_no}</a> {r.description.slice(0, 30)}（
              {REQUEST_STATES[r.state]}）
            </li>
          ))}
        </ul>
      )}
      <h2>我的个人信息</h2>
      <ul>
        <li>
          <a href="/account/privacy">查阅和更正我的个人信息</a>（称呼、手机号码、统一身份认证绑定、撤回同意）
        </li>
        <li>
          <a href="/account/data.json">下载我的全部个人数据</a>（JSON 格式）
        </li>
        <li>
          <a href="/privacy">个人信息保护说明</a>（收集哪些信息、为什么、保存多久）
        </li>
        <li>
          <a href="/account/close">注销账号</a>
        </li>
      </ul>
      <form method="post" action="/account/logout">
        <CsrfField token={csrf} />
        <button type="submit">退出登录</button>
      </form>
      <p>
        <a href="/">返回首页</a>
      </p>
    </PlainPage>
  );
}

interface StaffRow {
  id: number;
  username: string | null;
  display_name: string;
  status: string;
  last_login_at: Date | null;
  department_name: string | null;
}

export function UsersPage({
  frame,
  users,
  mayCreate,
}: {
  frame: AdminFrame;
  users: StaffRow[];
  mayCreate: boolean;
}) {
  return (
    <AdminLayout frame={frame} title="用户与授权" section="users">
      {mayCreate && (
        <p>
          <a class="button" href="/admin/users/new">
            新建工作人员账号
          </a>
        </p>
      )}
      <table class="data">
        <caption class="visually-hidden">工作人员账号</caption>
        <thead>
          <tr>
            <th scope="col">用户名</th>
            <th scope="col">姓名</th>
            <th scope="col">所属部门</th>
            <th scope="col">状态</th>
            <th scope="col">最近登录</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>
                <a href={`/admin/users/${u.id}`}>{u.username}</a>
              </td>
              <td>{u.display_name}</td>
              <td>{u.department_name ?? "—"}</td>
              <td>{u.status === "active" ? "正常" : "已停用"}</td>
              <td>{formatDateTime(u.last_login_at) || "从未登录"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminLayout>
  );
}

export function NewUserPage(props: {
  frame: AdminFrame;
  state: FormState;
  departments: { id: number; name: string }[];
}) {
  const f = props.state.fields ?? {};
  const v = props.state.values;
  return (
    <AdminLayout frame={props.frame} title="新建工作人员账号" section="users">
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <form method="post" action="/admin/users/new" class="narrow-form">
        <CsrfField token={props.frame.csrf} />
        <Field
          name="username"
          label="用户名"
          value={v.username}
          error={f.username}
          required
          autocomplete="off"
        />
        <Field name="displayName" label="姓名" value={v.displayName} error={f.displayName} required />
        <Field
          name="departmentId"
          label="所属部门"
          value={v.departmentId}
          options={props.departments.map((d) => ({ value: String(d.id), label: d.name }))}
        />
        <Field
          name="password"
          label="初始密码"
          type="password"
          error={f.password}
          required
          autocomplete="new-password"
          hint="至少 8 位，包含大写字母、小写字母、数字、符号中的至少三种"
        />
        <button type="submit">创建账号</button>
      </form>
    </AdminLayout>
  );
}

type UserPageProps = Parameters<typeof UserPage>[0];

/** 安全管理员: unlock an account locked by failed sign-ins, clear a lost authenticator. */
function SecurityLevers({ csrf, user }: { csrf: string; user: UserPageProps["user"] }) {
  const locked = user.locked_until !== null && user.locked_until.getTime() > Date.now();
  return (
    <>
      <h2>登录安全</h2>
      <table class="facts">
        <tbody>
          <tr>
            <th scope="row">锁定状态</th>
            <td>
              {locked ? `已锁定，至 ${formatDateTime(user.locked_until)}` : "未锁定"}
              {locked && (
                <form method="post" action={`/admin/users/${user.id}/unlock`} class="inline-form">
                  <CsrfField token={csrf} /> <button type="submit">解除锁定</button>
                </form>
              )}
            </td>
          </tr>
          <tr>
            <th scope="row">动态口令</th>
            <td>
              {user.totp_enabled_at ? `已于 ${formatDateTime(user.totp_enabled_at)} 绑定` : "未绑定"}
              {user.totp_enabled_at && (
                <form method="post" action={`/admin/users/${user.id}/mfa/reset`} class="inline-form">
                  <CsrfField token={csrf} /> <button type="submit">重置动态口令</button>
                </form>
              )}
            </td>
          </tr>
        </tbody>
      </table>
    </>
  );
}

function GrantForm(props: UserPageProps) {
  const { frame, user } = props;
  const f = props.state.fields ?? {};
  return (
    <>
      <h2>新增授权</h2>
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <form method="post" action={`/admin/users/${user.id}/grants`} class="narrow-form">
        <CsrfField token={frame.csrf} />
        <Field
          name="role"
          label="角色"
          value={props.state.values.role}
          error={f.role}
          required
          options={ROLES.filter((r) => props.security || !ADMIN_ROLES.includes(r)).map((r) => ({
            value: r,
            label: ROLE_LABELS[r],
          }))}
        />
        <Field
          name="scope"
          label="授权范围"
          value={props.state.values.scope}
          error={f.scope}
          hint="选择站点即授权整个站点；选择栏目则只授权该栏目及其子栏目"
          options={[
            ...(props.security ? [{ value: "all", label: "全部站点" }] : []),
            ...props.sites.flatMap((s) => [
              { value: `site:${s.id}`, label: `${s.name}（全站）` },
              ...s.columns.map((c) => ({ value: `column:${s.id}:${c.id}`, label: `${s.name} / ${c.name}` })),
            ]),
          ]}
        />
        <Field
          name="reviewLevel"
          label="审核级别（仅审核人）"
          value={props.state.values.reviewLevel}
          error={f.reviewLevel}
          options={["1", "2", "3"].map((l) => ({ value: l, label: `第 ${l} 级` }))}
        />
        <button type="submit">授权</button>
      </form>
    </>
  );
}

export interface GrantRow extends Pick<Grant, "id" | "role" | "review_level"> {
  site_name: string | null;
  column_name: string | null;
  mayRevoke: boolean;
}

export function UserPage(props: {
  frame: AdminFrame;
  user: {
    id: number;
    username: string | null;
    display_name: string;
    status: string;
    locked_until: Date | null;
    totp_enabled_at: Date | null;
  };
  grants: GrantRow[];
  sites: { id: number; name: string; columns: { id: number; name: string }[] }[];
  /** A system administrator: may change account status. */
  platform: boolean;
  /** A security administrator: may grant any role, including the 三员, over all sites. */
  security: boolean;
  state: FormState;
}) {
  const { frame, user } = props;
  return (
    <AdminLayout frame={frame} title={`${user.display_name}（${user.username}）`} section="users">
      <h2>授权</h2>
      {props.grants.length === 0 ? (
        <p>尚未授权。</p>
      ) : (
        <table class="data">
          <caption class="visually-hidden">已有授权</caption>
          <thead>
            <tr>
              <th scope="col">角色</th>
              <th scope="col">范围</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {props.grants.map((g) => (
              <tr key={g.id}>
                <td>
                  {ROLE_LABELS[g.role]}
                  {g.review_level && `（第 ${g.review_level} 级）`}
                </td>
                <td>
                  {g.site_name
                    ? `${g.site_name}${g.column_name ? ` / ${g.column_name}` : "（全站）"}`
                    : "全部站点"}
                </td>
                <td>
                  {g.mayRevoke ? (
                    <form
                      method="post"
                      action={`/admin/users/${user.id}/grants/${g.id}/delete`}
                      class="inline-form"
                    >
                      <CsrfField token={frame.csrf} />
                      <button type="submit" class="link-button">
                        撤销<span class="visually-hidden">{ROLE_LABELS[g.role]}授权</span>
                      </button>
                    </form>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(props.security || props.sites.length > 0) && <GrantForm {...props} />}
      {props.security && <SecurityLevers csrf={frame.csrf} user={user} />}
      {props.platform && (
        <>
          <h2>账号状态</h2>
          <form method="post" action={`/admin/users/${user.id}/status`} class="inline-form">
            <CsrfField token={frame.csrf} />
            <input type="hidden" name="status" value={user.status === "active" ? "disabled" : "active"} />
            <p>
              当前状态：{user.status === "active" ? "正常" : "已停用"}{" "}
              <button type="submit">{user.status === "active" ? "停用账号" : "启用账号"}</button>
            </p>
          </form>
        </>
      )}
    </AdminLayout>
  );
}

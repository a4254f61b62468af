import type { FormState } from "../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../web/components.tsx";
import { formatDateTime } from "../../web/html.ts";
import { PlainPage } from "../../web/layout.tsx";
import type { Enrolment } from "./mfa.ts";

/* ---------------------------------------------------------- sign-in steps (no actor yet) */

export function MfaStepPage({ csrf, next, state }: { csrf: string; next: string; state: FormState }) {
  const f = state.fields ?? {};
  return (
    <PlainPage title="动态口令验证">
      <ErrorSummary message={state.error} fields={state.fields} />
      <p>请打开手机上的身份验证器应用，输入“政务网站集约化平台”当前显示的 6 位动态口令。</p>
      <form method="post" action="/admin/login/mfa" class="narrow-form">
        <CsrfField token={csrf} />
        <input type="hidden" name="next" value={next} />
        <Field
          name="code"
          label="动态口令或恢复码"
          error={f.code}
          required
          autocomplete="one-time-code"
          hint="手机丢失时，可输入绑定时保存的恢复码（每个只能用一次）"
        />
        <button type="submit">验证</button>
      </form>
      <p>
        <a href="/admin/login">返回登录</a>
      </p>
    </PlainPage>
  );
}

function EnrolSteps(props: {
  csrf: string;
  action: string;
  next?: string;
  enrolment: Enrolment;
  state: FormState;
}) {
  const f = props.state.fields ?? {};
  const grouped = props.enrolment.secret.replace(/(.{4})/g, "$1 ").trim();
  return (
    <>
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <ol class="steps">
        <li>在手机上安装身份验证器应用（支持 TOTP 标准的均可）。</li>
        <li>
          用应用扫描下面的二维码：
          <p>
            <img
              class="qr-code"
              src={`data:image/svg+xml;base64,${Buffer.from(props.enrolment.qrSvg).toString("base64")}`}
              alt="动态口令绑定二维码（无法扫描时请手动输入下方密钥）"
              width={200}
              height={200}
            />
          </p>
          无法扫描时，选择“手动输入密钥”，输入：
          <code class="totp-secret">{grouped}</code>
        </li>
        <li>输入应用显示的 6 位数字，完成绑定。</li>
      </ol>
      <form method="post" action={props.action} class="narrow-form">
        <CsrfField token={props.csrf} />
        {props.next !== undefined && <input type="hidden" name="next" value={props.next} />}
        <Field
          name="code"
          label="动态口令"
          error={f.code}
          required
          autocomplete="one-time-code"
          hint="6 位数字"
        />
        <button type="submit">完成绑定</button>
      </form>
    </>
  );
}

export function EnrolStepPage(props: { csrf: string; next: string; enrolment: Enrolment; state: FormState }) {
  return (
    <PlainPage title="绑定动态口令">
      <p>按照网络安全等级保护要求，管理员和审核人员登录须使用动态口令。请先完成绑定。</p>
      <EnrolSteps {...props} action="/admin/login/enrol" />
    </PlainPage>
  );
}

function RecoveryCodeList({ codes }: { codes: string[] }) {
  return (
    <>
      <p>
        下面是 {codes.length} 个恢复码，手机丢失或无法使用时，每个可代替动态口令登录一次。
        <strong>它们只显示这一次</strong>，请打印或抄写后妥善保管，不要保存在手机里。
      </p>
      <ul class="recovery-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </>
  );
}

export function RecoveryCodesStepPage({ codes, next }: { codes: string[]; next: string }) {
  return (
    <PlainPage title="动态口令已绑定">
      <RecoveryCodeList codes={codes} />
      <p>
        <a class="button" href={next}>
          我已保存，继续
        </a>
      </p>
    </PlainPage>
  );
}

function PasswordFields({ state }: { state: FormState }) {
  const f = state.fields ?? {};
  return (
    <>
      <Field
        name="current"
        label="当前密码"
        type="password"
        error={f.current}
        required
        autocomplete="current-password"
      />
      <Field
        name="next"
        label="新密码"
        type="password"
        error={f.next}
        required
        autocomplete="new-password"
        hint="至少 8 位，包含大写字母、小写字母、数字、符号中的至少三种；不能是常见密码、不能包含用户名、不能与最近用过的密码相同"
      />
      <Field
        name="confirm"
        label="确认新密码"
        type="password"
        error={f.confirm}
        required
        autocomplete="new-password"
      />
    </>
  );
}

export function ExpiredPasswordPage({ csrf, next, state }: { csrf: string; next: string; state: FormState }) {
  return (
    <PlainPage title="密码已过期">
      <p>您的密码已超过有效期，请设置新密码后继续。</p>
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action="/admin/login/password" class="narrow-form">
        <CsrfField token={csrf} />
        <input type="hidden" name="nextUrl" value={next} />
        <PasswordFields state={state} />
        <button type="submit">修改密码并继续</button>
      </form>
    </PlainPage>
  );
}

/* ---------------------------------------------------------- signed-in: my account's security */

export interface SessionRow {
  key: string;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string;
  userAgent: string;
  current: boolean;
}

export function AccountSecurityPage(props: {
  frame: AdminFrame;
  mfa: { enabledAt: Date | null; recoveryCodesLeft: number; deadline: Date | null };
  passwordChangedAt: Date;
  passwordExpiresAt: Date | null;
  sessions: SessionRow[];
}) {
  const { frame, mfa } = props;
  return (
    <AdminLayout frame={frame} title="账号安全" section="security">
      <h2>动态口令</h2>
      {mfa.enabledAt ? (
        <>
          <p>
            已于 {formatDateTime(mfa.enabledAt)} 绑定。剩余恢复码 {mfa.recoveryCodesLeft} 个。
          </p>
          <form method="post" action="/admin/security/recovery-codes" class="inline-form">
            <CsrfField token={frame.csrf} />
            <button type="submit">重新生成恢复码</button>
          </form>
        </>
      ) : (
        <p>
          尚未绑定。
          {mfa.deadline &&
            `您的角色须使用动态口令，请在 ${formatDateTime(mfa.deadline)} 前绑定，逾期登录时将要求先绑定。`}{" "}
          <a href="/admin/security/mfa">绑定动态口令</a>
        </p>
      )}
      <h2>密码</h2>
      <p>
        上次修改：{formatDateTime(props.passwordChangedAt)}
        {props.passwordExpiresAt && `；有效期至 ${formatDateTime(props.passwordExpiresAt)}`}。{" "}
        <a href="/admin/security/password">修改密码</a>
      </p>
      <h2>登录会话</h2>
      <table class="data">
        <caption class="visually-hidden">您当前有效的登录会话</caption>
        <thead>
          <tr>
            <th scope="col">登录时间</th>
            <th scope="col">最近活动</th>
            <th scope="col">IP 地址</th>
            <th scope="col">浏览器</th>
            <th scope="col">操作</th>
          </tr>
        </thead>
        <tbody>
          {props.sessions.map((s) => (
            <tr key={s.key}>
              <td>{formatDateTime(s.createdAt)}</td>
              <td>{formatDateTime(s.lastSeenAt)}</td>
              <td>{s.ip}</td>
              <td>{s.userAgent.slice(0, 80)}</td>
              <td>
                {s.current ? (
                  "当前会话"
                ) : (
                  <form method="post" action={`/admin/security/sessions/${s.key}/delete`} class="inline-form">
                    <CsrfField token={frame.csrf} />
                    <button type="submit" class="link-button">
                      注销<span class="visually-hidden">{formatDateTime(s.createdAt)} 登录的会话</span>
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminLayout>
  );
}

export function EnrolPage(props: { frame: AdminFrame; enrolment: Enrolment; state: FormState }) {
  return (
    <AdminLayout frame={props.frame} title="绑定动态口令" section="security">
      <EnrolSteps
        csrf={props.frame.csrf}
        action="/admin/security/mfa"
        enrolment={props.enrolment}
        state={props.state}
      />
    </AdminLayout>
  );
}

export function RecoveryCodesPage({ frame, codes }: { frame: AdminFrame; codes: string[] }) {
  return (
    <AdminLayout frame={frame} title="恢复码" section="security">
      <RecoveryCodeList codes={codes} />
      <p>
        <a href="/admin/security">返回账号安全</a>
      </p>
    </AdminLayout>
  );
}

export function ChangePasswordPage({ frame, state }: { frame: AdminFrame; state: FormState }) {
  return (
    <AdminLayout frame={frame} title="修改密码" section="security">
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action="/admin/security/password" class="narrow-form">
        <CsrfField token={frame.csrf} />
        <PasswordFields state={state} />
        <button type="submit">修改密码</button>
      </form>
    </AdminLayout>
  );
}

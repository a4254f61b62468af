import type { FormState } from "../../core/http/forms.ts";
import { CsrfField, ErrorSummary, Field } from "../../web/components.tsx";
import { formatDateTime } from "../../web/html.ts";
import { PlainPage } from "../../web/layout.tsx";
import { SMS_CODE_MINUTES } from "./sms-login.ts";

export const PRIVACY_MESSAGES: Record<string, string> = {
  name: "称呼已更正。",
  phone: "手机号码已更换。",
  linked: "已绑定统一身份认证，今后可以用它登录。",
  unlinked: "已解除统一身份认证绑定。",
  withdrawn: "已撤回同意，相关处理已停止。",
  renewed: "已重新同意。",
};

export interface MyDataProps {
  csrf: string;
  user: { display_name: string; phone_masked: string | null };
  links: { id: number; provider_name: string; linked_at: Date; last_used_at: Date | null }[];
  consents: {
    purpose: string;
    label: string;
    what: string;
    required: boolean;
    open: { granted_at: Date; notice_version: string } | undefined;
    latest: { granted_at: Date; withdrawn_at: Date | null; notice_version: string } | undefined;
  }[];
  /** The configured provider's name, when 统一身份认证 is on. */
  oidcName: string | null;
  message?: string | undefined;
  state: FormState;
}

/** 我的个人信息: see, correct, withdraw consents, unlink; export and closing are one link away. */
export function MyDataPage(props: MyDataProps) {
  const f = props.state.fields ?? {};
  return (
    <PlainPage title="我的个人信息">
      {props.message && (
        <p class="flash" role="status">
          {props.message}
        </p>
      )}
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <p>
        依照《个人信息保护法》，您可以在本页查阅、更正您的个人信息，撤回同意，管理统一身份认证绑定。各项信息的用途和保存期限见
        <a href="/privacy">个人信息保护说明</a>。
      </p>

      <h2>更正称呼</h2>
      <form method="post" action="/account/privacy/name" class="narrow-form">
        <CsrfField token={props.csrf} />
        <Field
          name="displayName"
          label="称呼"
          value={props.state.values.displayName ?? props.user.display_name}
          error={f.displayName}
          required
          autocomplete="name"
          hint="不超过 40 字，用于个人中心和答复中称呼您"
        />
        <button type="submit">保存称呼</button>
      </form>

      <h2>更换手机号码</h2>
      <p>当前手机号码：{props.user.phone_masked ?? "未绑定"}</p>
      <form method="post" action="/account/privacy/phone/send" class="narrow-form">
        <CsrfField token={props.csrf} />
        <Field
          name="phone"
          label="新手机号码"
          type="tel"
          value={props.state.values.phone}
          error={f.phone}
          required
          autocomplete="tel"
          hint="我们会向新号码发送验证码，验证后才会更换"
        />
        <button type="submit">获取验证码</button>
      </form>

      <h2 id="oidc">统一身份认证</h2>
      {f.unlink && (
        <p class="error-message" id="f-unlink">
          <span class="visually-hidden">错误：</span>
          {f.unlink}
        </p>
      )}
      {props.links.length === 0 ? (
        <p class="empty">未绑定统一身份认证账号。</p>
      ) : (
        <ul>
          {props.links.map((l) => (
            <li key={l.id}>
              {l.provider_name}（绑定于 {formatDateTime(l.linked_at)}
              {l.last_used_at ? `，最近使用 ${formatDateTime(l.last_used_at)}` : ""}）
              <form method="post" action={`/account/privacy/links/${l.id}/unlink`} class="inline-form">
                <CsrfField token={props.csrf} />{" "}
                <button type="submit" class="secondary">
                  解除绑定<span class="visually-hidden">：{l.provider_name}</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      {props.oidcName && (
        <form method="post" action="/account/oidc/link">
          <CsrfField token={props.csrf} />
          <button type="submit">绑定{props.oidcName}账号</button>
        </form>
      )}

      <h2 id="consents">我的同意</h2>
      <table class="facts consents">
        <thead>
          <tr>
            <th scope="col">事项</th>
            <th scope="col">状态</th>
            <th scope="col">操作</th>
          </tr>
        </thead>
        <tbody>
          {props.consents.map((c) => (
            <tr key={c.purpose}>
              <th scope="row">
                {c.label}
                {c.required ? "（必需）" : "（可选）"}
                <p class="hint">{c.what}</p>
              </th>
              <td>
                {c.open
                  ? `已同意（${formatDateTime(c.open.granted_at)}，说明第 ${c.open.notice_version} 版）`
                  : c.latest?.withdrawn_at
                    ? `已撤回（${formatDateTime(c.latest.withdrawn_at)}）`
                    : "未同意"}
              </td>
              <td>
                {c.required ? (
                  <p>
                    撤回此项同意即不再使用本平台账号，请
                    <a href="/account/close">注销账号</a>。
                  </p>
                ) : (
                  <form
                    method="post"
                    action={`/account/privacy/consents/${c.purpose}/${c.open ? "withdraw" : "renew"}`}
                  >
                    <CsrfField token={props.csrf} />
                    <button type="submit" class={c.open ? "secondary" : undefined}>
                      {c.open ? "撤回同意" : "重新同意"}
                      <span class="visually-hidden">：{c.label}</span>
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>复制与注销</h2>
      <ul>
        <li>
          <a href="/account/data.json">下载我的全部个人数据</a>（JSON 格式）
        </li>
        <li>
          <a href="/account/close">注销账号</a>
        </li>
      </ul>
      <p>
        <a href="/account">返回个人中心</a>
      </p>
    </PlainPage>
  );
}

/** Step two of changing the phone: the code sent to the new number. */
export function PhoneCodePage(props: { csrf: string; phone: string; maskedPhone: string; state: FormState }) {
  const f = props.state.fields ?? {};
  return (
    <PlainPage title="验证新手机号码">
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <p role="status">
        验证码已发送至 {props.maskedPhone}，{SMS_CODE_MINUTES} 分钟内有效。
      </p>
      <form method="post" action="/account/privacy/phone/verify" class="narrow-form">
        <CsrfField token={props.csrf} />
        <input type="hidden" name="phone" value={props.phone} />
        <Field
          name="code"
          label="短信验证码"
          error={f.code}
          required
          autocomplete="one-time-code"
          hint="6 位数字"
        />
        <button type="submit">确认更换</button>
      </form>
      <p>
        <a href="/account/privacy">取消，返回我的个人信息</a>
      </p>
    </PlainPage>
  );
}

/** Before leaving for the provider to link: a plain link, since forms may only post to this site. */
export function LeaveForProviderPage({ name, url }: { name: string; url: string }) {
  return (
    <PlainPage title={`绑定${name}账号`}>
      <p>请在{name}完成身份认证，完成后将自动返回本平台并绑定到您的账号。</p>
      <p>
        <a class="button" href={url}>
          前往{name}
        </a>
      </p>
      <p>
        <a href="/account/privacy">取消</a>
      </p>
    </PlainPage>
  );
}

export function OidcFailedPage({ message }: { message: string }) {
  return (
    <PlainPage title="统一身份认证未完成">
      <p class="error-message" role="alert">
        {message}
      </p>
      <p>
        <a href="/account/login">返回登录页面</a> · <a href="/account">个人中心</a>
      </p>
    </PlainPage>
  );
}

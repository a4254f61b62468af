import type { FormState } from "../../core/http/forms.ts";
import { CsrfField, ErrorSummary, Field } from "../../web/components.tsx";
import { PlainPage } from "../../web/layout.tsx";

function ConsentBox({ checked, error }: { checked: boolean; error?: string | undefined }) {
  return (
    <div class={`field checkbox${error ? " field-error" : ""}`}>
      {error && (
        <p class="error-message" id="f-agreed-error">
          <span class="visually-hidden">错误：</span>
          {error}
        </p>
      )}
      <input
        type="checkbox"
        id="f-agreed"
        name="agreed"
        value="1"
        checked={checked}
        aria-describedby={error ? "f-agreed-error" : undefined}
        aria-invalid={error ? "true" : undefined}
      />
      <label for="f-agreed">
        我已阅读并同意《个人信息保护说明》：手机号码仅用于登录和办事通知，加密存储，不对外公开；首次使用将以此号码注册账号。
      </label>
    </div>
  );
}

/** Step one: the phone number (and consent, since the first code also opens an account). */
export function SmsLoginPage({ csrf, next, state }: { csrf: string; next: string; state: FormState }) {
  const f = state.fields ?? {};
  return (
    <PlainPage title="短信验证码登录">
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action="/account/sms/send" class="narrow-form">
        <CsrfField token={csrf} />
        <input type="hidden" name="next" value={next} />
        <Field
          name="phone"
          label="手机号码"
          type="tel"
          value={state.values.phone}
          error={f.phone}
          required
          autocomplete="tel"
        />
        <ConsentBox checked={state.values.agreed === "1"} error={f.agreed} />
        <button type="submit">获取验证码</button>
      </form>
      <p>
        <a href={`/account/login?next=${encodeURIComponent(next)}`}>用密码登录</a> · <a href="/">返回首页</a>
      </p>
    </PlainPage>
  );
}

/** Step two: the code, with the phone carried in the form (never in the address bar). */
export function SmsCodePage(props: {
  csrf: string;
  next: string;
  phone: string;
  maskedPhone: string;
  minutes: number;
  state: FormState;
}) {
  const f = props.state.fields ?? {};
  return (
    <PlainPage title="输入短信验证码">
      <ErrorSummary message={props.state.error} fields={props.state.fields} />
      <p role="status">
        验证码已发送至 {props.maskedPhone}，{props.minutes} 分钟内有效。
      </p>
      <form method="post" action="/account/sms/verify" class="narrow-form">
        <CsrfField token={props.csrf} />
        <input type="hidden" name="next" value={props.next} />
        <input type="hidden" name="phone" value={props.phone} />
        <Field
          name="code"
          label="短信验证码"
          error={f.code}
          required
          autocomplete="one-time-code"
          hint="6 位数字"
        />
        <button type="submit">登录</button>
      </form>
      <form method="post" action="/account/sms/send" class="inline-form">
        <CsrfField token={props.csrf} />
        <input type="hidden" name="next" value={props.next} />
        <input type="hidden" name="phone" value={props.phone} />
        <input type="hidden" name="agreed" value="1" />
        <p>
          没有收到？
          <button type="submit" class="link-button">
            重新获取验证码
          </button>
          （每分钟一次）
        </p>
      </form>
    </PlainPage>
  );
}

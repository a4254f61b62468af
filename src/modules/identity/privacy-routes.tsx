import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../core/context.ts";
import { RedirectToLogin } from "../../core/http/admin.ts";
import { type FormState, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import { CsrfField, ErrorSummary, Field } from "../../web/components.tsx";
import { PlainPage } from "../../web/layout.tsx";
import { citizenDataExport, closeCitizenAccount } from "./privacy.ts";
import { SESSION_COOKIE } from "./session-cookie.ts";

/** 个人信息保护说明: what is collected, why, for how long, and how to use one's rights. */
function PrivacyPage() {
  return (
    <PlainPage title="个人信息保护说明">
      <p>本平台依照《中华人民共和国个人信息保护法》处理您的个人信息，只收集办事所必需的信息。</p>
      <h2>收集哪些信息、为什么</h2>
      <table class="facts">
        <tbody>
          <tr>
            <th scope="row">手机号码</th>
            <td>用于登录（短信验证码）和接收办理结果通知。加密保存，页面上一律打码显示。</td>
          </tr>
          <tr>
            <th scope="row">称呼</th>
            <td>用于在个人中心和回复中称呼您。</td>
          </tr>
          <tr>
            <th scope="row">申请材料中的身份证明、联系方式、地址</th>
            <td>
              依《政府信息公开条例》办理您的申请所必需。逐项加密保存，只有承办人员在写明理由后才能查看完整信息，每次查看都记入安全审计。
            </td>
          </tr>
          <tr>
            <th scope="row">登录记录（时间、IP 地址）</th>
            <td>依《网络安全法》第二十一条留存网络日志，用于保障账号安全。</td>
          </tr>
        </tbody>
      </table>
      <h2>保存多久</h2>
      <ul>
        <li>账号信息：保存至您注销账号为止；注销后手机号码和称呼立即删除。</li>
        <li>已提交的申请：按政府信息公开工作档案的规定由受理机关保存，注销账号后不再与您的账号关联。</li>
        <li>登录记录和安全审计记录：至少保存六个月。</li>
      </ul>
      <h2>您的权利</h2>
      <p>
        登录后在<a href="/account">个人中心</a>
        可以查看您的信息、下载全部个人数据（查阅、复制权）、注销账号（删除权）。对个人信息处理有疑问或投诉，请拨打
        12345 政务服务便民热线。
      </p>
      <p>
        <a href="/">返回首页</a>
      </p>
    </PlainPage>
  );
}

function CloseAccountPage({ csrf, state }: { csrf: string; state: FormState }) {
  const f = state.fields ?? {};
  return (
    <PlainPage title="注销账号">
      <ErrorSummary message={state.error} fields={state.fields} />
      <p>
        注销后，您的手机号码和称呼将被删除，无法再登录，也无法恢复。已提交的申请仍由受理机关依法办理和存档。
      </p>
      <form method="post" action="/account/close" class="narrow-form">
        <CsrfField token={csrf} />
        <Field
          name="phone"
          label="请输入本账号的完整手机号码"
          type="tel"
          error={f.phone}
          required
          autocomplete="tel"
        />
        <div class={`field checkbox${f.confirm ? " field-error" : ""}`}>
          {f.confirm && (
            <p class="error-message" id="f-confirm-error">
              <span class="visually-hidden">错误：</span>
              {f.confirm}
            </p>
          )}
          <input
            type="checkbox"
            id="f-confirm"
            name="confirm"
            value="1"
            aria-describedby={f.confirm ? "f-confirm-error" : undefined}
            aria-invalid={f.confirm ? "true" : undefined}
          />
          <label for="f-confirm">我已了解注销的后果，确认注销账号</label>
        </div>
        <button type="submit">注销账号</button>
      </form>
      <p>
        <a href="/account">返回个人中心</a>
      </p>
    </PlainPage>
  );
}

export async function registerPrivacyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const citizen = (request: { actor: { id: number; kind: string } | null; url: string }) => {
    if (request.actor?.kind !== "citizen")
      throw new RedirectToLogin(request.url.startsWith("/account") ? request.url : "/account");
    return request.actor.id;
  };

  app.get("/privacy", async (_request, reply) => sendPage(reply, <PrivacyPage />));

  app.get("/account/data.json", async (request, reply) => {
    const userId = citizen(request);
    const data = await citizenDataExport(ctx, userId, request.ip);
    return reply
      .type("application/json; charset=utf-8")
      .header("Content-Disposition", 'attachment; filename="my-data.json"')
      .header("Cache-Control", "no-store")
      .send(JSON.stringify(data, null, 2));
  });

  app.get("/account/close", async (request, reply) => {
    citizen(request);
    return sendPage(reply, <CloseAccountPage csrf={reply.generateCsrf()} state={{ values: {} }} />);
  });
  app.post("/account/close", async (request, reply) => {
    const userId = citizen(request);
    const form = readForm(request);
    try {
      await closeCitizenAccount(ctx, userId, form.text("phone"), form.text("confirm") === "1", request.ip);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return sendPage(
        reply,
        <PlainPage title="账号已注销">
          <p>您的账号已注销，手机号码和称呼已删除。感谢您使用本平台。</p>
          <p>
            <a href="/">返回首页</a>
          </p>
        </PlainPage>,
      );
    } catch (error) {
      return sendPage(
        reply,
        <CloseAccountPage csrf={reply.generateCsrf()} state={formProblem(error, {})} />,
        400,
      );
    }
  });
}

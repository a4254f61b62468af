import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { NOTICE_DATE, NOTICE_VERSION } from "../../core/consent.ts";
import type { AppContext } from "../../core/context.ts";
import { maskPhone } from "../../core/crypto.ts";
import { NotFoundError } from "../../core/errors.ts";
import { RedirectToLogin } from "../../core/http/admin.ts";
import { type Form, type FormState, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import { smsSender } from "../../core/sms.ts";
import { CsrfField, ErrorSummary, Field } from "../../web/components.tsx";
import { PlainPage } from "../../web/layout.tsx";
import { linksOf, unlinkIdentity } from "./oidc.ts";
import {
  checkNewPhone,
  citizenDataExport,
  closeCitizenAccount,
  consentOverview,
  correctDisplayName,
  correctPhone,
  renewCitizenConsent,
  withdrawCitizenConsent,
} from "./privacy.ts";
import { MyDataPage, PhoneCodePage, PRIVACY_MESSAGES } from "./privacy-views.tsx";
import { findUser } from "./service.ts";
import { SESSION_COOKIE } from "./session-cookie.ts";
import { sendLoginCode } from "./sms-login.ts";

const CODE_LIMIT = { rateLimit: { max: 5, timeWindow: "1 minute" } };

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
          <tr>
            <th scope="row">统一身份认证信息（认证平台给出的账号标识、姓名、经其验证的手机号码）</th>
            <td>
              仅在您选择用统一身份认证登录或绑定时，从认证平台接收，用于识别您的账号；姓名作为初始称呼，手机号码按上述方式加密保存。本平台不接收、不保存您在认证平台的密码。
            </td>
          </tr>
          <tr>
            <th scope="row">同意记录（同意的事项、说明版本、时间）</th>
            <td>用于证明您作出或撤回同意的时间和内容。</td>
          </tr>
        </tbody>
      </table>
      <h2>保存多久</h2>
      <ul>
        <li>账号信息：保存至您注销账号为止；注销后手机号码和称呼立即删除。</li>
        <li>已提交的申请：按政府信息公开工作档案的规定由受理机关保存，注销账号后不再与您的账号关联。</li>
        <li>登录记录和安全审计记录：至少保存六个月。</li>
        <li>统一身份认证绑定：保存至您解除绑定或注销账号为止，解除后立即删除。</li>
        <li>同意记录：与账号同存，注销账号时全部标记为撤回。</li>
      </ul>
      <h2>可选的处理</h2>
      <p>
        短信通知（办件进度通过短信发送）是可选的，注册时默认开启，您可以随时在“我的个人信息”中撤回，撤回后只通过站内消息通知您。
      </p>
      <h2>您的权利</h2>
      <p>
        登录后在<a href="/account/privacy">我的个人信息</a>
        可以查看您的信息、更正称呼和手机号码（更正权）、撤回同意、解除统一身份认证绑定，下载全部个人数据（查阅、复制权），注销账号（删除权）。对个人信息处理有疑问或投诉，请拨打
        12345 政务服务便民热线。
      </p>
      <p>
        本说明为第 {NOTICE_VERSION} 版，自 {NOTICE_DATE} 起施行。
      </p>
      <p>
        <a href="/">返回首页</a>
      </p>
    </PlainPage>
  );
}

function CloseAccountPage({ csrf, state, hasPhone }: { csrf: string; state: FormState; hasPhone: boolean }) {
  const f = state.fields ?? {};
  return (
    <PlainPage title="注销账号">
      <ErrorSummary message={state.error} fields={state.fields} />
      <p>
        注销后，您的手机号码和称呼将被删除，无法再登录，也无法恢复。已提交的申请仍由受理机关依法办理和存档。
      </p>
      <form method="post" action="/account/close" class="narrow-form">
        <CsrfField token={csrf} />
        {hasPhone && (
          <Field
            name="phone"
            label="请输入本账号的完整手机号码"
            type="tel"
            error={f.phone}
            required
            autocomplete="tel"
          />
        )}
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
  const citizenActor = (request: FastifyRequest) => {
    const id = citizen(request);
    return { id, name: request.actor?.name ?? "" };
  };
  const sender = () => smsSender(ctx.config, (line) => app.log.info(line));

  /** The step that asks for the code sent to a new phone number. */
  const showPhoneCode = (reply: FastifyReply, phone: string, state: FormState, status = 200) =>
    sendPage(
      reply,
      <PhoneCodePage
        csrf={reply.generateCsrf()}
        phone={phone}
        maskedPhone={maskPhone(phone)}
        state={state}
      />,
      status,
    );

  /** 我的个人信息, with the outcome of the last change or the problems of a refused one. */
  const showMyData = async (request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) => {
    const userId = citizen(request);
    const user = await findUser(ctx, userId);
    if (!user) throw new NotFoundError();
    const msg = String((request.query as { msg?: string }).msg ?? "");
    return sendPage(
      reply,
      <MyDataPage
        csrf={reply.generateCsrf()}
        user={user}
        links={await linksOf(ctx, userId)}
        consents={await consentOverview(ctx, userId)}
        oidcName={ctx.config.oidc?.displayName ?? null}
        message={status === 200 ? PRIVACY_MESSAGES[msg] : undefined}
        state={state}
      />,
      status,
    );
  };
  /** Runs a change from the page; a problem shows the page again with the values typed. */
  const change =
    (
      run: (request: FastifyRequest, actor: { id: number; name: string }, form: Form) => Promise<string>,
      values: (form: Form) => Record<string, string> = () => ({}),
    ) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const actor = citizenActor(request);
      const form = readForm(request);
      try {
        const msg = await run(request, actor, form);
        return reply.redirect(`/account/privacy?msg=${msg}`, 303);
      } catch (error) {
        return showMyData(request, reply, formProblem(error, values(form)), 400);
      }
    };

  app.get("/account/privacy", (request, reply) => showMyData(request, reply, { values: {} }));

  app.post(
    "/account/privacy/name",
    change(
      async (request, actor, form) => {
        await correctDisplayName(ctx, actor, form.text("displayName"), request.ip);
        return "name";
      },
      (form) => ({ displayName: form.text("displayName") }),
    ),
  );

  app.post("/account/privacy/phone/send", { config: CODE_LIMIT }, async (request, reply) => {
    const userId = citizen(request);
    const form = readForm(request);
    try {
      const phone = await checkNewPhone(ctx, userId, form.text("phone"));
      await sendLoginCode(ctx, sender(), phone, request.ip, "change_phone");
      return showPhoneCode(reply, phone, { values: {} });
    } catch (error) {
      return showMyData(request, reply, formProblem(error, { phone: form.text("phone") }), 400);
    }
  });
  app.post("/account/privacy/phone/verify", { config: CODE_LIMIT }, async (request, reply) => {
    const actor = citizenActor(request);
    const form = readForm(request);
    const phone = form.text("phone");
    try {
      await correctPhone(ctx, actor, phone, form.text("code"), request.ip);
      return reply.redirect("/account/privacy?msg=phone", 303);
    } catch (error) {
      const state = formProblem(error, { phone });
      if (state.fields?.phone) return showMyData(request, reply, state, 400);
      return showPhoneCode(reply, phone, state, 400);
    }
  });

  app.post(
    "/account/privacy/consents/:purpose/withdraw",
    change(async (request, actor) => {
      await withdrawCitizenConsent(ctx, actor, (request.params as { purpose: string }).purpose, request.ip);
      return "withdrawn";
    }),
  );
  app.post(
    "/account/privacy/consents/:purpose/renew",
    change(async (request, actor) => {
      await renewCitizenConsent(ctx, actor, (request.params as { purpose: string }).purpose, request.ip);
      return "renewed";
    }),
  );
  app.post(
    "/account/privacy/links/:id/unlink",
    change(async (request, actor) => {
      await unlinkIdentity(ctx, actor, Number((request.params as { id: string }).id), request.ip);
      return "unlinked";
    }),
  );

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

  const hasPhone = async (userId: number) => Boolean((await findUser(ctx, userId))?.phone_masked);
  app.get("/account/close", async (request, reply) => {
    const userId = citizen(request);
    return sendPage(
      reply,
      <CloseAccountPage
        csrf={reply.generateCsrf()}
        state={{ values: {} }}
        hasPhone={await hasPhone(userId)}
      />,
    );
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
        <CloseAccountPage
          csrf={reply.generateCsrf()}
          state={formProblem(error, {})}
          hasPhone={await hasPhone(userId)}
        />,
        400,
      );
    }
  });
}

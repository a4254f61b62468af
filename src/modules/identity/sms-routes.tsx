import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../core/context.ts";
import { maskPhone } from "../../core/crypto.ts";
import { UserError } from "../../core/errors.ts";
import { formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import { smsSender } from "../../core/sms.ts";
import { openSession, safeNext } from "./session-cookie.ts";
import { SMS_CODE_MINUTES, sendLoginCode, signInWithCode } from "./sms-login.ts";
import { SmsCodePage, SmsLoginPage } from "./sms-views.tsx";

const SEND_LIMIT = { rateLimit: { max: 5, timeWindow: "1 minute" } };
const VERIFY_LIMIT = { rateLimit: { max: 10, timeWindow: "1 minute" } };

/** 短信验证码登录 for citizens: phone → code → signed in (an account is opened on first use). */
export async function registerSmsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // resolved per message, so a gateway configured at run time is used at once
  const sender = () => smsSender(ctx.config, (line) => app.log.info(line));

  app.get("/account/sms", async (request, reply) => {
    const next = safeNext(String((request.query as { next?: string }).next ?? ""), "/account");
    return sendPage(reply, <SmsLoginPage csrf={reply.generateCsrf()} next={next} state={{ values: {} }} />);
  });

  app.post("/account/sms/send", { config: SEND_LIMIT }, async (request, reply) => {
    const form = readForm(request);
    const next = safeNext(form.text("next"), "/account");
    const values = { phone: form.text("phone"), agreed: form.text("agreed") };
    try {
      if (values.agreed !== "1")
        throw new UserError("提交的内容有误", 400, { agreed: "请阅读并同意《个人信息保护说明》" });
      const phone = await sendLoginCode(ctx, sender(), values.phone, request.ip);
      return sendPage(
        reply,
        <SmsCodePage
          csrf={reply.generateCsrf()}
          next={next}
          phone={phone}
          maskedPhone={maskPhone(phone)}
          minutes={SMS_CODE_MINUTES}
          state={{ values: {} }}
        />,
      );
    } catch (error) {
      return sendPage(
        reply,
        <SmsLoginPage csrf={reply.generateCsrf()} next={next} state={formProblem(error, values)} />,
        (error as UserError).statusCode,
      );
    }
  });

  app.post("/account/sms/verify", { config: VERIFY_LIMIT }, async (request, reply) => {
    const form = readForm(request);
    const next = safeNext(form.text("next"), "/account");
    const phone = form.text("phone");
    try {
      const userId = await signInWithCode(ctx, phone, form.text("code"), request.ip);
      await openSession(ctx, request, reply, userId);
      return reply.redirect(next, 303);
    } catch (error) {
      const state = formProblem(error, {});
      if (state.fields?.phone) {
        return sendPage(reply, <SmsLoginPage csrf={reply.generateCsrf()} next={next} state={state} />, 400);
      }
      return sendPage(
        reply,
        <SmsCodePage
          csrf={reply.generateCsrf()}
          next={next}
          phone={phone}
          maskedPhone={maskPhone(phone)}
          minutes={SMS_CODE_MINUTES}
          state={state}
        />,
        (error as UserError).statusCode,
      );
    }
  });
}

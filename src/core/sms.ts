import { maskPhone } from "./crypto.ts";

/**
 * Text messages to citizens' phones through one adapter. Without SMS_GATEWAY_URL the log adapter
 * writes the message to the server log (development and demo: the code appears there); with it,
 * the HTTP adapter posts JSON to the operator's gateway. Phone numbers never reach the log in full.
 */
export interface SmsSender {
  readonly name: string;
  send(phone: string, message: string): Promise<void>;
}

export class SmsError extends Error {}

export function logSms(log: (line: string) => void): SmsSender {
  return {
    name: "log",
    async send(phone, message) {
      log(`[短信] 发往 ${maskPhone(phone)}：${message}`);
    },
  };
}

/**
 * POSTs `{ "phone": "...", "message": "..." }` with `Authorization: Bearer <token>`; any 2xx is
 * success. A slow or failing gateway becomes an SmsError the caller reports in Chinese.
 */
export function httpSms(url: string, token: string | undefined, timeoutMs = 5000): SmsSender {
  return {
    name: "http",
    async send(phone, message) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json; charset=utf-8",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ phone, message }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new SmsError(`短信网关无法连接：${(error as Error).message}`);
      }
      await response.body?.cancel();
      if (!response.ok) throw new SmsError(`短信网关返回 ${response.status}`);
    },
  };
}

export function smsSender(
  config: { smsGatewayUrl: string | undefined; smsGatewayToken: string | undefined },
  log: (line: string) => void,
): SmsSender {
  return config.smsGatewayUrl ? httpSms(config.smsGatewayUrl, config.smsGatewayToken) : logSms(log);
}

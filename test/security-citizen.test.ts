import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { logSms } from "../src/core/sms.ts";
import { ClientFrom } from "./support/addresses.ts";
import type { HttpClient } from "./support/http.ts";
import { startTestPlatform, type TestPlatform } from "./support/platform.ts";

interface Sent {
  phone: string;
  message: string;
  authorization: string | undefined;
}

/**
 * 短信验证码登录 as a citizen and an attacker would try it: through a real HTTP SMS gateway (a
 * small server standing in for the operator's), with expiry, limited tries, throttled resend,
 * per-address limits, and an account opened on first use with the phone encrypted.
 */
describe("citizen sign-in by SMS code", () => {
  let p: TestPlatform;
  let gateway: Server;
  let gatewayStatus = 200;
  const sent: Sent[] = [];

  const lastCode = () => /验证码为 (\d{6})/.exec(sent.at(-1)?.message ?? "")?.[1] ?? "";
  const send = (client: HttpClient, phone: string, agreed = "1") =>
    client.submit("/account/sms", "/account/sms/send", { phone, agreed, next: "/account" });
  const verify = (client: HttpClient, phone: string, code: string) =>
    client.submit("/account/sms", "/account/sms/verify", { phone, code, next: "/account" });
  /** Lets the next code be requested at once, as if the minute had passed. */
  const ageCodes = () =>
    sql`update sms_codes set created_at = created_at - interval '2 minutes'`.execute(p.ctx.db);

  before(async () => {
    process.env.TRUST_PROXY = "1";
    p = await startTestPlatform("demo");
    delete process.env.TRUST_PROXY;
    p.client = () => new ClientFrom(p.baseUrl);
    gateway = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        const json = JSON.parse(body) as { phone: string; message: string };
        if (gatewayStatus === 200) sent.push({ ...json, authorization: request.headers.authorization });
        response.statusCode = gatewayStatus;
        response.end("{}");
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    const address = gateway.address();
    p.ctx.config.smsGatewayUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/sms`;
    p.ctx.config.smsGatewayToken = "gateway-token";
  });
  after(async () => {
    await new Promise((resolve) => gateway.close(resolve));
    await p.close();
  });

  it("the log adapter writes the code with the phone masked", async () => {
    const lines: string[] = [];
    await logSms((line) => lines.push(line)).send("13812345678", "验证码为 123456");
    assert.deepEqual(lines, ["[短信] 发往 138****5678：验证码为 123456"]);
  });

  it("opens an account on the first code, with the phone encrypted and masked", async () => {
    const client = p.client();
    const noConsent = await send(client, "13900001111", "");
    assert.equal(noConsent.status, 400);
    assert.match(noConsent.text, /请阅读并同意/);
    const badPhone = await send(client, "1390000", "1");
    assert.match(badPhone.text, /请填写 11 位手机号码/);
    assert.equal(sent.length, 0);

    const page = await send(client, "139 0000 1111");
    assert.equal(page.status, 200);
    assert.match(page.text, /验证码已发送至 139\*\*\*\*1111/);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.phone, "13900001111");
    assert.equal(sent[0]?.authorization, "Bearer gateway-token");
    const code = lastCode();
    // the code is kept only as a keyed hash
    const stored = await p.ctx.db.selectFrom("sms_codes").select("code_hash").execute();
    assert.ok(stored.every((r) => !r.code_hash.toString("latin1").includes(code)));

    const wrong = await verify(client, "13900001111", code === "000000" ? "000001" : "000000");
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /验证码不正确/);
    const ok = await verify(client, "13900001111", code);
    assert.equal(ok.status, 303);
    assert.equal(ok.location, "/account");
    const account = await client.get("/account");
    assert.match(account.text, /139\*\*\*\*1111/);
    assert.match(account.text, /用户1111/);
    const user = await p.ctx.db
      .selectFrom("users")
      .select(["phone_enc", "phone_masked"])
      .where("phone_index", "=", p.ctx.cipher.blindIndex("13900001111"))
      .executeTakeFirstOrThrow();
    assert.ok(user.phone_enc && !user.phone_enc.toString("latin1").includes("13900001111"));
    assert.equal(p.ctx.cipher.decrypt(user.phone_enc), "13900001111");

    // a used code does not work twice
    const again = await verify(p.client(), "13900001111", code);
    assert.match(again.text, /验证码已失效/);
  });

  it("signs an existing citizen into the same account", async () => {
    const client = p.client();
    const registered = await client.submit("/account/register", "/account/register", {
      phone: "13700002222",
      displayName: "李阿姨",
      password: "Citizen-Pass1",
      passwordConfirm: "Citizen-Pass1",
      agreed: "1",
    });
    assert.equal(registered.status, 303);
    const phone = p.client();
    await send(phone, "13700002222");
    assert.equal((await verify(phone, "13700002222", lastCode())).status, 303);
    assert.match((await phone.get("/account")).text, /李阿姨/);
    const count = await p.ctx.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("phone_index", "=", p.ctx.cipher.blindIndex("13700002222"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1);
  });

  it("throttles resending to once a minute and ten a day", async () => {
    const client = p.client();
    await send(client, "13600003333");
    const soon = await send(p.client(), "13600003333");
    assert.equal(soon.status, 429);
    assert.match(soon.text, /秒后再获取验证码/);
    for (let i = 0; i < 9; i++) {
      await ageCodes();
      assert.equal((await send(p.client(), "13600003333")).status, 200, `code ${i + 2}`);
    }
    await ageCodes();
    const eleventh = await send(p.client(), "13600003333");
    assert.equal(eleventh.status, 429);
    assert.match(eleventh.text, /今天获取验证码的次数已达上限/);
  });

  it("expires codes after five minutes and only the newest counts", async () => {
    const client = p.client();
    await send(client, "13500004444");
    const first = lastCode();
    await ageCodes();
    await send(client, "13500004444");
    const second = lastCode();
    if (first !== second) assert.match((await verify(client, "13500004444", first)).text, /验证码不正确/);
    await sql`update sms_codes set expires_at = now() - interval '1 second'`.execute(p.ctx.db);
    const late = await verify(client, "13500004444", second);
    assert.equal(late.status, 400);
    assert.match(late.text, /验证码已失效/);
  });

  it("allows five tries per code, then even the right code is refused", async () => {
    const client = p.client();
    await send(client, "13400005555");
    const code = lastCode();
    const wrongCode = code === "111111" ? "222222" : "111111";
    for (let i = 0; i < 4; i++)
      assert.match((await verify(client, "13400005555", wrongCode)).text, /验证码不正确/);
    assert.match((await verify(client, "13400005555", wrongCode)).text, /错误次数过多/);
    const right = await verify(client, "13400005555", code);
    assert.equal(right.status, 400);
    assert.match(right.text, /错误次数过多/);
    const failures = await p.ctx.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("action", "=", "auth.login_failed")
      .where("target", "=", "134****5555")
      .executeTakeFirstOrThrow();
    assert.equal(Number(failures.n), 5);
  });

  it("limits code requests per address, whatever the phones", async () => {
    const attacker = p.client();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await send(attacker, `1330000${String(i).padStart(4, "0")}`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  });

  it("reports a failing gateway in Chinese and keeps no code", async () => {
    gatewayStatus = 500;
    const before = await p.ctx.db
      .selectFrom("sms_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const r = await send(p.client(), "13200006666");
    gatewayStatus = 200;
    assert.equal(r.status, 503);
    assert.match(r.text, /短信发送失败，请稍后再试/);
    const afterCount = await p.ctx.db
      .selectFrom("sms_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
  });
});

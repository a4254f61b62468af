import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ClientFrom } from "./support/addresses.ts";
import type { HttpClient } from "./support/http.ts";
import { TestOidcProvider } from "./support/oidc-provider.ts";
import { startTestPlatform, type TestPlatform } from "./support/platform.ts";

/**
 * 统一身份认证 over OpenID Connect, end to end over real HTTP: the platform talks to a real
 * provider (test/support/oidc-provider.ts) for discovery, keys and tokens, and the browser's
 * trip through /authorize is followed like a browser would.
 */
describe("sign-in through a unified identity provider (OIDC)", () => {
  let p: TestPlatform;
  const provider = new TestOidcProvider();
  const PROVIDER_NAME = "省统一身份认证平台";

  const auditOf = (action: string) =>
    p.ctx.db
      .selectFrom("audit_log")
      .select(["actor_id", "result", "detail", "target"])
      .where("action", "=", action)
      .orderBy("seq")
      .execute();

  /** From the provider's authorization URL to the platform's callback, as the browser travels. */
  const viaProvider = async (client: HttpClient, authorizeUrl: string, editCallback?: (url: URL) => void) => {
    const atProvider = await fetch(authorizeUrl, { redirect: "manual" });
    assert.equal(atProvider.status, 302, "the provider sends the browser back");
    const callback = new URL(atProvider.headers.get("location") ?? "");
    assert.equal(callback.origin, p.baseUrl);
    editCallback?.(callback);
    return client.get(`${callback.pathname}${callback.search}`);
  };
  const signIn = async (client: HttpClient, editCallback?: (url: URL) => void) => {
    const start = await client.request("/account/oidc/login?next=/account");
    assert.equal(start.status, 303);
    const authorize = start.headers.get("location") ?? "";
    assert.ok(authorize.startsWith(`${provider.issuer}/authorize?`), authorize);
    const q = new URL(authorize).searchParams;
    assert.equal(q.get("code_challenge_method"), "S256");
    assert.ok(q.get("state") && q.get("nonce") && q.get("code_challenge"));
    return viaProvider(client, authorize, editCallback);
  };
  const accountOf = async (client: HttpClient) => (await client.get("/account")).text;

  before(async () => {
    await provider.start();
    process.env.TRUST_PROXY = "1";
    p = await startTestPlatform("demo");
    delete process.env.TRUST_PROXY;
    // each visitor on its own address, so the per-address sign-in limit is not what is tested here
    p.client = () => new ClientFrom(p.baseUrl);
  });
  after(async () => {
    await p.close();
    await provider.stop();
  });

  it("shows the button only when a provider is configured", async () => {
    const off = await p.client().get("/account/login");
    assert.ok(!off.text.includes("统一身份认证"), "no button without configuration");
    const refused = await p.client().get("/account/oidc/login");
    assert.equal(refused.status, 400);
    p.ctx.config.publicUrl = p.baseUrl;
    p.ctx.config.oidc = {
      discoveryUrl: provider.discoveryUrl,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      displayName: PROVIDER_NAME,
    };
    const on = await p.client().get("/account/login?next=/account/inbox");
    assert.match(
      on.text,
      /<a class="button" href="\/account\/oidc\/login\?next=%2Faccount%2Finbox">使用省统一身份认证平台登录<\/a>/,
    );
  });

  it("opens an account on first sign-in, with the verified phone encrypted", async () => {
    provider.person = {
      sub: "330100-0001",
      name: "李华",
      phone_number: "+86 139 0000 2222",
      phone_number_verified: true,
    };
    const client = p.client();
    const back = await signIn(client);
    assert.equal(back.status, 303, back.text.slice(0, 300));
    assert.equal(back.headers.get("location"), "/account");
    const account = await accountOf(client);
    assert.match(account, /李华/);
    assert.match(account, /139\*\*\*\*2222/);
    const user = await p.ctx.db
      .selectFrom("users")
      .select(["id", "phone_enc", "phone_masked"])
      .where("display_name", "=", "李华")
      .executeTakeFirstOrThrow();
    assert.ok(user.phone_enc && !user.phone_enc.toString("latin1").includes("13900002222"));
    assert.equal(p.ctx.cipher.decrypt(user.phone_enc), "13900002222");
    const links = await p.ctx.db.selectFrom("identity_links").selectAll().execute();
    assert.equal(links.length, 1);
    assert.equal(links[0]?.issuer, provider.issuer);
    const consents = await p.ctx.db
      .selectFrom("consents")
      .select("purpose")
      .where("user_id", "=", user.id)
      .execute();
    assert.deepEqual(consents.map((c) => c.purpose).sort(), ["privacy_notice", "sms_notifications"]);
    const registered = await auditOf("citizen.registered");
    assert.equal(registered.at(-1)?.detail.method, "oidc");
    const logins = await auditOf("auth.login");
    assert.equal(logins.at(-1)?.actor_id, user.id);
    assert.equal(logins.at(-1)?.detail.method, "oidc");
  });

  it("signs in the linked account on later visits", async () => {
    const client = p.client();
    const back = await signIn(client);
    assert.equal(back.status, 303);
    assert.match(await accountOf(client), /李华/);
    const users = await p.ctx.db
      .selectFrom("users")
      .select("id")
      .where("display_name", "=", "李华")
      .execute();
    assert.equal(users.length, 1, "no second account");
  });

  it("links the provider to the citizen who is signed in, then signs them in through it", async () => {
    const citizen = p.client();
    const registered = await citizen.submit("/account/register", "/account/register", {
      phone: "13900003333",
      displayName: "王芳",
      password: "Citizen-Pass1",
      passwordConfirm: "Citizen-Pass1",
      agreed: "1",
    });
    assert.equal(registered.status, 303);
    provider.person = { sub: "330100-0002", name: "王芳（省平台）" };
    const leave = await citizen.submit("/account/privacy", "/account/oidc/link", {});
    assert.equal(leave.status, 200);
    const href = /<a class="button" href="([^"]+)">前往省统一身份认证平台<\/a>/.exec(leave.text)?.[1] ?? "";
    const back = await viaProvider(citizen, href.replace(/&amp;/g, "&"));
    assert.equal(back.status, 303, back.text.slice(0, 300));
    assert.equal(back.headers.get("location"), "/account/privacy?msg=linked");
    const page = await citizen.get("/account/privacy?msg=linked");
    assert.match(page.text, /已绑定统一身份认证/);
    assert.match(page.text, /省统一身份认证平台（绑定于/);
    const linked = await auditOf("oidc.linked");
    assert.equal(linked.length, 1);

    const elsewhere = p.client();
    assert.equal((await signIn(elsewhere)).status, 303);
    assert.match(await accountOf(elsewhere), /王芳/);
    assert.match(await accountOf(elsewhere), /139\*\*\*\*3333/, "the existing account, not a new one");
  });

  it("refuses a return whose state does not match, or that comes to another browser", async () => {
    const failuresBefore = (await auditOf("auth.oidc_failed")).length;
    const client = p.client();
    const forged = await signIn(client, (url) => url.searchParams.set("state", "forged-state"));
    assert.equal(forged.status, 400);
    assert.match(forged.text, /登录请求校验失败/);
    assert.ok(!forged.headers.get("set-cookie")?.includes("zw_sid="), "no session");

    const start = await p.client().request("/account/oidc/login");
    const otherBrowser = p.client();
    const stolen = await viaProvider(otherBrowser, start.headers.get("location") ?? "");
    assert.equal(stolen.status, 400);
    assert.match(stolen.text, /不是从本浏览器发起的/);
    const failures = await auditOf("auth.oidc_failed");
    assert.deepEqual(
      failures.slice(failuresBefore).map((f) => [f.result, f.detail.reason]),
      [
        ["failure", "state_mismatch"],
        ["failure", "no_request"],
      ],
    );
  });

  for (const [what, fault] of [
    ["a tampered ID token", { tamper: true }],
    ["an expired ID token", { expiresIn: -3600 }],
    ["an ID token for another client", { audience: "another-client" }],
    ["an ID token from another issuer", { issuer: "https://evil.example" }],
  ] as const) {
    it(`refuses ${what}`, async () => {
      provider.person = { sub: "330100-0009", name: "攻击者" };
      provider.fault = fault;
      const client = p.client();
      const back = await signIn(client);
      assert.equal(back.status, 400, back.text.slice(0, 300));
      assert.match(back.text, /身份凭证未通过校验/);
      assert.equal((await client.get("/account")).status, 303, "not signed in");
      const users = await p.ctx.db
        .selectFrom("users")
        .select("id")
        .where("display_name", "=", "攻击者")
        .execute();
      assert.equal(users.length, 0);
      const failure = (await auditOf("auth.oidc_failed")).at(-1);
      assert.equal(failure?.detail.reason, "token_rejected");
    });
  }

  it("lets a citizen unlink, unless the link is their only way to sign in", async () => {
    provider.person = { sub: "330100-0003", name: "赵敏" };
    const noPhone = p.client();
    assert.equal((await signIn(noPhone)).status, 303);
    const page = await noPhone.get("/account/privacy");
    assert.match(page.text, /当前手机号码：未绑定/);
    const linkId = /action="\/account\/privacy\/links\/(\d+)\/unlink"/.exec(page.text)?.[1];
    assert.ok(linkId);
    const refused = await noPhone.submit("/account/privacy", `/account/privacy/links/${linkId}/unlink`, {});
    assert.equal(refused.status, 400);
    assert.match(refused.text, /解除后将无法登录/);

    provider.person = { sub: "330100-0002" };
    const wang = p.client();
    assert.equal((await signIn(wang)).status, 303);
    const wangPage = await wang.get("/account/privacy");
    const wangLink = /action="\/account\/privacy\/links\/(\d+)\/unlink"/.exec(wangPage.text)?.[1];
    const done = await wang.submit("/account/privacy", `/account/privacy/links/${wangLink}/unlink`, {});
    assert.equal(done.status, 303);
    assert.match((await wang.get("/account/privacy?msg=unlinked")).text, /未绑定统一身份认证账号/);
    assert.equal((await auditOf("oidc.unlinked")).length, 1);
    const links = await p.ctx.db.selectFrom("identity_links").select("subject").execute();
    assert.ok(!links.some((l) => l.subject === "330100-0002"));
  });
});

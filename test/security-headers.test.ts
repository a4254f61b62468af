import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { staffWith, startTestPlatform, TEST_PASSWORD, type TestPlatform } from "./support/platform.ts";

/** Web hardening as a scanner would check it: headers, cookie flags, no internals in errors. */
describe("web hardening", () => {
  let p: TestPlatform;

  before(async () => {
    p = await startTestPlatform("demo");
  });
  after(() => p.close());

  it("sends a strict CSP without inline script, frame-ancestors none, nosniff and a referrer policy", async () => {
    for (const path of ["/", "/admin/login", "/account/sms", "/privacy"]) {
      const { headers } = await p.client().get(path);
      const csp = headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, /object-src 'none'/, path);
      assert.equal(headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(headers.get("referrer-policy"), "strict-origin-when-cross-origin", path);
    }
  });

  it("sets the session cookie HttpOnly and SameSite, and Secure behind HTTPS", async () => {
    const { username } = await staffWith(p.ctx, [], "cookie");
    const client = p.client();
    const page = await client.get("/admin/login");
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? "";
    const plain = await client.request("/admin/login", {
      method: "POST",
      body: new URLSearchParams({ username, password: TEST_PASSWORD, _csrf: token }),
    });
    const cookie = plain.headers.getSetCookie().find((c) => c.startsWith("zw_sid=")) ?? "";
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.doesNotMatch(cookie, /Secure/i);
    p.ctx.config.publicUrl = "https://www.qinghe.gov.cn";
    try {
      const secure = p.client();
      const again = await secure.get("/admin/login");
      const t = /name="_csrf" value="([^"]+)"/.exec(again.text)?.[1] ?? "";
      const r = await secure.request("/admin/login", {
        method: "POST",
        body: new URLSearchParams({ username, password: TEST_PASSWORD, _csrf: t }),
      });
      const c = r.headers.getSetCookie().find((x) => x.startsWith("zw_sid=")) ?? "";
      assert.match(c, /Secure/);
    } finally {
      p.ctx.config.publicUrl = "http://127.0.0.1";
    }
  });

  it("answers malformed input with a Chinese page, never a stack trace, SQL or a path", async () => {
    const client = p.client();
    const probes = [
      await client.get("/admin/users/1%27%20or%201=1--"),
      await client.get("/search?q=%27%3B%20drop%20table%20users%3B--"),
      await client.get("/ref/%00%ff"),
      await client.request("/account/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{not json",
      }),
      await client.request("/account/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "x".repeat(3 * 1024 * 1024),
      }),
    ];
    for (const r of probes) {
      const text = r instanceof Response ? await r.text() : r.text;
      const status = r.status;
      assert.ok(status < 500, `status ${status}`);
      // (a plain "select" would match the search page's own <select> filters: look for SQL, not the word)
      assert.doesNotMatch(
        text,
        /at [\w.<>]+ \(|node_modules|\/work\/|syntax error|relation "|\bSELECT\b[^<>]*\bFROM\b|"stack"/i,
      );
    }
  });
});

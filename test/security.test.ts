import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { generateSync } from "otplib";
import { ClientFrom } from "./support/addresses.ts";
import type { HttpClient } from "./support/http.ts";
import {
  siteId,
  staffClient,
  staffWith,
  startTestPlatform,
  TEST_PASSWORD,
  type TestPlatform,
} from "./support/platform.ts";

/**
 * 身份鉴别 and 三员分立 as a user and an attacker would try them, over real HTTP and PostgreSQL:
 * separated administrator powers, lockout, password policy and expiry, TOTP with recovery codes,
 * forced enrolment, idle and absolute session limits, and revoking one's other sessions.
 */
describe("staff security", () => {
  let p: TestPlatform;
  let rsj: number;
  let security: HttpClient;
  let sysadmin: HttpClient;
  let siteAdmin: HttpClient;

  const login = (client: HttpClient, username: string, password = TEST_PASSWORD, next = "/admin") =>
    client.submit(`/admin/login?next=${encodeURIComponent(next)}`, "/admin/login", {
      username,
      password,
      next,
    });
  const auditCount = async (action: string, target?: string) => {
    let q = p.ctx.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("action", "=", action);
    if (target) q = q.where("target", "=", target);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const secretOf = (html: string) => {
    const match = /class="totp-secret">([A-Z2-7 ]+)</.exec(html);
    assert.ok(match, "page shows the TOTP secret");
    return (match[1] ?? "").replace(/ /g, "");
  };
  /** A code for the next 30-second step, which the server accepts within its tolerance and never saw. */
  const nextCode = (secret: string) => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });

  before(async () => {
    // Every client comes from its own address (through a trusted proxy), so the per-address rate
    // limit on sign-in does not get in the way of the per-account controls tested here.
    process.env.TRUST_PROXY = "1";
    p = await startTestPlatform("demo");
    delete process.env.TRUST_PROXY;
    p.client = () => new ClientFrom(p.baseUrl);
    rsj = await siteId(p.ctx, "rsj");
    security = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "security_admin" }], "secadmin")).username,
    );
    sysadmin = await staffClient(p, (await staffWith(p.ctx, [{ role: "sysadmin" }], "root")).username);
    siteAdmin = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "site_admin", siteId: rsj }], "rsjadmin")).username,
    );
  });
  after(() => p.close());

  describe("三员分立", () => {
    const grant = (client: HttpClient, userId: number, role: string, scope = "all") =>
      client.submit(`/admin/users/${userId}`, `/admin/users/${userId}/grants`, {
        role,
        scope,
        reviewLevel: "",
      });
    const roles = async (userId: number) =>
      (
        await p.ctx.db
          .selectFrom("grants")
          .select("role")
          .where("user_id", "=", userId)
          .orderBy("id")
          .execute()
      ).map((g) => g.role);

    it("never gives one person two of the three administrator roles", async () => {
      const person = await staffWith(p.ctx, [], "candidate");
      assert.equal((await grant(security, person.id, "sysadmin")).status, 303);
      for (const role of ["security_admin", "auditor"]) {
        const r = await grant(security, person.id, role);
        assert.equal(r.status, 400, role);
        assert.match(r.text, /三员分立/);
      }
      assert.deepEqual(await roles(person.id), ["sysadmin"]);
    });

    it("keeps the security administrator and the auditor free of any other role", async () => {
      const auditor = await staffWith(p.ctx, [], "aud");
      assert.equal((await grant(security, auditor.id, "auditor")).status, 303);
      const r = await grant(security, auditor.id, "editor", `site:${rsj}`);
      assert.equal(r.status, 400);
      assert.match(r.text, /安全管理员和安全审计员不能兼任其他角色/);
      const editor = await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "ed");
      assert.equal((await grant(security, editor.id, "security_admin")).status, 400);
      assert.deepEqual(await roles(editor.id), ["editor"]);
    });

    it("lets only the security administrator grant, never to themselves", async () => {
      const person = await staffWith(p.ctx, [], "plain");
      assert.equal((await grant(sysadmin, person.id, "editor", `site:${rsj}`)).status, 403);
      assert.equal((await grant(siteAdmin, person.id, "sysadmin")).status, 403);
      assert.equal((await grant(siteAdmin, person.id, "auditor")).status, 403);
      assert.equal((await grant(siteAdmin, person.id, "editor", `site:${rsj}`)).status, 303);
      const self = await p.ctx.db
        .selectFrom("users")
        .select("id")
        .where("username", "like", "secadmin%")
        .executeTakeFirstOrThrow();
      assert.equal((await grant(security, self.id, "editor", `site:${rsj}`)).status, 403);
      assert.deepEqual(await roles(person.id), ["editor"]);
    });

    it("splits account work: the system administrator creates, the security administrator grants", async () => {
      assert.equal((await sysadmin.get("/admin/users/new")).status, 200);
      assert.equal((await security.get("/admin/users/new")).status, 403);
      assert.equal((await security.get("/admin/users")).status, 200);
      const created = await sysadmin.submit("/admin/users/new", "/admin/users/new", {
        username: "split.user",
        displayName: "分立测试",
        password: "Good-Passw0rd",
        departmentId: "",
      });
      assert.equal(created.status, 303);
      assert.equal(await auditCount("user.created"), 1);
      // the auditor's page is not the system administrator's or the security administrator's
      assert.equal((await sysadmin.get("/admin/audit")).status, 403);
      assert.equal((await security.get("/admin/audit")).status, 403);
    });
  });

  describe("passwords", () => {
    it("refuses common passwords and ones containing the user name", async () => {
      for (const password of ["P@ssw0rd1!", "1qaz@WSX", "Admin@123", "Qwer1234!"]) {
        const r = await sysadmin.submit("/admin/users/new", "/admin/users/new", {
          username: "weak.user",
          displayName: "弱口令",
          password,
          departmentId: "",
        });
        assert.equal(r.status, 400, password);
        assert.match(r.text, /该密码过于常见/);
      }
      const r = await sysadmin.submit("/admin/users/new", "/admin/users/new", {
        username: "zhangsan",
        displayName: "张三",
        password: "Zhangsan-2026",
        departmentId: "",
      });
      assert.match(r.text, /密码不能包含用户名/);
    });

    it("changes a password, refusing the recent ones, and ends the other sessions", async () => {
      const { username } = await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "changer");
      const a = await staffClient(p, username);
      const b = await staffClient(p, username);
      const change = (current: string, next: string) =>
        a.submit("/admin/security/password", "/admin/security/password", { current, next, confirm: next });
      const wrong = await change("Not-The-Pass1", "Fresh-Passw0rd1");
      assert.equal(wrong.status, 400);
      assert.match(wrong.text, /当前密码不正确/);
      assert.match((await change(TEST_PASSWORD, TEST_PASSWORD)).text, /不能与最近 5 次使用过的密码相同/);
      assert.equal((await change(TEST_PASSWORD, "Fresh-Passw0rd1")).status, 303);
      assert.equal((await b.get("/admin")).status, 303, "the other session ended");
      assert.equal((await a.get("/admin")).status, 200, "this session goes on");
      assert.match((await change("Fresh-Passw0rd1", TEST_PASSWORD)).text, /不能与最近 5 次/);
      assert.equal((await change("Fresh-Passw0rd1", "Third-Passw0rd2")).status, 303);
      assert.equal(await auditCount("password.changed"), 2);
    });

    it("sends a user whose password expired to change it before anything else", async () => {
      const { id, username } = await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "expired");
      await p.ctx.db
        .updateTable("users")
        .set({ password_changed_at: sql<Date>`now() - interval '91 days'` })
        .where("id", "=", id)
        .execute();
      const client = p.client();
      const r = await login(client, username, TEST_PASSWORD, "/admin/documents");
      assert.equal(r.status, 303);
      assert.equal(r.location, "/admin/login/password?next=%2Fadmin%2Fdocuments");
      assert.equal((await client.get("/admin")).status, 303, "no actor until the password is changed");
      const page = await client.get(r.location);
      assert.match(page.text, /密码已过期/);
      const done = await client.submit(r.location, "/admin/login/password", {
        current: TEST_PASSWORD,
        next: "Renewed-Passw0rd3",
        confirm: "Renewed-Passw0rd3",
        nextUrl: "/admin/documents",
      });
      assert.equal(done.status, 303);
      assert.equal(done.location, "/admin/documents");
      assert.equal((await client.get("/admin")).status, 200);
    });
  });

  describe("lockout", () => {
    it("throttles sign-in attempts from one address, whatever the accounts tried", async () => {
      const sprayer = p.client();
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await login(sprayer, `spray${i}`, "Spring-2026!")).status);
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
      assert.deepEqual(statuses.slice(10), [429, 429]);
      // another address is not affected
      assert.equal((await login(p.client(), "spray0", "Spring-2026!")).status, 401);
    });

    it("locks after 5 failures for 15 minutes, even for the right password, until unlocked", async () => {
      const { id, username } = await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "victim");
      const attacker = p.client();
      for (let i = 1; i <= 4; i++) {
        const r = await login(attacker, username, `Guess-${i}-Passw0rd`);
        assert.equal(r.status, 401);
        assert.match(r.text, /用户名或密码错误/);
      }
      const fifth = await login(attacker, username, "Guess-5-Passw0rd");
      assert.equal(fifth.status, 423);
      assert.match(fifth.text, /已被锁定，请 15 分钟后再试/);
      const right = await login(p.client(), username);
      assert.equal(right.status, 423, "the right password does not open a locked account");
      assert.equal(await auditCount("auth.locked", username), 1);

      // only the security administrator unlocks
      assert.equal(
        (await sysadmin.submit(`/admin/users/${id}`, `/admin/users/${id}/unlock`, {})).status,
        403,
      );
      const page = await security.get(`/admin/users/${id}`);
      assert.match(page.text, /已锁定/);
      assert.equal(
        (await security.submit(`/admin/users/${id}`, `/admin/users/${id}/unlock`, {})).status,
        303,
      );
      assert.equal((await login(p.client(), username)).status, 303);
      assert.equal(await auditCount("user.unlocked", `user:${id}`), 1);
    });

    it("opens again by itself when the lock has run out", async () => {
      const { id, username } = await staffWith(p.ctx, [], "waiter");
      for (let i = 0; i < 5; i++) await login(p.client(), username, "Wrong-Passw0rd9");
      assert.equal((await login(p.client(), username)).status, 423);
      await p.ctx.db
        .updateTable("login_failures")
        .set({ locked_until: sql<Date>`now() - interval '1 second'` })
        .where("user_id", "=", id)
        .execute();
      assert.equal((await login(p.client(), username)).status, 303);
    });
  });

  describe("TOTP", () => {
    let user: { id: number; username: string };
    let client: HttpClient;
    let secret: string;
    let recovery: string[];

    it("enrols from the account security page with a QR code, a secret and recovery codes", async () => {
      user = await staffWith(p.ctx, [{ role: "reviewer", siteId: rsj, reviewLevel: 1 }], "totp");
      client = await staffClient(p, user.username);
      const overview = await client.get("/admin/security");
      assert.match(overview.text, /尚未绑定/);
      const page = await client.get("/admin/security/mfa");
      assert.match(page.text, /<img class="qr-code" src="data:image\/svg\+xml;base64,/);
      secret = secretOf(page.text);
      // the secret is stored encrypted, never as typed
      const row = await p.ctx.db
        .selectFrom("users")
        .select("totp_secret_enc")
        .where("id", "=", user.id)
        .executeTakeFirstOrThrow();
      assert.ok(row.totp_secret_enc && !row.totp_secret_enc.toString("latin1").includes(secret));
      const bad = await client.submit("/admin/security/mfa", "/admin/security/mfa", { code: "000000" });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /动态口令不正确/);
      // the code of the current step; the sign-in below uses the next one
      const ok = await client.submit("/admin/security/mfa", "/admin/security/mfa", {
        code: generateSync({ secret }),
      });
      assert.equal(ok.status, 200);
      recovery = [...ok.text.matchAll(/<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})<\/code>/g)].map(
        (m) => m[1] ?? "",
      );
      assert.equal(recovery.length, 10);
      assert.equal(await auditCount("mfa.enrolled", `user:${user.id}`), 1);
    });

    it("asks for the code after the password; the half-open session reaches nothing", async () => {
      const c = p.client();
      const r = await login(c, user.username, TEST_PASSWORD, "/admin/reviews");
      assert.equal(r.location, "/admin/login/mfa?next=%2Fadmin%2Freviews");
      assert.equal((await c.get("/admin")).status, 303);
      assert.equal((await c.get("/admin/reviews")).status, 303);
      const wrong = await c.submit(r.location, "/admin/login/mfa", {
        code: "123456",
        next: "/admin/reviews",
      });
      assert.equal(wrong.status, 401);
      assert.match(wrong.text, /动态口令或恢复码不正确/);
      assert.equal(await auditCount("auth.mfa_failed", user.username), 1);
      // the step-one session cookie is replaced: an attacker who saw it gains nothing
      const before = await p.ctx.db
        .selectFrom("sessions")
        .select("id")
        .where("user_id", "=", user.id)
        .execute();
      const code = nextCode(secret);
      const ok = await c.submit(r.location, "/admin/login/mfa", { code, next: "/admin/reviews" });
      assert.equal(ok.status, 303);
      assert.equal(ok.location, "/admin/reviews");
      assert.equal((await c.get("/admin")).status, 200);
      const afterIds = await p.ctx.db
        .selectFrom("sessions")
        .select("id")
        .where("user_id", "=", user.id)
        .execute();
      const old = new Set(before.map((s) => s.id.toString("hex")));
      assert.ok(afterIds.some((s) => !old.has(s.id.toString("hex"))));

      // the same code cannot be replayed
      const replay = p.client();
      await login(replay, user.username);
      const again = await replay.submit("/admin/login/mfa", "/admin/login/mfa", { code, next: "/admin" });
      assert.equal(again.status, 401);
    });

    it("takes each recovery code once", async () => {
      const code = recovery[0] ?? "";
      const c = p.client();
      await login(c, user.username);
      const ok = await c.submit("/admin/login/mfa", "/admin/login/mfa", {
        code: code.toLowerCase(),
        next: "/admin",
      });
      assert.equal(ok.status, 303);
      const d = p.client();
      await login(d, user.username);
      assert.equal(
        (await d.submit("/admin/login/mfa", "/admin/login/mfa", { code, next: "/admin" })).status,
        401,
      );
      assert.match((await c.get("/admin/security")).text, /剩余恢复码 9 个/);
    });

    it("counts wrong codes toward the lockout", async () => {
      const c = p.client();
      await login(c, user.username);
      // two failures so far (one wrong code, one replay, one reused recovery code) were reset by the successes
      let last = { status: 0, text: "" };
      for (let i = 0; i < 5; i++) {
        last = await c.submit("/admin/login/mfa", "/admin/login/mfa", { code: "999999", next: "/admin" });
      }
      assert.equal(last.status, 423);
      assert.equal((await login(p.client(), user.username)).status, 423);
      await security.submit(`/admin/users/${user.id}`, `/admin/users/${user.id}/unlock`, {});
    });

    it("lets the security administrator reset a lost authenticator", async () => {
      assert.equal(
        (await sysadmin.submit(`/admin/users/${user.id}`, `/admin/users/${user.id}/mfa/reset`, {})).status,
        403,
      );
      assert.equal(
        (await security.submit(`/admin/users/${user.id}`, `/admin/users/${user.id}/mfa/reset`, {})).status,
        303,
      );
      assert.equal((await login(p.client(), user.username)).location, "/admin");
      assert.equal(await auditCount("user.mfa_reset", `user:${user.id}`), 1);
    });

    it("forces enrolment on administrators and reviewers once the grace period is over", async () => {
      const late = await staffWith(p.ctx, [{ role: "reviewer", siteId: rsj, reviewLevel: 2 }], "late");
      await p.ctx.db
        .updateTable("users")
        .set({ created_at: sql<Date>`now() - interval '8 days'` })
        .where("id", "=", late.id)
        .execute();
      const c = p.client();
      const r = await login(c, late.username);
      assert.equal(r.location, "/admin/login/enrol?next=%2Fadmin");
      assert.equal((await c.get("/admin")).status, 303);
      const page = await c.get(r.location);
      const s = secretOf(page.text);
      const done = await c.submit(r.location, "/admin/login/enrol", { code: nextCode(s), next: "/admin" });
      assert.equal(done.status, 200);
      assert.match(done.text, /只显示这一次/);
      assert.equal((await c.get("/admin")).status, 200);

      // an editor is not forced, however old the account
      const editor = await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "oldeditor");
      await p.ctx.db
        .updateTable("users")
        .set({ created_at: sql<Date>`now() - interval '400 days'` })
        .where("id", "=", editor.id)
        .execute();
      assert.equal((await login(p.client(), editor.username)).location, "/admin");
    });
  });

  describe("sessions", () => {
    it("ends idle sessions after 30 minutes and every session after 12 hours", async () => {
      const { id, username } = await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "idle");
      const c = await staffClient(p, username);
      assert.equal((await c.get("/admin")).status, 200);
      await p.ctx.db
        .updateTable("sessions")
        .set({ last_seen_at: sql<Date>`now() - interval '31 minutes'` })
        .where("user_id", "=", id)
        .execute();
      assert.equal((await c.get("/admin")).status, 303);
      const d = await staffClient(p, username);
      await p.ctx.db
        .updateTable("sessions")
        .set({ created_at: sql<Date>`now() - interval '12 hours 1 minute'` })
        .where("user_id", "=", id)
        .execute();
      assert.equal((await d.get("/admin")).status, 303, "active but too old");
    });

    it("shows a user their sessions and lets them end the others", async () => {
      const { username } = await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "multi");
      const laptop = await staffClient(p, username);
      const phone = await staffClient(p, username);
      const page = await laptop.get("/admin/security");
      assert.match(page.text, /当前会话/);
      const keys = [...page.text.matchAll(/\/admin\/security\/sessions\/([0-9a-f]{32})\/delete/g)].map(
        (m) => m[1],
      );
      assert.equal(keys.length, 1);
      const r = await laptop.submit("/admin/security", `/admin/security/sessions/${keys[0]}/delete`, {});
      assert.equal(r.status, 303);
      assert.equal((await phone.get("/admin")).status, 303);
      assert.equal((await laptop.get("/admin")).status, 200);
      // a key of somebody else's session is not found
      const other = await staffClient(p, (await staffWith(p.ctx, [], "other")).username);
      const otherKeys = [...(await other.get("/admin/security")).text.matchAll(/sessions\/([0-9a-f]{32})/g)];
      assert.equal(otherKeys.length, 0);
      assert.equal(
        (await other.submit("/admin/security", `/admin/security/sessions/${"0".repeat(32)}/delete`, {}))
          .status,
        404,
      );
    });
  });
});

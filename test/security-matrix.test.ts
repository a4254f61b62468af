import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { HttpClient } from "./support/http.ts";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";
import { routesOf } from "./support/routes.ts";

type Role =
  | "anonymous"
  | "citizen"
  | "editor"
  | "reviewer"
  | "officer"
  | "site_admin"
  | "sysadmin"
  | "security_admin"
  | "auditor";

/**
 * The authorization matrix over real HTTP: every back-office route refuses visitors and citizens;
 * the administrative pages answer each role (anonymous, citizen, editor, reviewer, officer, site
 * administrator and each of the 三员) exactly as 三员分立 and the per-site grants say.
 */
describe("authorization matrix", () => {
  let p: TestPlatform;
  const clients = new Map<Role, HttpClient>();
  let targetUser: number;

  before(async () => {
    p = await startTestPlatform("demo");
    const rsj = await siteId(p.ctx, "rsj");
    const grants: Record<Exclude<Role, "anonymous" | "citizen">, Parameters<typeof staffWith>[1]> = {
      editor: [{ role: "editor", siteId: rsj }],
      reviewer: [{ role: "reviewer", siteId: rsj, reviewLevel: 1 }],
      officer: [{ role: "officer", siteId: rsj }],
      site_admin: [{ role: "site_admin", siteId: rsj }],
      sysadmin: [{ role: "sysadmin" }],
      security_admin: [{ role: "security_admin" }],
      auditor: [{ role: "auditor" }],
    };
    for (const [role, g] of Object.entries(grants)) {
      clients.set(
        role as Role,
        await staffClient(p, (await staffWith(p.ctx, g, role.replace("_", ""))).username),
      );
    }
    clients.set("anonymous", p.client());
    const citizen = p.client();
    const r = await citizen.submit("/account/register", "/account/register", {
      phone: "13912345678",
      displayName: "市民",
      password: "Citizen-Pass1",
      passwordConfirm: "Citizen-Pass1",
      agreed: "1",
    });
    assert.equal(r.status, 303);
    clients.set("citizen", citizen);
    targetUser = (await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "target")).id;
  });
  after(() => p.close());

  it("sends visitors to sign in and refuses citizens on every back-office page", async () => {
    const routes = routesOf(p.app.printRoutes({ commonPrefix: false }));
    const admin = routes.filter(
      (r) => r.path.startsWith("/admin") && !r.path.startsWith("/admin/login") && r.methods.includes("GET"),
    );
    assert.ok(admin.length >= 25, `found ${admin.length} back-office pages`);
    for (const { path } of admin) {
      const url = path.replace(/:[A-Za-z]+/g, "1");
      const anonymous = await (clients.get("anonymous") as HttpClient).get(url);
      assert.equal(anonymous.status, 303, `anonymous GET ${url}`);
      assert.match(anonymous.headers.get("location") ?? "", /^\/admin\/login\?next=/, url);
      const citizen = await (clients.get("citizen") as HttpClient).get(url);
      assert.equal(citizen.status, 403, `citizen GET ${url}`);
    }
  });

  it("refuses every back-office form to visitors and citizens, even with a valid form token", async () => {
    const routes = routesOf(p.app.printRoutes({ commonPrefix: false }));
    const posts = routes.filter(
      (r) =>
        r.path.startsWith("/admin") &&
        !r.path.startsWith("/admin/login") &&
        r.path !== "/admin/logout" &&
        r.methods.includes("POST"),
    );
    assert.ok(posts.length >= 20, `found ${posts.length} back-office forms`);
    for (const who of ["anonymous", "citizen"] as const) {
      const client = clients.get(who) as HttpClient;
      for (const { path } of posts) {
        const url = path.replace(/:[A-Za-z]+/g, "1");
        const r = await client.submit("/account/login", url, {
          title: "越权",
          role: "sysadmin",
          scope: "all",
        });
        assert.ok(r.status === 303 || r.status === 403, `${who} POST ${url}: ${r.status}`);
        if (r.status === 303) assert.match(r.location, /^\/admin\/login/, `${who} POST ${url}`);
      }
    }
  });

  const ALLOW = 200;
  const DENY = 403;
  /** Expected status per role; anonymous is always sent to sign in (303). */
  const MATRIX: [string, Partial<Record<Role, number>>][] = [
    ["/admin/audit", { auditor: ALLOW }],
    ["/admin/audit/verify", { auditor: ALLOW }],
    ["/admin/audit.csv", { auditor: ALLOW }],
    ["/admin/users", { sysadmin: ALLOW, security_admin: ALLOW, site_admin: ALLOW }],
    ["/admin/users/new", { sysadmin: ALLOW, site_admin: ALLOW }],
    ["/admin/sites/new", { sysadmin: ALLOW }],
    ["/admin/requests", { officer: ALLOW, site_admin: ALLOW }],
    // the review queue opens for all staff, listing only what each may decide (empty for most)
    [
      "/admin/reviews",
      {
        editor: ALLOW,
        reviewer: ALLOW,
        officer: ALLOW,
        site_admin: ALLOW,
        sysadmin: ALLOW,
        security_admin: ALLOW,
        auditor: ALLOW,
      },
    ],
    [
      "/admin/security",
      {
        editor: ALLOW,
        reviewer: ALLOW,
        officer: ALLOW,
        site_admin: ALLOW,
        sysadmin: ALLOW,
        security_admin: ALLOW,
        auditor: ALLOW,
      },
    ],
  ];

  it("answers each role on the administrative pages as 三员分立 says", async () => {
    const roles: Role[] = [
      "citizen",
      "editor",
      "reviewer",
      "officer",
      "site_admin",
      "sysadmin",
      "security_admin",
      "auditor",
    ];
    const wrong: string[] = [];
    for (const [path, allowed] of MATRIX) {
      for (const role of roles) {
        const expected = allowed[role] ?? DENY;
        const got = (await (clients.get(role) as HttpClient).get(path)).status;
        if (got !== expected) wrong.push(`${role} ${path}: ${got}, expected ${expected}`);
      }
      const anonymous = await (clients.get("anonymous") as HttpClient).get(path);
      if (anonymous.status !== 303) wrong.push(`anonymous ${path}: ${anonymous.status}`);
    }
    assert.deepEqual(wrong, []);
  });

  it("lets only the security administrator unlock accounts and reset TOTP", async () => {
    const wrong: string[] = [];
    for (const action of ["unlock", "mfa/reset"]) {
      for (const [role, client] of clients) {
        if (role === "anonymous" || role === "citizen") continue;
        const r = await client.submit("/admin/security", `/admin/users/${targetUser}/${action}`, {});
        const expected = role === "security_admin" ? 303 : 403;
        if (r.status !== expected) wrong.push(`${role} ${action}: ${r.status}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});

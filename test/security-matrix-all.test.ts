import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Action, type Actor, can, type GrantScope } from "../src/core/auth/permissions.ts";
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
const ROLES: Role[] = [
  "anonymous",
  "citizen",
  "editor",
  "reviewer",
  "officer",
  "site_admin",
  "sysadmin",
  "security_admin",
  "auditor",
];

/**
 * Who may use each route. `public`: everyone; `citizen`: a signed-in citizen; `signed-in`: any
 * account; `staff`: any staff member (pages that then list only what the person may see, and
 * forms that check the column or site chosen — see the document test below); `signin`: the
 * steps of a sign-in in progress (every role is sent back to the start); otherwise the
 * permissions.ts actions, any of which opens the route (`a|b`), checked with `can` on the
 * department site the test grants are on, or on the portal (`action@www`: platform-wide
 * settings kept on the portal). `getRule/postRule` when the two differ. A route missing here
 * fails the test: write its rule down when adding it. Routes under /sites/:code take the rule of
 * the same path on the portal.
 */
const RULES = `
public   /
public   /*
public   /assets/islands/:file
public   /assets/site.:hash.css
public   /assistant
public   /assistant/rate/:id
public   /assistant/faq/:id
public   /a11y/set
public   /admin/login
signin  /admin/login/mfa
signin  /admin/login/enrol
signin  /admin/login/password
public   /admin/logout
staff    /admin
case.handle  /admin/letters
site.manage@www  /admin/letters/settings
case.handle  /admin/letters/:id
case.handle  /admin/letters/:id/act
case.handle  /admin/letters/:id/urge
case.handle  /admin/letters/:id/publish
case.handle  /admin/letters/:id/files/:fileId
staff    /admin/security
staff    /admin/security/mfa
staff    /admin/security/recovery-codes
staff    /admin/security/password
staff    /admin/security/sessions/:key/delete
case.handle|service.manage  /admin/services
case.handle  /admin/services/cases/:id
case.handle  /admin/services/cases/:id/act
case.handle  /admin/services/cases/:id/files/:fileId
service.manage  /admin/services/completeness
case.handle  /admin/services/licences/:number/revoke
case.handle  /admin/services/followups
case.handle  /admin/services/followups/:id
service.manage  /admin/services/items
service.manage  /admin/services/items/new
service.manage  /admin/services/items/:id
service.manage  /admin/services/items/:id/delete
service.manage  /admin/services/rules
service.manage  /admin/services/rules/new
service.manage  /admin/services/rules/:id
search.manage@www  /admin/search
search.manage@www  /admin/search/synonyms
search.manage@www  /admin/search/synonyms/:id/delete
search.manage@www  /admin/search/hot-words
search.manage@www  /admin/search/hot-words/:id/delete
search.manage@www  /admin/search/reindex
platform.manage|site.manage  /admin/sites
platform.manage  /admin/sites/new
site.manage  /admin/sites/:id
site.manage  /admin/sites/:id/columns
document.edit  /admin/surveys
document.edit  /admin/surveys/new
document.edit  /admin/surveys/:id
document.edit  /admin/surveys/:id/publish
document.edit  /admin/surveys/:id/responses.csv
platform.manage|security.manage|site.grant  /admin/users
platform.manage|site.grant  /admin/users/new
platform.manage|security.manage|site.grant  /admin/users/:id
security.manage  /admin/users/:id/unlock
security.manage  /admin/users/:id/mfa/reset
security.manage|site.grant  /admin/users/:id/grants
security.manage|site.grant  /admin/users/:id/grants/:grantId/delete
platform.manage  /admin/users/:id/status
staff  /admin/documents
staff  /admin/documents/new
document.edit|document.review/document.edit  /admin/documents/:id
document.edit  /admin/documents/:id/submit
document.publish  /admin/documents/:id/withdraw
document.edit  /admin/documents/:id/restore/:versionId
document.edit  /admin/documents/:id/placements
document.edit  /admin/documents/:id/placements/:columnId/delete
document.edit|document.review  /admin/documents/:id/diff
site.manage|document.edit  /admin/disclosure/annual-reports
site.manage|document.edit  /admin/disclosure/annual-reports/:siteId/:year
site.manage|document.edit  /admin/disclosure/budget
site.manage|document.edit  /admin/disclosure/budget/open
site.manage|document.edit  /admin/disclosure/budget/:siteId/:year/:stage
site.manage|document.edit  /admin/disclosure/budget/:siteId/:year/:stage/delete
site.manage|document.edit  /admin/disclosure/projects
site.manage|document.edit  /admin/disclosure/projects/new
site.manage|document.edit  /admin/disclosure/projects/:id
site.manage|document.edit  /admin/disclosure/projects/:id/delete
site.manage  /admin/disclosure/lag
site.manage  /admin/disclosure/lag/interpretations.csv
site.manage  /admin/disclosure/lag/art26.csv
site.manage@www  /admin/disclosure/settings
site.manage@www  /admin/disclosure/orgs
staff    /admin/reviews
case.handle  /admin/requests
case.handle  /admin/requests/:id
pii.reveal   /admin/requests/:id/reveal
case.handle  /admin/requests/:id/act
case.handle  /admin/requests/:id/notices/:noticeId
document.review  /admin/versions/:id/decide
staff  /admin/placements
site.manage  /admin/columns/:id
site.manage  /admin/columns/:id/delete
document.edit  /admin/consultations
document.edit  /admin/consultations/new
document.edit  /admin/consultations/:id
document.edit  /admin/consultations/:id/publish
document.edit  /admin/consultations/:id/adoption
platform.manage  /admin/calendar
platform.manage  /admin/calendar/remove
case.handle|document.edit|document.review|site.manage  /admin/interaction
document.edit  /admin/interviews
document.edit  /admin/interviews/new
document.edit  /admin/interviews/:id
document.edit  /admin/interviews/:id/step
document.edit  /admin/interviews/:id/questions/:questionId
document.edit  /admin/interviews/:id/remark
document.edit  /admin/interviews/:id/photos
document.review|site.manage  /admin/moderation
site.manage  /admin/moderation/words
document.review|site.manage  /admin/moderation/comments/:id
audit.read  /admin/audit
audit.read  /admin/audit.csv
audit.read  /admin/audit/verify
faq.manage@www  /admin/assistant
faq.manage@www  /admin/assistant/questions/:id/resolve
faq.manage@www  /admin/assistant/faqs
faq.manage@www  /admin/assistant/faqs/new
faq.manage@www  /admin/assistant/faqs/:id
citizen  /account
public   /account/sms
public   /account/sms/send
public   /account/sms/verify
citizen  /account/data.json
citizen  /account/close
citizen  /account/privacy
citizen  /account/privacy/name
citizen  /account/privacy/phone/send
citizen  /account/privacy/phone/verify
citizen  /account/privacy/consents/:purpose/withdraw
citizen  /account/privacy/consents/:purpose/renew
citizen  /account/privacy/links/:id/unlink
public   /account/oidc/login
citizen  /account/oidc/link
public   /account/oidc/callback
public   /account/register
citizen  /account/requests/:id
public   /account/login
public   /account/logout
citizen  /account/licences
signed-in  /account/inbox
signed-in  /account/inbox/read
citizen  /account/bsfw/
citizen  /account/bsfw/yjs/:number
citizen  /account/bsfw/:number
citizen  /account/bsfw/:number/resubmit
citizen  /account/bsfw/:number/rate
citizen  /account/bsfw/:number/files/:fileId
public   /api/letters/suggest-department
public   /api/search
public   /api/search/suggest
public   /api/assistant
public   /art/:file
public   /healthz
public   /readyz
public   /ref/svc-:number
public   /ref/yjs-:number
public   /ref/:ref
public   /privacy
public   /files/:id/:name
public   /ysqgk/
public   /ysqgk/cx/
public   /ysqgk/notice/
public   /sitemap/
public   /sitemap.xml
public   /search
public   /search/go/:queryId/:recordId
public   /czyjs
public   /czyjs/
public   /czyjs/:year|:file
public   /czyjs/:year|:file/
public   /col/:slug
public   /col/:slug/
public   /col/:slug/:file
public   /zdxm
public   /zdxm/
public   /zdxm/:id
public   /zdxm/:id/
public   /zdxm.csv
public   /zdxm.json
public   /zcwjk
public   /zcwjk/
public   /zcwjk/index.csv
public   /zcwjk/index.json
public   /zxft/
public   /zxft/photo/:id
public   /zxft/:id
public   /zxft/:id/ask
public   /zxft/:id/feed
public   /bsfw/
public   /bsfw/item/:itemCode
public   /bsfw/item/:itemCode/print
citizen  /bsfw/item/:itemCode/apply
public   /bsfw/zcjsq/
public   /bsfw/zz/:number
public   /bsfw/cx/
public   /bsfw/yjs/
public   /bsfw/yjs/:id
citizen  /bsfw/yjs/:id/apply
public   /bsfw/hcp/
public   /xj/
public   /xj/write/
public   /xj/cx/
public   /xj/rate/
public   /xj/tj/
public   /xj/:id
public   /myzj/
public   /myzj/:id
citizen  /myzj/:id/vote
citizen  /myzj/:id/comment
public   /dcwj/
public   /dcwj/:id
public   /dcwj/:id/jg
public   /wzbs/
`;

function rules(): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of RULES.trim().split("\n")) {
    const [rule, path] = line.trim().split(/\s+/);
    if (rule && path) map.set(path, rule);
  }
  return map;
}

/** The same grants the clients get, as permissions.ts sees them. */
function actorFor(role: Role, rsj: number): Actor | null {
  const grant = (r: GrantScope["role"], site: number | null, reviewLevel: number | null = null) => ({
    role: r,
    siteId: site,
    columnId: null,
    reviewLevel,
  });
  const grants: Record<Exclude<Role, "anonymous" | "citizen">, GrantScope[]> = {
    editor: [grant("editor", rsj)],
    reviewer: [grant("reviewer", rsj, 1)],
    officer: [grant("officer", rsj)],
    site_admin: [grant("site_admin", rsj)],
    sysadmin: [grant("sysadmin", null)],
    security_admin: [grant("security_admin", null)],
    auditor: [grant("auditor", null)],
  };
  if (role === "anonymous") return null;
  if (role === "citizen") return { id: 0, kind: "citizen", name: "市民", grants: [] };
  return { id: 0, kind: "staff", name: role, grants: grants[role] };
}

function allowed(rule: string, role: Role, sites: { rsj: number; www: number }): boolean {
  if (rule === "public" || rule === "signin") return true;
  if (rule === "citizen") return role === "citizen";
  if (rule === "signed-in") return role !== "anonymous";
  const actor = actorFor(role, sites.rsj);
  if (rule === "staff") return actor?.kind === "staff";
  return rule.split("|").some((a) => {
    const [action, site] = a.split("@");
    return can(actor, action as Action, { siteId: site === "www" ? sites.www : sites.rsj });
  });
}

/**
 * Every route × every role over real HTTP, GET and POST (with a valid form token): a role the
 * rule refuses gets 403 or is sent to sign in, and a role it allows is neither.
 */
describe("authorization matrix: every route × every role", () => {
  let p: TestPlatform;
  let rsj: number;
  let www: number;
  const clients = new Map<Role, HttpClient>();
  const params: Record<string, string> = {};

  before(async () => {
    p = await startTestPlatform("demo");
    rsj = await siteId(p.ctx, "rsj");
    www = await siteId(p.ctx, "www");
    for (const role of ROLES) {
      if (role === "anonymous") clients.set(role, p.client());
      else if (role === "citizen") {
        const c = p.client();
        const r = await c.submit("/account/register", "/account/register", {
          phone: "13912340000",
          displayName: "市民",
          password: "Citizen-Pass1",
          passwordConfirm: "Citizen-Pass1",
          agreed: "1",
        });
        assert.equal(r.status, 303);
        clients.set(role, c);
      } else {
        const grants = (actorFor(role, rsj) as Actor).grants;
        const { username } = await staffWith(p.ctx, grants, role.replace("_", ""));
        clients.set(role, await staffClient(p, username));
      }
    }
    // objects on the department site the grants are on, so "allowed" reaches the permission check
    const one = async (q: Promise<{ id: number } | undefined>) => String((await q)?.id ?? 1);
    params.document = await one(
      p.ctx.db.selectFrom("documents").select("id").where("site_id", "=", rsj).executeTakeFirst(),
    );
    params.item = await one(
      p.ctx.db.selectFrom("service_items").select("id").where("site_id", "=", rsj).executeTakeFirst(),
    );
    params.column = await one(
      p.ctx.db.selectFrom("columns").select("id").where("site_id", "=", rsj).executeTakeFirst(),
    );
  });
  after(() => p.close());

  const url = (path: string) =>
    path
      .replace("/sites/:code", "/sites/rsj")
      .replace(/^\/admin\/documents\/:id/, `/admin/documents/${params.document}`)
      .replace(/^\/admin\/services\/items\/:id/, `/admin/services/items/${params.item}`)
      .replace(/^\/admin\/columns\/:id/, `/admin/columns/${params.column}`)
      .replace(/^\/admin\/sites\/:id/, `/admin/sites/${rsj}`)
      .replace(/:siteId/, String(rsj))
      .replace(/:year\|:file/, "2026")
      .replace(/:year/, "2026")
      .replace(/:stage/, "budget")
      .replace(/\/\*$/, "/no-such-page")
      .replace(/:[A-Za-z]+/g, "1");

  const toSignIn = (r: { status: number; location: string }) =>
    r.status === 303 && /^\/(admin|account)\/login/.test(r.location);
  /** Nothing done and nothing shown: refused, not found, a form error, or sent to sign in (staff on citizens' pages to the back office). */
  const refused = (r: { status: number; location: string }) =>
    (r.status >= 400 && r.status < 500) || toSignIn(r) || (r.status === 303 && r.location === "/admin");
  /** Let in: not refused nor sent to sign in; an object on another site (403) or absent (404) is fine behind a :param. */
  const letIn = (r: { status: number; location: string }, path: string) =>
    !toSignIn(r) && r.status !== 401 && (r.status !== 403 || path.includes(":"));

  it("has a rule for every route", () => {
    const map = rules();
    const missing = routesOf(p.app.printRoutes({ commonPrefix: false }))
      .map((r) => r.path)
      .filter((path) => !map.has(path.replace(/^\/sites\/:code(?=\/|$)/, "") || "/"));
    assert.deepEqual(missing, [], "write the rule for these routes in RULES");
  });

  it("offers no route that writes to the audit log: 三员 included, nobody alters or deletes a record", () => {
    const writers = routesOf(p.app.printRoutes({ commonPrefix: false })).filter(
      (r) => r.path.startsWith("/admin/audit") && r.methods.some((m) => m !== "GET" && m !== "HEAD"),
    );
    assert.deepEqual(writers, []);
  });

  it("answers every role on every route as the rules say", async () => {
    const map = rules();
    const wrong: string[] = [];
    let checks = 0;
    for (const { path, methods } of routesOf(p.app.printRoutes({ commonPrefix: false }))) {
      const [getRule = "", postRule = getRule] = (
        map.get(path.replace(/^\/sites\/:code(?=\/|$)/, "") || "/") ?? ""
      ).split("/");
      if (getRule === "signin") continue;
      // signing out is tested by the sign-in tests; here it would end the sessions under test
      if (/\/logout$|\/account\/close$|\/sessions\/:key\/delete$/.test(path)) continue;
      for (const role of ROLES) {
        const client = clients.get(role) as HttpClient;
        if (methods.includes("GET")) {
          const expect = allowed(getRule, role, { rsj, www });
          const r = await client.request(url(path));
          await r.arrayBuffer();
          const got = { status: r.status, location: r.headers.get("location") ?? "" };
          checks += 1;
          if (expect ? !letIn(got, path) : !refused(got))
            wrong.push(`${role} GET ${path} (${getRule}): ${got.status} ${got.location}`);
        }
        // POST: only the refusals are exercised, so the matrix never changes what it tests
        if (methods.includes("POST") && !allowed(postRule, role, { rsj, www })) {
          const r = await client.submit("/account/login", url(path), { title: "越权", role: "sysadmin" });
          checks += 1;
          if (!refused(r)) wrong.push(`${role} POST ${path} (${postRule}): ${r.status} ${r.location}`);
        }
      }
    }
    process.stdout.write(`authorization matrix: ${checks} checks\n`);
    assert.deepEqual(wrong, []);
  });

  it("refuses a complete, valid new document from every role without document.edit on its column", async () => {
    const column = await p.ctx.db
      .selectFrom("columns")
      .select("id")
      .where("site_id", "=", rsj)
      .where("slug", "=", "gzdt")
      .executeTakeFirstOrThrow();
    const wrong: string[] = [];
    for (const role of ROLES) {
      if (role === "anonymous" || role === "citizen") continue;
      const r = await (clients.get(role) as HttpClient).submit(
        "/admin/documents/new",
        "/admin/documents/new",
        {
          type: "news",
          columnId: String(column.id),
          title: `越权撰写测试（${role}）`,
          summary: "",
          bodyHtml: "<p>正文</p>",
          "meta.source": "市人社局",
        },
      );
      const expect = can(actorFor(role, rsj), "document.edit", { siteId: rsj });
      if ((r.status === 303) !== expect) wrong.push(`${role}: ${r.status}`);
    }
    assert.deepEqual(wrong, []);
  });
});

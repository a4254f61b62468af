import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Actor, can, type GrantScope, scopeFor } from "./permissions.ts";

const actor = (grants: Partial<GrantScope>[], kind: Actor["kind"] = "staff"): Actor => ({
  id: 1,
  kind,
  name: "测试",
  grants: grants.map((g) => ({ role: "editor", siteId: null, columnId: null, reviewLevel: null, ...g })),
});

describe("one permission check", () => {
  it("scopes editors to their site", () => {
    const a = actor([{ role: "editor", siteId: 2 }]);
    assert.equal(can(a, "document.edit", { siteId: 2, columnPath: [10] }), true);
    assert.equal(can(a, "document.edit", { siteId: 3, columnPath: [20] }), false);
    assert.equal(can(a, "document.review", { siteId: 2, columnPath: [10], level: 1 }), false);
    assert.equal(can(a, "site.manage", { siteId: 2 }), false);
  });

  it("scopes column grants to the column and its descendants", () => {
    const a = actor([{ role: "editor", siteId: 2, columnId: 10 }]);
    assert.equal(can(a, "document.edit", { siteId: 2, columnPath: [11, 10] }), true);
    assert.equal(can(a, "document.edit", { siteId: 2, columnPath: [12] }), false);
    assert.deepEqual(scopeFor(a, "document.edit"), { all: false, siteIds: [], columnIds: [10] });
  });

  it("binds reviewers to their level of the chain", () => {
    const a = actor([{ role: "reviewer", siteId: 2, reviewLevel: 2 }]);
    assert.equal(can(a, "document.review", { siteId: 2, columnPath: [10], level: 2 }), true);
    assert.equal(can(a, "document.review", { siteId: 2, columnPath: [10], level: 1 }), false);
    assert.equal(can(a, "document.publish", { siteId: 2, columnPath: [10] }), true);
  });

  it("keeps the system administrator out of content and citizens out of everything", () => {
    const sys = actor([{ role: "sysadmin" }]);
    assert.equal(can(sys, "platform.manage"), true);
    assert.equal(can(sys, "site.manage", { siteId: 5 }), true);
    assert.equal(can(sys, "document.edit", { siteId: 5, columnPath: [1] }), false);
    const citizen = actor([{ role: "site_admin" }], "citizen");
    assert.equal(can(citizen, "document.edit", { siteId: 5, columnPath: [1] }), false);
    assert.equal(can(null, "document.edit", { siteId: 5 }), false);
    assert.deepEqual(scopeFor(actor([{ role: "site_admin" }]), "document.edit"), { all: true });
  });
});

import assert from "node:assert/strict";
import type { HttpClient } from "./http.ts";
import type { TestPlatform } from "./platform.ts";

export const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

export async function registerCitizen(p: TestPlatform, phone: string, name: string): Promise<HttpClient> {
  const client = p.client();
  const r = await client.submit("/account/register", "/account/register", {
    phone,
    displayName: name,
    password: "Citizen-Pass1",
    passwordConfirm: "Citizen-Pass1",
    agreed: "1",
  });
  assert.equal(r.status, 303, "registered");
  return client;
}

export async function itemByRef(p: TestPlatform, ref: string) {
  return p.ctx.db.selectFrom("service_items").selectAll().where("ref", "=", ref).executeTakeFirstOrThrow();
}

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { HttpClient } from "./support/http.ts";
import { startTestPlatform, type TestPlatform } from "./support/platform.ts";

const PHONE = "13812345678";
const PASSWORD = "Citizen-Pass1";

/** A citizen account: register with phone and password, phone kept encrypted, sign out and in. */
describe("citizen accounts", () => {
  let p: TestPlatform;
  let citizen: HttpClient;

  before(async () => {
    p = await startTestPlatform("demo");
    citizen = p.client();
  });
  after(() => p.close());

  const sessions = async () =>
    Number(
      (
        await p.ctx.db
          .selectFrom("sessions")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("registers with phone and password and is signed in at once", async () => {
    const anonymous = await citizen.get("/account");
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get("location"), "/account/login?next=%2Faccount");

    const r = await citizen.submit("/account/register", "/account/register", {
      phone: PHONE,
      displayName: "陈市民",
      password: PASSWORD,
      passwordConfirm: PASSWORD,
      agreed: "1",
    });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    assert.equal(r.location, "/account");
    const account = await citizen.get("/account");
    assert.equal(account.status, 200);
    assert.match(account.text, /陈市民/);
    assert.match(account.text, /138\*\*\*\*5678/);
    assert.ok(!account.text.includes(PHONE), "the full number is never shown");
  });

  it("stores the phone encrypted, with a blind index for lookup", async () => {
    const user = await p.ctx.db
      .selectFrom("users")
      .selectAll()
      .where("phone_index", "=", p.ctx.cipher.blindIndex(PHONE))
      .executeTakeFirstOrThrow();
    assert.equal(user.kind, "citizen");
    assert.equal(user.username, null);
    assert.equal(user.display_name, "陈市民");
    assert.equal(user.phone_masked, "138****5678");
    assert.ok(user.phone_enc);
    assert.ok(!user.phone_enc.includes(Buffer.from(PHONE)), "ciphertext does not contain the number");
    assert.ok(!user.phone_enc.toString("latin1").includes("12345678"));
    assert.equal(p.ctx.cipher.decrypt(user.phone_enc), PHONE);
    assert.ok(user.phone_index);
    assert.ok(!user.phone_index.includes(Buffer.from(PHONE)));
    assert.match(user.password_hash, /^\$argon2id\$/);
    const other = await p.ctx.db
      .selectFrom("users")
      .select("id")
      .where("phone_index", "=", p.ctx.cipher.blindIndex("13812345679"))
      .executeTakeFirst();
    assert.equal(other, undefined, "another number finds nobody");
  });

  it("signs out, ending the session on the server", async () => {
    const before = await sessions();
    const r = await citizen.submit("/account", "/account/logout", {});
    assert.equal(r.status, 303);
    assert.equal(r.location, "/");
    assert.equal(await sessions(), before - 1);
    assert.equal((await citizen.get("/account")).status, 303, "signed out");
  });

  it("signs in again with the phone number, however it is written", async () => {
    for (const phone of [PHONE, "138 1234 5678", "138-1234-5678"]) {
      const client = p.client();
      const r = await client.submit("/account/login", "/account/login", {
        phone,
        password: PASSWORD,
        next: "",
      });
      assert.equal(r.status, 303, `${phone}: ${r.text.slice(0, 300)}`);
      assert.equal(r.location, "/account");
      const account = await client.get("/account");
      assert.equal(account.status, 200);
      assert.match(account.text, /138\*\*\*\*5678/);
    }
    const r = await citizen.submit("/account/login", "/account/login", { phone: PHONE, password: PASSWORD });
    assert.equal(r.status, 303);
    assert.equal((await citizen.get("/account")).status, 200);
  });

  it("refuses a wrong password or an unknown number with the same vague message", async () => {
    for (const [phone, password] of [
      [PHONE, "Wrong-Pass1"],
      [PHONE, ""],
      ["13900000000", PASSWORD],
    ] as const) {
      const client = p.client();
      const before = await sessions();
      const r = await client.submit("/account/login", "/account/login", { phone, password });
      assert.equal(r.status, 401, phone);
      assert.match(r.text, /手机号码或密码错误/);
      assert.equal(await sessions(), before, "no session started");
      assert.equal((await client.get("/account")).status, 303, "not signed in");
    }
  });

  it("does not let a citizen's phone and password open the staff sign-in", async () => {
    const client = p.client();
    const r = await client.submit("/admin/login", "/admin/login", { username: PHONE, password: PASSWORD });
    assert.equal(r.status, 401);
    assert.match(r.text, /用户名或密码错误/);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "./config.ts";
import { fieldCipher, maskPhone } from "./crypto.ts";

describe("configuration", () => {
  it("has working defaults", () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.host, "127.0.0.1");
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.publicUrl, "http://127.0.0.1:3000");
  });

  it("explains bad values in Chinese", () => {
    assert.throws(
      () => loadConfig({ PORT: "http" }),
      (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ DATABASE_URL: "mysql://x" }),
      (e: unknown) => e instanceof ConfigError && /DATABASE_URL/.test(e.message),
    );
  });
});

describe("field encryption", () => {
  const cipher = fieldCipher(Buffer.alloc(32, 1));
  it("round-trips and never stores the plain value", () => {
    const sealed = cipher.encrypt("13812345678");
    assert.ok(!sealed.toString("latin1").includes("13812345678"));
    assert.equal(cipher.decrypt(sealed), "13812345678");
    assert.notDeepEqual(cipher.encrypt("13812345678"), sealed, "random IV");
  });
  it("detects tampering", () => {
    const sealed = cipher.encrypt("13812345678");
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 1;
    assert.throws(() => cipher.decrypt(sealed));
  });
  it("gives a stable blind index and masks phones", () => {
    assert.deepEqual(cipher.blindIndex("13812345678"), cipher.blindIndex("13812345678"));
    assert.notDeepEqual(
      cipher.blindIndex("13812345678"),
      fieldCipher(Buffer.alloc(32, 2)).blindIndex("13812345678"),
    );
    assert.equal(maskPhone("13812345678"), "138****5678");
  });
});

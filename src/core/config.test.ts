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

  it("turns 统一身份认证 on only with discovery URL, client id and secret, over https", () => {
    assert.equal(loadConfig({}).oidc, undefined);
    const oidc = loadConfig({
      OIDC_DISCOVERY_URL: "https://ids.example.gov.cn",
      OIDC_CLIENT_ID: "qinghe",
      OIDC_CLIENT_SECRET: "s3cret",
    }).oidc;
    assert.equal(oidc?.displayName, "省统一身份认证平台");
    assert.throws(
      () => loadConfig({ OIDC_DISCOVERY_URL: "https://ids.example.gov.cn", OIDC_CLIENT_ID: "qinghe" }),
      (e: unknown) => e instanceof ConfigError && /OIDC_CLIENT_SECRET/.test(e.message),
    );
    assert.throws(
      () =>
        loadConfig({
          OIDC_DISCOVERY_URL: "http://ids.example.gov.cn",
          OIDC_CLIENT_ID: "a",
          OIDC_CLIENT_SECRET: "b",
        }),
      (e: unknown) => e instanceof ConfigError && /https/.test(e.message),
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
  it("seals with SM4 and an HMAC-SM3 tag by default, AES-256-GCM when chosen; reads both", () => {
    const sm4 = fieldCipher(Buffer.alloc(32, 1));
    const aes = fieldCipher(Buffer.alloc(32, 1), "aes-256-gcm");
    const bySm4 = sm4.encrypt("110101199003071234");
    const byAes = aes.encrypt("110101199003071234");
    assert.equal(bySm4[0], 2);
    assert.equal(byAes[0], 1);
    for (const c of [sm4, aes]) {
      assert.equal(c.decrypt(bySm4), "110101199003071234");
      assert.equal(c.decrypt(byAes), "110101199003071234");
    }
    // any flipped bit, in the IV, the body or the tag, is refused before decrypting
    for (const at of [1, 20, bySm4.length - 1]) {
      const bad = Buffer.from(bySm4);
      bad[at] = (bad[at] ?? 0) ^ 1;
      assert.throws(() => sm4.decrypt(bad), /完整性校验失败/);
    }
    assert.throws(() => loadConfig({ FIELD_CIPHER: "des" }), /FIELD_CIPHER/);
    assert.equal(loadConfig({}).fieldAlgorithm, "sm4");
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

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { perPageFee, perRequestFee } from "../modules/disclosure/fees.ts";
import { isCreditCode, isPhoneNumber, isResidentIdNumber, maskAddress, maskIdentifier } from "./validate.ts";

describe("identifiers", () => {
  it("checks 居民身份证号码 check characters and birth dates", () => {
    assert.equal(isResidentIdNumber("11010519491231002X"), true);
    assert.equal(isResidentIdNumber("110105194912310021"), false, "wrong check character");
    assert.equal(isResidentIdNumber("110105194902300021"), false, "30 February");
    assert.equal(isResidentIdNumber("1101051949123100"), false);
  });
  it("checks 统一社会信用代码", () => {
    assert.equal(isCreditCode("91350100M000100Y43"), true);
    assert.equal(isCreditCode("91350100M000100Y44"), false);
  });
  it("accepts mobiles and landlines", () => {
    assert.equal(isPhoneNumber("138 1234 5678"), true);
    assert.equal(isPhoneNumber("0999-82345000"), true);
    assert.equal(isPhoneNumber("12345"), false);
  });
  it("masks identifiers and addresses", () => {
    assert.equal(maskIdentifier("11010519491231002X"), "1101**********002X");
    assert.equal(maskAddress("青禾市东城区文昌街66号"), "青禾市东城区****");
  });
});

describe("信息处理费 (国办函〔2020〕109号)", () => {
  it("charges per request progressively by the month's count", () => {
    assert.deepEqual([1, 10, 11, 30, 31, 40, 41].map(perRequestFee), [0, 0, 100, 100, 200, 200, 300]);
  });
  it("charges per page progressively", () => {
    assert.equal(perPageFee(30), 0);
    assert.equal(perPageFee(31), 10);
    assert.equal(perPageFee(100), 700);
    assert.equal(perPageFee(150), 700 + 50 * 20);
    assert.equal(perPageFee(250), 700 + 2000 + 50 * 40);
  });
});

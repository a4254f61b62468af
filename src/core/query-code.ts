import { createHash, randomBytes, randomInt } from "node:crypto";

/**
 * Tracking numbers and query codes for citizens' cases followed without an account (依申请公开,
 * letters …). The code is shown once and stored only as a hash bound to its tracking number.
 */
const ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

export function randomCode(length: number): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
}

export function codeHash(trackingNo: string, code: string): Buffer {
  return createHash("sha256").update(`${trackingNo}:${code.toUpperCase()}`).digest();
}

/** Whether `code` opens the case; compares against a random hash when there is no case, so timing says nothing. */
export function codeMatches(
  stored: { tracking_no: string; query_code_hash: Buffer } | undefined,
  code: string,
) {
  const expected = stored ? codeHash(stored.tracking_no, code.trim()) : randomBytes(32);
  return stored?.query_code_hash.equals(expected) ?? false;
}

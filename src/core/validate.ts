/** Checks for identifiers citizens type in forms, shared by every module. */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

/** 18-digit 居民身份证号码 with its GB 11643 check character and a real birth date. */
export function isResidentIdNumber(value: string): boolean {
  const id = value.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  const date = new Date(`${birth}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== birth) return false;
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(id[i]), 0);
  return ID_CHECK[sum % 11] === id[17];
}

const CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** 18-character 统一社会信用代码 with its GB 32100 check character. */
export function isCreditCode(value: string): boolean {
  const code = value.toUpperCase();
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  const sum = CREDIT_WEIGHTS.reduce((acc, w, i) => acc + w * CREDIT_CHARS.indexOf(code[i] ?? ""), 0);
  return CREDIT_CHARS[(31 - (sum % 31)) % 31] === code[17];
}

/** A mobile number or a landline with area code (0999-82345000). */
export function isPhoneNumber(value: string): boolean {
  const v = value.replace(/[\s-]/g, "");
  return /^1[3-9]\d{9}$/.test(v) || /^0\d{2,3}\d{7,8}$/.test(v);
}

/** 110101199003071234 → 1101**********1234; other identifiers keep their first and last 2. */
export function maskIdentifier(value: string): string {
  if (value.length >= 15) return `${value.slice(0, 4)}${"*".repeat(value.length - 8)}${value.slice(-4)}`;
  if (value.length > 4) return `${value.slice(0, 2)}${"*".repeat(value.length - 4)}${value.slice(-2)}`;
  return "*".repeat(value.length);
}

/** Keeps the district and masks the rest: 青禾市东城区文昌街66号 → 青禾市东城区****. */
export function maskAddress(value: string): string {
  const district = /^.{0,12}?[区县]/.exec(value)?.[0];
  return `${district ?? value.slice(0, Math.min(6, Math.max(0, value.length - 2)))}****`;
}

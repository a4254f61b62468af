import { hash, verify } from "@node-rs/argon2";

// argon2id (the library's default algorithm) with OWASP's suggested memory/time costs.
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash of a random password, used to spend the same time when the account does not exist. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(`decoy-${Math.random()}`);
  return decoy;
}

/**
 * Words that make a password guessable however it is decorated: "P@ssw0rd1!", "1qaz@WSX" and
 * "Admin@123" all reduce to one of these once digits and symbols go and leetspeak is undone.
 */
const WEAK_CORES = new Set(
  (
    "password passwd pass admin administrator root system sysadmin manager test user guest login welcome " +
    "letmein iloveyou woaini qwerty qwer qwerasdf qwertyuiop asdf asdfgh asdfghjkl zxcv zxcvbnm qaz qazwsx " +
    "qazwsxedc wsx abc abcd abcde abcdef abcdefg aa aaa aaaa aaaaaa aabb abab china beijing shanghai " +
    "zhengwu zhongguo gov master dragon monkey football baseball superman hello sunshine princess"
  ).split(" "),
);
const LEET: Record<string, string> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
};

export function isCommonPassword(password: string): boolean {
  // digits and symbols at either end are decoration; inside, they may be leetspeak or separators
  const inner = password.toLowerCase().replace(/^[^a-z]+|[^a-z]+$/g, "");
  const cores = [
    inner.replace(/[013457@$]/g, (c) => LEET[c] ?? c).replace(/[^a-z]/g, ""),
    inner.replace(/[^a-z]/g, ""),
  ];
  return cores.some((core) => core === "" || WEAK_CORES.has(core) || /^(.)\1+$/.test(core));
}

/** Returns a Chinese explanation when the password is too weak, or null. */
export function passwordProblem(password: string, minLength = 8, username = ""): string | null {
  if (password.length < minLength) return `密码至少 ${minLength} 位`;
  if (password.length > 128) return "密码不能超过 128 位";
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) return "密码须包含大写字母、小写字母、数字、符号中的至少三种";
  if (isCommonPassword(password)) return "该密码过于常见，容易被猜中，请换一个";
  if (username.length >= 3 && password.toLowerCase().includes(username.toLowerCase()))
    return "密码不能包含用户名";
  return null;
}

/** Readable random password for first-start admins: three classes guaranteed. */
export function randomPassword(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(14));
  const body = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
  return `${body.slice(0, 7)}-${body.slice(7)}A7z`;
}

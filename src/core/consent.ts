import type { Generated, Kysely, Transaction } from "kysely";
import { type AuditActor, appendAudit } from "./audit.ts";
import type { Database } from "./db/tables.ts";

/**
 * 个人信息处理同意 (PIPL art. 14–15): what each citizen consented to, under which version of the
 * privacy notice, and when they withdrew it. Modules that do optional processing ask
 * `mayProcess` first; the site inbox does so before sending an SMS.
 */
export interface ConsentsTable {
  id: Generated<number>;
  user_id: number;
  purpose: string;
  notice_version: string;
  granted_at: Generated<Date>;
  withdrawn_at: Date | null;
  ip: Generated<string>;
}

export interface ConsentTables {
  consents: ConsentsTable;
}

type Db = Kysely<Database> | Transaction<Database>;

/** The version of 《个人信息保护说明》 in force; raise it whenever the notice's substance changes. */
export const NOTICE_VERSION = "2";
export const NOTICE_DATE = "2026 年 11 月 23 日";

export interface ConsentPurpose {
  label: string;
  what: string;
  /** Mandatory consents cannot be withdrawn while the account exists; closing it is the way. */
  required: boolean;
}

export const CONSENT_PURPOSES = {
  privacy_notice: {
    label: "《个人信息保护说明》",
    what: "为注册、登录和办理您提交的事项处理手机号码、称呼和登录记录。这是使用账号的前提。",
    required: true,
  },
  sms_notifications: {
    label: "短信通知",
    what: "办件受理、补正、办结等进度通过短信发送到您的手机。撤回后只在站内消息中通知您。",
    required: false,
  },
} as const satisfies Record<string, ConsentPurpose>;

export type ConsentPurposeKey = keyof typeof CONSENT_PURPOSES;

export function isConsentPurpose(value: string): value is ConsentPurposeKey {
  return Object.hasOwn(CONSENT_PURPOSES, value);
}

/** Records consent to `purpose` under the current notice; an already open consent is kept as is. */
export async function grantConsent(
  db: Db,
  actor: NonNullable<AuditActor>,
  purpose: ConsentPurposeKey,
  ip = "",
): Promise<void> {
  const opened = await db
    .insertInto("consents")
    .values({ user_id: actor.id, purpose, notice_version: NOTICE_VERSION, ip })
    .onConflict((oc) => oc.columns(["user_id", "purpose"]).where("withdrawn_at", "is", null).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (opened)
    await appendAudit(db, actor, "consent.granted", `user:${actor.id}`, {
      ip,
      purpose,
      version: NOTICE_VERSION,
    });
}

/** The consents a new account starts with: the notice it agreed to and the notifications it names. */
export async function grantSignupConsents(db: Db, actor: NonNullable<AuditActor>, ip = ""): Promise<void> {
  await grantConsent(db, actor, "privacy_notice", ip);
  await grantConsent(db, actor, "sms_notifications", ip);
}

/** Withdraws an open consent; returns false when there was none to withdraw. */
export async function withdrawConsent(
  db: Db,
  actor: NonNullable<AuditActor>,
  purpose: ConsentPurposeKey,
  ip = "",
): Promise<boolean> {
  const closed = await db
    .updateTable("consents")
    .set({ withdrawn_at: new Date() })
    .where("user_id", "=", actor.id)
    .where("purpose", "=", purpose)
    .where("withdrawn_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  if (closed) await appendAudit(db, actor, "consent.withdrawn", `user:${actor.id}`, { ip, purpose });
  return Boolean(closed);
}

/** Every consent the user gave, newest first, withdrawn ones included. */
export function consentsOf(db: Db, userId: number) {
  return db
    .selectFrom("consents")
    .select(["id", "purpose", "notice_version", "granted_at", "withdrawn_at"])
    .where("user_id", "=", userId)
    .orderBy("granted_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

/**
 * Whether optional processing for `purpose` may go on: yes with an open consent, no once it was
 * withdrawn. Accounts that never had a consent recorded (staff) are not citizens this applies to.
 */
export async function mayProcess(db: Db, userId: number, purpose: ConsentPurposeKey): Promise<boolean> {
  const rows = await db
    .selectFrom("consents")
    .select("withdrawn_at")
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .execute();
  return rows.length === 0 || rows.some((r) => r.withdrawn_at === null);
}

/** Closes every open consent, as when the account is closed. */
export async function withdrawAllConsents(db: Db, userId: number): Promise<void> {
  await db
    .updateTable("consents")
    .set({ withdrawn_at: new Date() })
    .where("user_id", "=", userId)
    .where("withdrawn_at", "is", null)
    .execute();
}

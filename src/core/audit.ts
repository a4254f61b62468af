import { createHash } from "node:crypto";
import { type Generated, type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { AppContext } from "./context.ts";
import type { Database } from "./db/tables.ts";

/**
 * 安全审计: one append-only log for the whole platform. Each record carries the SM3 hash of its
 * content and of the record before it, so altering, inserting or deleting a record anywhere but
 * the end breaks the chain that `verifyAuditChain` (`zhengwu audit verify`) walks. The table's
 * triggers refuse UPDATE, DELETE and TRUNCATE for every database account.
 */
export interface AuditLogTable {
  seq: number;
  at: Date;
  actor_id: number | null;
  actor_name: Generated<string>;
  action: string;
  target: Generated<string>;
  result: AuditResult;
  ip: Generated<string>;
  detail: Generated<AuditData>;
  prev_hash: Buffer;
  hash: Buffer;
}

export interface AuditTables {
  audit_log: AuditLogTable;
}

export type AuditRecord = Selectable<AuditLogTable>;
export type AuditResult = "success" | "failure" | "denied";
export type AuditData = Record<string, string | number | boolean | null>;

/** Who acted: a signed-in actor, a known account (e.g. a failed sign-in), or nobody (the system). */
export type AuditActor = { id: number; name: string } | null;

/** `result` and `ip` are columns; everything else lands in the record's detail. */
export type AuditDetail = { result?: AuditResult; ip?: string } & {
  [key: string]: string | number | boolean | null | undefined;
};

export const AUDIT_RESULTS: Record<AuditResult, string> = {
  success: "成功",
  failure: "失败",
  denied: "拒绝",
};

/** Labels for the actions this platform records; an unknown action is shown by its code. */
export const AUDIT_ACTIONS: Record<string, string> = {
  "auth.login": "登录",
  "auth.login_failed": "登录失败",
  "auth.locked": "账号锁定",
  "auth.logout": "退出登录",
  "auth.mfa_failed": "动态口令错误",
  "auth.mfa_passed": "动态口令验证通过",
  "auth.sms_sent": "发送短信验证码",
  "user.created": "新建账号",
  "user.status": "启用或停用账号",
  "user.unlocked": "解除锁定",
  "user.mfa_reset": "重置动态口令",
  "grant.added": "授权",
  "grant.revoked": "撤销授权",
  "grant.refused": "越权授权被拒绝",
  "mfa.enrolled": "绑定动态口令",
  "mfa.recovery_used": "使用恢复码",
  "mfa.recovery_renewed": "重新生成恢复码",
  "password.changed": "修改密码",
  "session.revoked": "注销其他会话",
  "pii.revealed": "查看个人信息明文",
  "citizen.registered": "公众注册",
  "citizen.exported": "公众导出个人数据",
  "citizen.closed": "公众注销账号",
  "citizen.corrected": "公众更正个人信息",
  "consent.granted": "同意个人信息处理",
  "consent.withdrawn": "撤回个人信息处理同意",
  "auth.oidc_failed": "统一身份认证登录失败",
  "oidc.linked": "绑定统一身份认证",
  "oidc.unlinked": "解除统一身份认证绑定",
  "audit.exported": "导出审计记录",
  "audit.verified": "校验审计链",
  "keys.rotated": "轮换字段加密密钥",
  "keys.index_rotated": "轮换盲索引密钥",
  "backup.created": "创建加密备份",
  "backup.restored": "从备份恢复",
  "config.site_created": "新建站点",
  "config.site_updated": "修改站点设置",
  "config.column_created": "新建栏目",
  "config.column_updated": "修改栏目",
  "config.column_deleted": "删除栏目",
  "config.calendar_set": "设置工作日历",
  "config.calendar_removed": "删除工作日历条目",
};

export const GENESIS_HASH: Buffer = Buffer.alloc(32);
/** Serialises appends across processes; the number is arbitrary but fixed. */
const AUDIT_LOCK = 7203013;

function sm3(data: string): Buffer {
  return createHash("sm3").update(data, "utf8").digest();
}

/** JSON with sorted keys, so the hash does not depend on how PostgreSQL orders jsonb keys. */
function canonical(data: AuditData): string {
  return JSON.stringify(Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1))));
}

type Hashed = Pick<
  AuditRecord,
  "seq" | "at" | "actor_id" | "actor_name" | "action" | "target" | "result" | "ip" | "detail" | "prev_hash"
>;

export function recordHash(r: Hashed): Buffer {
  return sm3(
    [
      r.seq,
      r.at.toISOString(),
      r.actor_id ?? "",
      r.actor_name,
      r.action,
      r.target,
      r.result,
      r.ip,
      canonical(r.detail),
      r.prev_hash.toString("hex"),
    ]
      .map((part) => JSON.stringify(String(part)))
      .join("|"),
  );
}

/** Appends one record to the audit log. Every module records security-relevant events through this. */
export function audit(
  ctx: AppContext,
  actor: AuditActor,
  action: string,
  target: string,
  detail: AuditDetail = {},
): Promise<void> {
  return appendAudit(ctx.db, actor, action, target, detail);
}

/**
 * The same, on a given database handle: inside a transaction the record commits or rolls back
 * with the change it describes (the chain lock is then held until that transaction ends).
 */
export async function appendAudit(
  db: Kysely<Database> | Transaction<Database>,
  actor: AuditActor,
  action: string,
  target: string,
  detail: AuditDetail = {},
): Promise<void> {
  const { result = "success", ip = "", ...rest } = detail;
  const data: AuditData = {};
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) data[key] = value;
  const append = async (trx: Transaction<Database>) => {
    await sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
    const last = await trx
      .selectFrom("audit_log")
      .select(["seq", "hash"])
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst();
    const record: Hashed = {
      seq: Number(last?.seq ?? 0) + 1,
      at: new Date(),
      actor_id: actor?.id ?? null,
      actor_name: actor?.name ?? "系统",
      action,
      target: target.slice(0, 300),
      result,
      ip,
      detail: data,
      prev_hash: last?.hash ?? GENESIS_HASH,
    };
    await trx
      .insertInto("audit_log")
      .values({ ...record, detail: JSON.stringify(data) as unknown as AuditData, hash: recordHash(record) })
      .execute();
  };
  if (db.isTransaction) await append(db as Transaction<Database>);
  else await db.transaction().execute(append);
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  /** The first record where the chain breaks, and why (Chinese, for the page and the CLI). */
  broken?: { seq: number; reason: string };
}

/** Walks the whole chain in order, recomputing every hash. */
export async function verifyAuditChain(ctx: AppContext): Promise<ChainReport> {
  let expectedSeq = 1;
  let prev: Buffer = GENESIS_HASH;
  for (;;) {
    const batch = await ctx.db
      .selectFrom("audit_log")
      .selectAll()
      .where("seq", ">=", expectedSeq)
      .orderBy("seq")
      .limit(1000)
      .execute();
    if (batch.length === 0) return { ok: true, checked: expectedSeq - 1 };
    for (const row of batch) {
      const seq = Number(row.seq);
      const fail = (reason: string): ChainReport => ({
        ok: false,
        checked: expectedSeq - 1,
        broken: { seq, reason },
      });
      if (seq !== expectedSeq) return fail(`缺少第 ${expectedSeq} 条记录（可能已被删除）`);
      if (!row.prev_hash.equals(prev)) return fail("与上一条记录的链接不符（上一条记录可能被删除或替换）");
      if (!recordHash({ ...row, seq }).equals(row.hash)) return fail("记录内容与其 SM3 摘要不符（已被篡改）");
      prev = row.hash;
      expectedSeq += 1;
    }
  }
}

export interface AuditFilter {
  from?: string | undefined;
  to?: string | undefined;
  action?: string | undefined;
  actor?: string | undefined;
  target?: string | undefined;
  result?: string | undefined;
  ip?: string | undefined;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Records matching the filter, newest first; dates are China-time calendar days, inclusive. */
export function auditQuery(ctx: AppContext, filter: AuditFilter) {
  let query = ctx.db.selectFrom("audit_log");
  if (filter.from && DAY.test(filter.from))
    query = query.where(
      "at",
      ">=",
      sql<Date>`(${filter.from}::date)::timestamp at time zone 'Asia/Shanghai'`,
    );
  if (filter.to && DAY.test(filter.to))
    query = query.where(
      "at",
      "<",
      sql<Date>`(${filter.to}::date + 1)::timestamp at time zone 'Asia/Shanghai'`,
    );
  if (filter.action) query = query.where("action", "=", filter.action);
  if (filter.result && filter.result in AUDIT_RESULTS)
    query = query.where("result", "=", filter.result as AuditResult);
  const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (filter.actor) query = query.where("actor_name", "ilike", like(filter.actor));
  if (filter.target) query = query.where("target", "ilike", like(filter.target));
  if (filter.ip) query = query.where("ip", "=", filter.ip);
  return query;
}

export async function searchAudit(ctx: AppContext, filter: AuditFilter, page: number, perPage = 50) {
  const total = await auditQuery(ctx, filter)
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  const rows = await auditQuery(ctx, filter)
    .selectAll()
    .orderBy("seq", "desc")
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { rows, total: Number(total.n), pages: Math.max(1, Math.ceil(Number(total.n) / perPage)) };
}

/** Every matching record, oldest first, for the CSV export (bounded to keep a response sane). */
export async function exportAudit(ctx: AppContext, filter: AuditFilter, limit = 100_000) {
  return auditQuery(ctx, filter).selectAll().orderBy("seq").limit(limit).execute();
}

/** The actions that occur in the log, for the filter's drop-down. */
export async function auditActions(ctx: AppContext): Promise<string[]> {
  const rows = await ctx.db.selectFrom("audit_log").select("action").distinct().orderBy("action").execute();
  return [...new Set([...Object.keys(AUDIT_ACTIONS), ...rows.map((r) => r.action)])].sort();
}

/** The Chinese name of an action; workflow transitions carry their machine's label in the detail. */
export function actionLabel(action: string, detail?: AuditData): string {
  const label = detail?.label;
  return AUDIT_ACTIONS[action] ?? (typeof label === "string" ? label : action);
}

import type { Kysely } from "kysely";
import { sql } from "kysely";
import { type Actor, can, scopeFor } from "../../core/auth/permissions.ts";
import { chinaDay } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import type { Database } from "../../core/db/tables.ts";
import { ForbiddenError, Problems, UserError } from "../../core/errors.ts";
import { isNormative } from "../content/metadata.ts";

/**
 * 政府信息公开目录 (catalogue): organisation codes, 索引号, the interpretation publishing gate and
 * the platform settings behind it. Content publishing calls `checkPublishable` when a version is
 * approved and `assignIndexNo` when a document goes live, inside its own transaction.
 */
type Executor = Kysely<Database>;

/** Document types that are catalogue items and carry a 索引号. */
export const INDEXED_TYPES: readonly string[] = ["policy", "interpretation"];

/* ------------------------------------------------------------------ 统一社会信用代码 */

const USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The 18th character of a 统一社会信用代码 (GB 32100-2015) for its first 17. */
export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (const [i, ch] of [...first17].entries()) {
    const value = USCC_CHARS.indexOf(ch);
    if (value < 0) throw new Error(`not a credit-code character: ${ch}`);
    sum += value * (USCC_WEIGHTS[i] ?? 0);
  }
  return USCC_CHARS[(31 - (sum % 31)) % 31] ?? "0";
}

/** The 9th character of a 组织机构代码 (GB 11714) for its first 8. */
export function orgCodeCheckChar(first8: string): string {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (const [i, ch] of [...first8].entries()) sum += Number.parseInt(ch, 36) * (weights[i] ?? 0);
  const c = 11 - (sum % 11);
  return c === 10 ? "X" : c === 11 ? "0" : String(c);
}

/** Checks a 统一社会信用代码 as typed; returns it upper-cased or a Chinese reason it is wrong. */
export function checkOrgCode(raw: string): { code: string } | { problem: string } {
  const code = raw.trim().toUpperCase();
  if (code.length !== 18) return { problem: "统一社会信用代码为 18 位" };
  if (![...code].every((ch) => USCC_CHARS.includes(ch)))
    return { problem: "统一社会信用代码只含数字和大写字母（不含 I、O、S、V、Z）" };
  if (usccCheckChar(code.slice(0, 17)) !== code[17])
    return { problem: "统一社会信用代码的校验位不正确，请核对" };
  return { code };
}

/* ------------------------------------------------------------------ 索引号 */

export function formatIndexNo(prefix: string, year: number, serial: number): string {
  return `${prefix}/${year}-${String(serial).padStart(5, "0")}`;
}

/** The publishing organisation of a document: its department, else its site's department. */
async function publisherOf(db: Executor, documentId: number) {
  return db
    .selectFrom("documents as d")
    .innerJoin("sites as s", "s.id", "d.site_id")
    .leftJoin("departments as dep", (j) =>
      j.on((eb) => eb("dep.id", "=", eb.fn.coalesce("d.department_id", "s.department_id"))),
    )
    .select(["d.type", "d.index_no", "dep.name as department_name", "dep.org_code", "s.name as site_name"])
    .where("d.id", "=", documentId)
    .executeTakeFirstOrThrow();
}

function missingCode(p: { department_name: string | null; site_name: string }): UserError {
  return new UserError(
    p.department_name
      ? `发布机构“${p.department_name}”尚未设置统一社会信用代码，无法生成索引号。请平台管理员在“政务公开 → 机构代码”中设置后再发布。`
      : `站点“${p.site_name}”未关联发布机构，无法生成索引号。请平台管理员在站点设置中选择所属部门，并为该部门设置统一社会信用代码。`,
    409,
  );
}

/**
 * Gives the document its 索引号 if it is a catalogue item without one: the next serial of its
 * organisation for the year of `at` (China time). Runs inside the publishing transaction; the
 * counter row is taken with INSERT … ON CONFLICT DO UPDATE … RETURNING, so concurrent publishers
 * wait for each other and no serial is handed out twice. Numbers are never re-issued: the
 * counter only goes up, and a withdrawn document keeps its number.
 */
export async function assignIndexNo(trx: Executor, documentId: number, at: Date): Promise<string | null> {
  const p = await publisherOf(trx, documentId);
  if (!INDEXED_TYPES.includes(p.type)) return null;
  if (p.index_no) return p.index_no;
  if (!p.org_code) throw missingCode(p);
  const year = Number(chinaDay(at).slice(0, 4));
  const counter = await trx
    .insertInto("index_counters")
    .values({ prefix: p.org_code, year, last_serial: 1 })
    .onConflict((oc) =>
      oc.columns(["prefix", "year"]).doUpdateSet({
        last_serial: sql<number>`index_counters.last_serial + 1`,
        updated_at: new Date(),
      }),
    )
    .returning("last_serial")
    .executeTakeFirstOrThrow()
    .catch((error: unknown) => {
      if ((error as { code?: string }).code === "23514")
        throw new UserError(`发布机构 ${year} 年的索引号流水号已用完（最多 99999 个）`, 409);
      throw error;
    });
  const indexNo = formatIndexNo(p.org_code, year, counter.last_serial);
  await trx
    .updateTable("documents")
    .set({ index_no: indexNo })
    .where("id", "=", documentId)
    .where("index_no", "is", null)
    .execute();
  return indexNo;
}

/* ------------------------------------------------------------------ settings */

export type GateMode = "warn" | "block";

export interface CatalogueSettings {
  /** 规范性文件 without an interpretation: warn on the document page, or refuse to publish. */
  interpretationGate: GateMode;
  /** Working days an interpretation may follow its policy before the lag report flags it. */
  lagLimit: number;
}

export const SETTINGS_KEY = "disclosure.catalogue";
export const DEFAULT_SETTINGS: CatalogueSettings = { interpretationGate: "warn", lagLimit: 3 };

export async function catalogueSettings(db: Executor): Promise<CatalogueSettings> {
  const row = await db
    .selectFrom("app_state")
    .select("value")
    .where("key", "=", SETTINGS_KEY)
    .executeTakeFirst();
  const v = (row?.value ?? {}) as Partial<CatalogueSettings>;
  return {
    interpretationGate: v.interpretationGate === "block" ? "block" : "warn",
    lagLimit:
      Number.isInteger(v.lagLimit) && (v.lagLimit ?? -1) >= 0
        ? (v.lagLimit as number)
        : DEFAULT_SETTINGS.lagLimit,
  };
}

/** Platform-wide catalogue settings and organisation codes: for whoever manages every site. */
export function mayManageCatalogue(actor: Actor | null): boolean {
  return can(actor, "platform.manage") || scopeFor(actor, "site.manage").all;
}

export async function saveCatalogueSettings(
  ctx: AppContext,
  actor: Actor,
  input: { interpretationGate: string; lagLimit: string },
): Promise<void> {
  if (!mayManageCatalogue(actor)) throw new ForbiddenError("只有平台管理员可以修改政务公开设置");
  const problems = new Problems();
  if (input.interpretationGate !== "warn" && input.interpretationGate !== "block")
    problems.add("interpretationGate", "请选择规范性文件缺少解读时的处理方式");
  const limit = input.lagLimit.trim();
  if (!/^\d{1,2}$/.test(limit) || Number(limit) > 30)
    problems.add("lagLimit", "解读发布时限为 0—30 之间的整数（工作日）");
  problems.throwIfAny();
  const value: CatalogueSettings = {
    interpretationGate: input.interpretationGate as GateMode,
    lagLimit: Number(limit),
  };
  await ctx.db
    .insertInto("app_state")
    .values({ key: SETTINGS_KEY, value: JSON.stringify(value) })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({ value: JSON.stringify(value), updated_at: new Date() }),
    )
    .execute();
}

/* ------------------------------------------------------------------ interpretations and the gate */

/** A document's key in metadata links: its corpus ref, or its id. */
export function documentKey(doc: { id: number; ref: string | null }): string {
  return doc.ref ?? String(doc.id);
}

/**
 * Whether an interpretation accompanies the policy: one that is public, or approved, or in review,
 * and names the policy in 所解读的政策. A draft alone does not count.
 */
export async function hasInterpretation(db: Executor, policyId: number): Promise<boolean> {
  const policy = await db
    .selectFrom("documents")
    .select(["id", "ref"])
    .where("id", "=", policyId)
    .executeTakeFirstOrThrow();
  const keys = [String(policy.id), ...(policy.ref ? [policy.ref] : [])];
  const row = await db
    .selectFrom("documents as i")
    .innerJoin("document_versions as v", "v.document_id", "i.id")
    .select("i.id")
    .where("i.type", "=", "interpretation")
    .where("i.withdrawn_at", "is", null)
    .where((eb) =>
      eb.or([eb("v.id", "=", eb.ref("i.live_version_id")), eb("v.status", "in", ["approved", "in_review"])]),
    )
    .where(sql<string>`v.metadata->>'policy_ref'`, "in", keys)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export const GATE_MESSAGE =
  "本文件是行政规范性文件，按平台设置须与政策解读同步发布：请先撰写政策解读，在“所解读的政策”中选择本文件并提交审核，然后再发布本文件。";
export const GATE_WARNING =
  "本文件是行政规范性文件，尚无已提交或已发布的政策解读。按照“三同步”要求，解读材料应与文件同步组织、同步审签、同步发布。";

/** What the document page says about publishing this version. */
export async function publishingNotice(
  db: Executor,
  doc: { id: number; type: string },
  metadata: Record<string, string>,
): Promise<{ gate: GateMode; missingInterpretation: boolean }> {
  const settings = await catalogueSettings(db);
  const missing = doc.type === "policy" && isNormative(metadata) && !(await hasInterpretation(db, doc.id));
  return { gate: settings.interpretationGate, missingInterpretation: missing };
}

export const WITHHELD_MESSAGE =
  "公开属性为“不予公开”的信息不能在网站发布；确需公开的，请先修改公开属性并说明依据。已发布的信息如需下线，请撤稿。";

/** 不予公开 ([条例] Art 14–16) is never published: refused when submitted and again when approved. */
export function checkDisclosable(metadata: Record<string, string>): void {
  if (metadata.disclosure === "不予公开") throw new UserError(WITHHELD_MESSAGE, 409);
}

/**
 * Refuses to publish what must not be published: 不予公开 items; a catalogue item whose
 * organisation has no code yet; and, when the platform says so, a 规范性文件 published for the first
 * time without its interpretation. Called inside the approving transaction, so a refusal leaves
 * the version where it was.
 */
export async function checkPublishable(
  trx: Executor,
  documentId: number,
  metadata: Record<string, string>,
): Promise<void> {
  checkDisclosable(metadata);
  const p = await publisherOf(trx, documentId);
  if (INDEXED_TYPES.includes(p.type) && !p.index_no && !p.org_code) throw missingCode(p);
  if (p.type !== "policy" || !isNormative(metadata)) return;
  const doc = await trx
    .selectFrom("documents")
    .select("first_published_at")
    .where("id", "=", documentId)
    .executeTakeFirstOrThrow();
  if (doc.first_published_at) return;
  const settings = await catalogueSettings(trx);
  if (settings.interpretationGate === "block" && !(await hasInterpretation(trx, documentId)))
    throw new UserError(GATE_MESSAGE, 409);
}

/* ------------------------------------------------------------------ organisation codes */

export async function organisations(db: Executor) {
  return db.selectFrom("departments").select(["id", "ref", "name", "org_code"]).orderBy("id").execute();
}

/** Sets the codes of several departments at once; a blank code clears it. */
export async function saveOrgCodes(ctx: AppContext, actor: Actor, codes: Map<number, string>): Promise<void> {
  if (!mayManageCatalogue(actor)) throw new ForbiddenError("只有平台管理员可以设置机构代码");
  const problems = new Problems();
  const clean = new Map<number, string | null>();
  const seen = new Map<string, number>();
  for (const [id, raw] of codes) {
    if (!raw.trim()) {
      clean.set(id, null);
      continue;
    }
    const checked = checkOrgCode(raw);
    if ("problem" in checked) {
      problems.add(`org.${id}`, checked.problem);
      continue;
    }
    const other = seen.get(checked.code);
    if (other !== undefined) problems.add(`org.${id}`, "两个部门不能使用同一个统一社会信用代码");
    seen.set(checked.code, id);
    clean.set(id, checked.code);
  }
  problems.throwIfAny();
  await ctx.db.transaction().execute(async (trx) => {
    // clear first, so two departments may swap codes in one save
    const ids = [...clean.keys()];
    if (ids.length === 0) return;
    const clash = await trx
      .selectFrom("departments")
      .select(["id", "org_code"])
      .where("id", "not in", ids)
      .where("org_code", "in", [...seen.keys(), ""])
      .execute();
    for (const c of clash) {
      const id = seen.get(c.org_code ?? "");
      if (id !== undefined) problems.add(`org.${id}`, "该统一社会信用代码已被其他部门使用");
    }
    problems.throwIfAny();
    await trx.updateTable("departments").set({ org_code: null }).where("id", "in", ids).execute();
    for (const [id, code] of clean) {
      if (code) await trx.updateTable("departments").set({ org_code: code }).where("id", "=", id).execute();
    }
  });
}

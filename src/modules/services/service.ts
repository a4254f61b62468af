import { sql } from "kysely";
import { type Actor, can, scopeFor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, Problems, UserError } from "../../core/errors.ts";
import { indexRecord } from "../search/sources.ts";
import {
  AUDIENCES,
  type Audience,
  asJson,
  type Faq,
  FIELD_KINDS,
  type FieldKind,
  type FormField,
  ITEM_TYPES,
  MATERIAL_FORMS,
  type Material,
  ONLINE_LEVELS,
  type OnlineLevel,
  type ServiceItem,
} from "./schema.ts";

/* ------------------------------------------------------------------ completeness */

/** The 10 key element classes of a 办事指南 the national inspection checks (国办 检查指标). */
export const KEY_ELEMENTS = [
  "事项名称",
  "设定依据",
  "申请条件",
  "办理材料",
  "办理地点",
  "办理机构",
  "收费标准",
  "办理时间",
  "联系电话",
  "办理流程",
] as const;
export type KeyElement = (typeof KEY_ELEMENTS)[number];

type GuideFields = Pick<
  ServiceItem,
  | "name"
  | "legal_basis"
  | "conditions"
  | "materials"
  | "locations"
  | "department_id"
  | "fee_charged"
  | "fee_standard"
  | "hours"
  | "consult_phone"
  | "process"
>;

const filled = (list: readonly string[]) => list.some((s) => s.trim() !== "");

/** Which key element classes the guide lacks, plus 兜底 materials the inspection also flags. */
export function missingElements(item: GuideFields): { missing: KeyElement[]; warnings: string[] } {
  const present: Record<KeyElement, boolean> = {
    事项名称: item.name.trim() !== "",
    设定依据: filled(item.legal_basis),
    申请条件: filled(item.conditions),
    办理材料: item.materials.length > 0,
    办理地点: filled(item.locations),
    办理机构: item.department_id > 0,
    收费标准: item.fee_standard.trim() !== "",
    办理时间: item.hours.trim() !== "",
    联系电话: item.consult_phone.trim() !== "",
    办理流程: filled(item.process),
  };
  const warnings = item.materials
    .filter((m) => /^其他|其他(相关)?材料|等材料$/.test(m.name))
    .map((m) => `材料“${m.name}”是兜底表述，应写明具体材料`);
  return { missing: KEY_ELEMENTS.filter((k) => !present[k]), warnings };
}

/* ------------------------------------------------------------------ reading */

export interface CatalogueFilter {
  audience?: string | undefined;
  departmentId?: number | undefined;
  lifeEvent?: string | undefined;
  q?: string | undefined;
  /** Only items of this department site (department sites list their own items). */
  siteId?: number | undefined;
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Public catalogue: visible items matching the filter, with their department names. */
export async function listItems(ctx: AppContext, filter: CatalogueFilter) {
  let query = ctx.db
    .selectFrom("service_items as i")
    .innerJoin("departments as d", "d.id", "i.department_id")
    .select([
      "i.id",
      "i.code",
      "i.ref",
      "i.name",
      "i.type",
      "i.audience",
      "i.online_level",
      "i.promised_days",
      "i.life_events",
      "d.name as department_name",
    ])
    .where("i.visible", "=", true)
    .orderBy("i.code");
  if (filter.audience === "个人" || filter.audience === "法人")
    query = query.where("i.audience", "in", [filter.audience, "both"]);
  if (filter.departmentId) query = query.where("i.department_id", "=", filter.departmentId);
  if (filter.siteId) query = query.where("i.site_id", "=", filter.siteId);
  if (filter.lifeEvent) query = query.where(sql<boolean>`i.life_events ? ${filter.lifeEvent}`);
  const q = filter.q?.trim().slice(0, 50);
  if (q) {
    const like = likePattern(q);
    query = query.where((eb) =>
      eb.or([
        eb("i.name", "ilike", like),
        eb("i.code", "ilike", like),
        eb(sql<string>`i.life_events::text`, "ilike", like),
        eb(sql<string>`i.conditions::text`, "ilike", like),
        eb(sql<string>`i.outputs::text`, "ilike", like),
        eb("d.name", "ilike", like),
      ]),
    );
  }
  return query.execute();
}

/** Departments and life-event themes that have visible items, for browsing. */
export async function catalogueFacets(ctx: AppContext, siteId?: number) {
  const departments = await ctx.db
    .selectFrom("service_items as i")
    .innerJoin("departments as d", "d.id", "i.department_id")
    .select(["d.id", "d.name", (eb) => eb.fn.countAll<number>().as("n")])
    .where("i.visible", "=", true)
    .groupBy(["d.id", "d.name"])
    .orderBy("d.id")
    .execute();
  const events = await sql<{ event: string; n: number }>`
    select e as event, count(*)::int as n
    from service_items, jsonb_array_elements_text(life_events) as e
    where visible and (${siteId ?? null}::int is null or site_id = ${siteId ?? null})
    group by e order by count(*) desc, e`.execute(ctx.db);
  return { departments, lifeEvents: events.rows };
}

export async function itemByCode(ctx: AppContext, code: string) {
  const item = await ctx.db
    .selectFrom("service_items as i")
    .innerJoin("departments as d", "d.id", "i.department_id")
    .selectAll("i")
    .select(["d.name as department_name", "d.org_code as department_org_code"])
    .where("i.code", "=", code)
    .executeTakeFirst();
  if (!item) throw new NotFoundError("该服务事项不存在");
  return item;
}

export async function getItem(ctx: AppContext, id: number) {
  const item = await ctx.db.selectFrom("service_items").selectAll().where("id", "=", id).executeTakeFirst();
  if (!item) throw new NotFoundError("该服务事项不存在");
  return item;
}

export async function itemCodeByRef(ctx: AppContext, ref: string): Promise<string | undefined> {
  const row = await ctx.db
    .selectFrom("service_items")
    .select("code")
    .where("ref", "=", ref)
    .executeTakeFirst();
  return row?.code;
}

/** Items the actor may maintain (all, or their department sites'), each with its completeness. */
export async function managedItems(ctx: AppContext, actor: Actor) {
  const scope = scopeFor(actor, "service.manage");
  if (!scope.all && scope.siteIds.length === 0) return [];
  let query = ctx.db
    .selectFrom("service_items as i")
    .innerJoin("departments as d", "d.id", "i.department_id")
    .selectAll("i")
    .select("d.name as department_name")
    .orderBy("i.code");
  if (!scope.all) query = query.where("i.site_id", "in", scope.siteIds);
  const rows = await query.execute();
  return rows.map((row) => ({ ...row, check: missingElements(row) }));
}

/** The completeness report: per key element, how many items miss it; and each incomplete item. */
export async function completenessReport(ctx: AppContext, actor: Actor) {
  const items = await managedItems(ctx, actor);
  const byElement = KEY_ELEMENTS.map((element) => ({
    element,
    missing: items.filter((i) => i.check.missing.includes(element)).length,
  }));
  const incomplete = items.filter((i) => i.check.missing.length > 0 || i.check.warnings.length > 0);
  return { total: items.length, complete: items.length - incomplete.length, byElement, incomplete };
}

/* ------------------------------------------------------------------ editing */

/** The admin form's text fields: lists one entry per line, structured lines split by "|". */
export interface ItemForm {
  code: string;
  name: string;
  type: string;
  audience: string;
  siteId: string;
  legalBasis: string;
  conditions: string;
  materials: string;
  process: string;
  statutoryDays: string;
  promisedDays: string;
  timeLimitNote: string;
  feeCharged: string;
  feeStandard: string;
  feeBasis: string;
  locations: string;
  hours: string;
  consultPhone: string;
  supervisePhone: string;
  onlineLevel: string;
  lifeEvents: string;
  outputs: string;
  licenceName: string;
  faqs: string;
  formFields: string;
  visible: string;
}

export const ITEM_FORM_FIELDS: (keyof ItemForm)[] = [
  "code",
  "name",
  "type",
  "audience",
  "siteId",
  "legalBasis",
  "conditions",
  "materials",
  "process",
  "statutoryDays",
  "promisedDays",
  "timeLimitNote",
  "feeCharged",
  "feeStandard",
  "feeBasis",
  "locations",
  "hours",
  "consultPhone",
  "supervisePhone",
  "onlineLevel",
  "lifeEvents",
  "outputs",
  "licenceName",
  "faqs",
  "formFields",
  "visible",
];

const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

export function materialLine(m: Material): string {
  const line = [m.name, m.form, String(m.count), m.required ? "必要" : "容缺", m.note];
  if (m.blankUrl || m.sampleUrl) line.push(m.blankUrl ?? "", m.sampleUrl ?? "");
  return line.join(" | ");
}

/** Blank forms and samples are files published on this platform (/files/…) or https addresses. */
const DOWNLOAD_LINK = /^(\/files\/\d+\/[^\s"<>]+|https:\/\/[^\s"<>]+)$/;

export function fieldLine(f: FormField): string {
  return [
    f.name,
    f.label,
    f.kind,
    f.required ? "必填" : "选填",
    (f.options ?? []).join("、"),
    f.profile ?? "",
    f.hint ?? "",
  ].join(" | ");
}

/** An item as the admin form shows it. */
export function itemToForm(item: ServiceItem): ItemForm {
  return {
    code: item.code,
    name: item.name,
    type: item.type,
    audience: item.audience,
    siteId: String(item.site_id),
    legalBasis: item.legal_basis.join("\n"),
    conditions: item.conditions.join("\n"),
    materials: item.materials.map(materialLine).join("\n"),
    process: item.process.join("\n"),
    statutoryDays: String(item.statutory_days),
    promisedDays: String(item.promised_days),
    timeLimitNote: item.time_limit_note,
    feeCharged: item.fee_charged ? "1" : "",
    feeStandard: item.fee_standard,
    feeBasis: item.fee_basis,
    locations: item.locations.join("\n"),
    hours: item.hours,
    consultPhone: item.consult_phone,
    supervisePhone: item.supervise_phone,
    onlineLevel: item.online_level,
    lifeEvents: item.life_events.join("、"),
    outputs: item.outputs.join("、"),
    licenceName: item.licence_name,
    faqs: item.faqs.map((f) => `${f.question} | ${f.answer}`).join("\n"),
    formFields: item.form_fields.map(fieldLine).join("\n"),
    visible: item.visible ? "1" : "",
  };
}

function parseMaterials(text: string, p: Problems): Material[] {
  return lines(text).map((line, i) => {
    const [name = "", form = "", count = "1", need = "必要", note = "", blank = "", sample = ""] = line
      .split("|")
      .map((s) => s.trim());
    if (!name) p.add("materials", `第 ${i + 1} 行缺少材料名称`);
    for (const link of [blank, sample])
      if (link && !DOWNLOAD_LINK.test(link))
        p.add("materials", `第 ${i + 1} 行的空表或样表地址应为本平台附件（/files/…）或 https 地址`);
    if (!(MATERIAL_FORMS as readonly string[]).includes(form))
      p.add("materials", `第 ${i + 1} 行的材料形式应为原件、复印件或电子证照`);
    if (!/^[1-9]\d?$/.test(count)) p.add("materials", `第 ${i + 1} 行的份数应为 1—99`);
    if (need !== "必要" && need !== "容缺") p.add("materials", `第 ${i + 1} 行应注明“必要”或“容缺”`);
    const material: Material = { name, form, count: Number(count) || 1, note, required: need !== "容缺" };
    if (blank) material.blankUrl = blank;
    if (sample) material.sampleUrl = sample;
    return material;
  });
}

export function parseFormFields(text: string, p: Problems): FormField[] {
  const seen = new Set<string>();
  return lines(text).map((line, i) => {
    const [name = "", label = "", kind = "", need = "", options = "", profile = "", hint = ""] = line
      .split("|")
      .map((s) => s.trim());
    if (!/^[a-z][a-zA-Z0-9]{0,30}$/.test(name)) p.add("formFields", `第 ${i + 1} 行的字段名应为英文字母开头`);
    else if (seen.has(name)) p.add("formFields", `字段名“${name}”重复`);
    seen.add(name);
    if (!label) p.add("formFields", `第 ${i + 1} 行缺少字段标签`);
    if (!(FIELD_KINDS as readonly string[]).includes(kind))
      p.add("formFields", `第 ${i + 1} 行的类型应为 ${FIELD_KINDS.join("、")} 之一`);
    const list = options
      ? options
          .split(/[、,，]/)
          .map((o) => o.trim())
          .filter(Boolean)
      : [];
    if (kind === "select" && list.length < 2) p.add("formFields", `第 ${i + 1} 行的下拉字段至少需要两个选项`);
    if (profile && profile !== "name" && profile !== "phone")
      p.add("formFields", `第 ${i + 1} 行的自动填充来源只能是 name 或 phone`);
    const field: FormField = { name, label, kind: kind as FieldKind, required: need === "必填" };
    if (list.length) field.options = list;
    if (profile === "name" || profile === "phone") field.profile = profile;
    if (hint) field.hint = hint;
    return field;
  });
}

function parseFaqs(text: string, p: Problems): Faq[] {
  return lines(text).map((line, i) => {
    const [question = "", ...answer] = line.split("|").map((s) => s.trim());
    if (!question || answer.join("").trim() === "") p.add("faqs", `第 ${i + 1} 行应为“问题 | 解答”`);
    return { question, answer: answer.join("|") };
  });
}

const dayCount = (value: string, field: string, label: string, p: Problems) => {
  if (!/^\d{1,3}$/.test(value.trim())) p.add(field, `${label}应为 0—999 的工作日数（0 表示即办）`);
  return Number(value) || 0;
};

function parseItem(form: ItemForm) {
  const p = new Problems();
  const code = form.code.trim();
  if (!/^[0-9A-Za-z-]{6,40}$/.test(code)) p.add("code", "事项编码应为 6—40 位字母、数字或连字符");
  if (!form.name.trim() || form.name.length > 100) p.add("name", "请填写事项名称（100 字以内）");
  if (!(ITEM_TYPES as readonly string[]).includes(form.type)) p.add("type", "请选择事项类型");
  if (!(AUDIENCES as readonly string[]).includes(form.audience)) p.add("audience", "请选择服务对象");
  if (!(ONLINE_LEVELS as readonly string[]).includes(form.onlineLevel))
    p.add("onlineLevel", "请选择网办深度");
  const statutory = dayCount(form.statutoryDays, "statutoryDays", "法定时限", p);
  const promised = dayCount(form.promisedDays, "promisedDays", "承诺时限", p);
  if (statutory > 0 && promised > statutory) p.add("promisedDays", "承诺时限不能长于法定时限");
  const feeCharged = form.feeCharged === "1";
  if (feeCharged && !form.feeStandard.trim()) p.add("feeStandard", "收费事项须写明收费标准");
  if (feeCharged && !form.feeBasis.trim()) p.add("feeBasis", "收费事项须写明收费依据");
  const materials = parseMaterials(form.materials, p);
  const formFields = parseFormFields(form.formFields, p);
  const faqs = parseFaqs(form.faqs, p);
  const list = (text: string) =>
    text
      .split(/[、,，\n]/)
      .map((s) => s.trim())
      .filter(Boolean);
  p.throwIfAny();
  return {
    code,
    name: form.name.trim(),
    type: form.type,
    audience: form.audience as Audience,
    legal_basis: asJson(lines(form.legalBasis)),
    conditions: asJson(lines(form.conditions)),
    materials: asJson(materials),
    process: asJson(lines(form.process)),
    statutory_days: statutory,
    promised_days: promised,
    time_limit_note: form.timeLimitNote.trim(),
    fee_charged: feeCharged,
    fee_standard: form.feeStandard.trim() || (feeCharged ? "" : "不收费"),
    fee_basis: form.feeBasis.trim(),
    locations: asJson(lines(form.locations)),
    hours: form.hours.trim(),
    consult_phone: form.consultPhone.trim(),
    supervise_phone: form.supervisePhone.trim(),
    online_level: form.onlineLevel as OnlineLevel,
    life_events: asJson(list(form.lifeEvents)),
    outputs: asJson(list(form.outputs)),
    licence_name: form.licenceName.trim(),
    faqs: asJson(faqs),
    form_fields: asJson(formFields),
    visible: form.visible === "1",
  };
}

async function siteForItem(ctx: AppContext, actor: Actor, siteIdText: string) {
  const siteId = Number(siteIdText);
  const site = Number.isInteger(siteId)
    ? await ctx.db
        .selectFrom("sites")
        .select(["id", "department_id"])
        .where("id", "=", siteId)
        .executeTakeFirst()
    : undefined;
  if (!site?.department_id)
    throw new UserError("请选择实施部门", 400, { siteId: "请选择实施部门（部门网站）" });
  if (!can(actor, "service.manage", { siteId: site.id }))
    throw new ForbiddenError("您不能维护该部门的服务事项");
  return { siteId: site.id, departmentId: site.department_id };
}

/** Creates an item (id null) or saves a new version of one; every save keeps a version snapshot. */
export async function saveItem(
  ctx: AppContext,
  actor: Actor,
  id: number | null,
  form: ItemForm,
): Promise<number> {
  if (id !== null) {
    const current = await getItem(ctx, id);
    if (!can(actor, "service.manage", { siteId: current.site_id }))
      throw new ForbiddenError("您不能维护该部门的服务事项");
  }
  const values = parseItem(form);
  const { siteId, departmentId } = await siteForItem(ctx, actor, form.siteId);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const row =
        id === null
          ? await trx
              .insertInto("service_items")
              .values({
                ...values,
                site_id: siteId,
                department_id: departmentId,
                ref: null,
                related_policies: asJson([]),
              })
              .returning(["id", "version"])
              .executeTakeFirstOrThrow()
          : await trx
              .updateTable("service_items")
              .set({
                ...values,
                site_id: siteId,
                department_id: departmentId,
                version: sql`version + 1`,
                updated_at: new Date(),
              })
              .where("id", "=", id)
              .returning(["id", "version"])
              .executeTakeFirstOrThrow();
      const saved = await trx
        .selectFrom("service_items")
        .selectAll()
        .where("id", "=", row.id)
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("service_item_versions")
        .values({ item_id: row.id, version: row.version, data: asJson(saved), saved_by: actor.id })
        .execute();
      await indexRecord(trx, "services", String(row.id));
      return row.id;
    });
  } catch (error) {
    if ((error as { code?: string }).code === "23505")
      throw new UserError("事项编码已被使用", 400, { code: "该事项编码已存在，请核对" });
    throw error;
  }
}

export async function itemVersions(ctx: AppContext, itemId: number) {
  return ctx.db
    .selectFrom("service_item_versions as v")
    .leftJoin("users as u", "u.id", "v.saved_by")
    .select(["v.version", "v.saved_at", "u.display_name as saved_by_name"])
    .where("v.item_id", "=", itemId)
    .orderBy("v.version", "desc")
    .execute();
}

/** Deletes an item nobody has applied for; items with cases can only be hidden. */
export async function deleteItem(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  const item = await getItem(ctx, id);
  if (!can(actor, "service.manage", { siteId: item.site_id }))
    throw new ForbiddenError("您不能维护该部门的服务事项");
  const used = await ctx.db
    .selectFrom("service_applications")
    .select("id")
    .where("item_id", "=", id)
    .limit(1)
    .executeTakeFirst();
  const bundled = await ctx.db
    .selectFrom("service_bundle_members")
    .select("bundle_id")
    .where("item_id", "=", id)
    .limit(1)
    .executeTakeFirst();
  if (used || bundled)
    throw new UserError("该事项已有办件或属于“一件事”，不能删除；如需下线，请取消“对外公布”");
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom("service_items").where("id", "=", id).execute();
    await indexRecord(trx, "services", String(id));
  });
}

/** Department sites the actor may maintain items for (the implementing department's site). */
export async function itemSitesFor(ctx: AppContext, actor: Actor) {
  const rows = await ctx.db
    .selectFrom("sites")
    .innerJoin("departments", "departments.id", "sites.department_id")
    .select(["sites.id", "departments.name"])
    .orderBy("sites.position")
    .execute();
  return rows.filter((r) => can(actor, "service.manage", { siteId: r.id }));
}

/** 好差评 summary of one item for its guide. */
export async function itemRatingSummary(ctx: AppContext, itemId: number) {
  const row = await ctx.db
    .selectFrom("service_ratings")
    .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.avg<number | null>("score").as("average")])
    .where("item_id", "=", itemId)
    .executeTakeFirstOrThrow();
  return { n: Number(row.n), average: row.average === null ? null : Number(row.average) };
}

/** The bundles an item belongs to. */
export async function bundlesOfItem(ctx: AppContext, itemId: number) {
  return ctx.db
    .selectFrom("service_bundle_members as m")
    .innerJoin("service_bundles as b", "b.id", "m.bundle_id")
    .select(["b.id", "b.name"])
    .where("m.item_id", "=", itemId)
    .orderBy("b.id")
    .execute();
}

import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Transaction } from "kysely";
import type { Database } from "../core/db/tables.ts";
import {
  type Audience,
  asJson,
  type BundleMaterial,
  type FormField,
  type Material,
  type OnlineLevel,
  type SharedMaterial,
} from "../modules/services/schema.ts";

type Trx = Transaction<Database>;

interface CorpusService {
  id: string;
  name: string;
  code: string;
  type: string;
  audience: Audience;
  department: string;
  legal_basis: string[];
  conditions: string[];
  materials: { name: string; form: string; count: number; note: string }[];
  process: string[];
  statutory_time_limit_days: number;
  promised_time_limit_days: number;
  time_limit_note: string | null;
  fee: { charged: boolean; standard: string };
  locations: string[];
  consult_phone: string;
  supervise_phone: string;
  online: OnlineLevel;
  life_events: string[];
  outputs: string[];
  related_policies: string[];
}

interface CorpusBundle {
  id: string;
  name: string;
  lead_department: string;
  audience: Audience;
  members: string[];
  optional_members: string[];
  description: string;
  entry: string;
  online: string;
  promised_time_limit_days: number;
  merged_materials: {
    name: string;
    form: string;
    count: number;
    note: string;
    condition: string | null;
    used_by: string[];
  }[];
  internally_shared_materials: { name: string; produced_by: string; used_by: string[] }[];
  material_count_before_merge: number;
}

/** The applicant part every item's form starts with; items add their own fields in the admin. */
export function defaultFormFields(audience: Audience): FormField[] {
  const person: FormField[] = [
    { name: "applicantName", label: "申请人姓名", kind: "text", required: true, profile: "name" },
    { name: "idNumber", label: "居民身份证号码", kind: "idnumber", required: true },
    { name: "phone", label: "联系电话", kind: "phone", required: true, profile: "phone" },
  ];
  const organisation: FormField[] = [
    { name: "orgName", label: "单位名称", kind: "text", required: true },
    { name: "creditCode", label: "统一社会信用代码", kind: "creditcode", required: true },
    { name: "applicantName", label: "经办人姓名", kind: "text", required: true, profile: "name" },
    { name: "phone", label: "联系电话", kind: "phone", required: true, profile: "phone" },
  ];
  const common: FormField[] = [
    {
      name: "delivery",
      label: "结果领取方式",
      kind: "select",
      required: true,
      options: ["网上下载（电子证照）", "邮寄送达", "窗口领取"],
    },
    { name: "remarks", label: "申请说明", kind: "textarea", required: false, hint: "需要说明的情况（选填）" },
  ];
  return [...(audience === "法人" ? organisation : person), ...common];
}

/** A result that is a certificate, licence or registered document is issued as an 电子证照. */
export function licenceNameFor(outputs: string[]): string {
  const first = outputs[0] ?? "";
  return /(证|照|簿|凭证|合同)/.test(first) && !/(结果|信息|资金)$/.test(first) ? first : "";
}

/**
 * Imports the corpus service catalogue (45 items) and its 6 一件事 bundles, keeping corpus ids as
 * `ref`. The corpus has no 办理时间; items handled at the 市民中心 get its published opening hours,
 * the others are left without, and the completeness check reports them.
 */
export async function importServicesDemo(
  trx: Trx,
  departments: Map<string, { id: number }>,
  deptSites: Map<string, { siteId: number }>,
  demoDir: string,
): Promise<{ items: number; bundles: number }> {
  const corpus = JSON.parse(await readFile(path.join(demoDir, "services.json"), "utf8")) as {
    services: CorpusService[];
    bundles: CorpusBundle[];
  };
  const site = JSON.parse(await readFile(path.join(demoDir, "site.json"), "utf8")) as {
    city: { citizen_center: { hours: string } };
  };
  const centreHours = site.city.citizen_center.hours;
  const ids = new Map<string, { id: number; code: string }>();
  for (const s of corpus.services) {
    const department = departments.get(s.department);
    const home = deptSites.get(s.department);
    if (!department || !home) throw new Error(`事项 ${s.id} 的实施部门 ${s.department} 不存在`);
    const materials: Material[] = s.materials.map((m) => ({
      name: m.name,
      form: m.form,
      count: m.count,
      note: m.note ?? "",
      required: !/无需/.test(m.note ?? ""),
    }));
    const row = await trx
      .insertInto("service_items")
      .values({
        ref: s.id,
        code: s.code,
        name: s.name,
        type: s.type,
        audience: s.audience,
        department_id: department.id,
        site_id: home.siteId,
        legal_basis: asJson(s.legal_basis),
        conditions: asJson(s.conditions),
        materials: asJson(materials),
        process: asJson(s.process),
        statutory_days: s.statutory_time_limit_days,
        promised_days: s.promised_time_limit_days,
        time_limit_note: s.time_limit_note ?? "",
        fee_charged: s.fee.charged,
        fee_standard: s.fee.standard,
        locations: asJson(s.locations),
        hours: s.locations.some((l) => l.includes("市民中心")) ? centreHours : "",
        consult_phone: s.consult_phone,
        supervise_phone: s.supervise_phone,
        online_level: s.online,
        life_events: asJson(s.life_events),
        outputs: asJson(s.outputs),
        licence_name: licenceNameFor(s.outputs),
        faqs: asJson([]),
        form_fields: asJson(defaultFormFields(s.audience)),
        related_policies: asJson(s.related_policies),
      })
      .returning(["id", "code"])
      .executeTakeFirstOrThrow();
    ids.set(s.id, row);
    const saved = await trx
      .selectFrom("service_items")
      .selectAll()
      .where("id", "=", row.id)
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("service_item_versions")
      .values({ item_id: row.id, version: 1, data: asJson(saved), saved_by: null })
      .execute();
  }
  const code = (ref: string) => {
    const found = ids.get(ref);
    if (!found) throw new Error(`一件事引用了不存在的事项 ${ref}`);
    return found.code;
  };
  for (const b of corpus.bundles) {
    const merged: BundleMaterial[] = b.merged_materials.map((m) => ({
      name: m.name,
      form: m.form,
      count: m.count,
      note: m.note,
      condition: m.condition,
      usedBy: m.used_by.map(code),
    }));
    const shared: SharedMaterial[] = b.internally_shared_materials.map((m) => ({
      name: m.name,
      producedBy: code(m.produced_by),
      usedBy: m.used_by.map(code),
    }));
    const row = await trx
      .insertInto("service_bundles")
      .values({
        ref: b.id,
        name: b.name,
        description: b.description,
        audience: b.audience,
        lead_department_id: departments.get(b.lead_department)?.id ?? null,
        entry: b.entry,
        online_level: b.online,
        promised_days: b.promised_time_limit_days,
        merged_materials: asJson(merged),
        shared_materials: asJson(shared),
        material_count_before: b.material_count_before_merge,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const members = [
      ...b.members.map((m) => ({ ref: m, optional: false })),
      ...b.optional_members.map((m) => ({ ref: m, optional: true })),
    ];
    for (const [position, m] of members.entries()) {
      const item = ids.get(m.ref);
      if (!item) throw new Error(`一件事 ${b.id} 的成员事项 ${m.ref} 不存在`);
      await trx
        .insertInto("service_bundle_members")
        .values({ bundle_id: row.id, item_id: item.id, position, optional: m.optional })
        .execute();
    }
  }
  return { items: corpus.services.length, bundles: corpus.bundles.length };
}

import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Transaction } from "kysely";
import type { Database } from "../core/db/tables.ts";
import type { Condition } from "../modules/services/matching.ts";
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
  // each guide's 常见问题 are the corpus FAQs that cite the item
  const faqs = JSON.parse(await readFile(path.join(demoDir, "faqs.json"), "utf8")) as {
    faqs: { question: string; answer: string; refs: string[] }[];
  };
  const faqsOf = (ref: string) =>
    faqs.faqs.filter((f) => f.refs.includes(ref)).map((f) => ({ question: f.question, answer: f.answer }));
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
        faqs: asJson(faqsOf(s.id)),
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
  for (const [index, rule] of DEMO_RULES.entries()) {
    const home = deptSites.get(rule.department);
    if (!home) throw new Error(`规则“${rule.name}”的部门 ${rule.department} 不存在`);
    await trx
      .insertInto("policy_rules")
      .values({
        ref: `rule-${String(index + 1).padStart(2, "0")}`,
        name: rule.name,
        audience: rule.audience,
        site_id: home.siteId,
        benefit: rule.benefit,
        conditions: asJson(rule.conditions),
        policy_ref: rule.policy,
        item_id: rule.item ? (ids.get(rule.item)?.id ?? null) : null,
        automatic: rule.automatic,
      })
      .execute();
  }
  return { items: corpus.services.length, bundles: corpus.bundles.length };
}

/**
 * 政策计算器 rules of the demo city, each read from the corpus policy it cites (the article is
 * named in the benefit text), so the matches a visitor sees can be checked against the policy.
 */
const DEMO_RULES: {
  name: string;
  audience: "个人" | "法人";
  department: string;
  benefit: string;
  conditions: Condition[];
  policy: string;
  item: string | null;
  automatic: boolean;
}[] = [
  {
    name: "高龄津贴",
    audience: "个人",
    department: "dept-mzj",
    benefit:
      "80—89周岁每人每月100元，90—99周岁200元，100周岁及以上500元；年满80周岁次月起自动发放（《青禾市高龄津贴发放管理办法》第二至四条）",
    conditions: [
      { attr: "hukou", op: "=", value: "本市户籍" },
      { attr: "age", op: ">=", value: 80 },
    ],
    policy: "pol-045",
    item: "svc-034",
    automatic: true,
  },
  {
    name: "老年人免费乘坐公共交通",
    audience: "个人",
    department: "dept-jtj",
    benefit:
      "持老年人优待乘车卡免费乘坐公交和轨道交通，本市与非本市户籍同等待遇（《青禾市城市公共交通优惠乘车办法》第三条）",
    conditions: [{ attr: "age", op: ">=", value: 65 }],
    policy: "pol-056",
    item: "svc-041",
    automatic: false,
  },
  {
    name: "老年人半价乘坐公共交通",
    audience: "个人",
    department: "dept-jtj",
    benefit: "年满60周岁不满65周岁的老年人持卡享受5折乘车优惠（《青禾市城市公共交通优惠乘车办法》第三条）",
    conditions: [
      { attr: "age", op: ">=", value: 60 },
      { attr: "age", op: "<=", value: 64 },
    ],
    policy: "pol-056",
    item: "svc-041",
    automatic: false,
  },
  {
    name: "残疾人免费乘坐公共交通",
    audience: "个人",
    department: "dept-jtj",
    benefit:
      "持有残疾人证的残疾人凭有效证件或优待乘车卡免费乘坐公共交通（《青禾市城市公共交通优惠乘车办法》第四条）",
    conditions: [{ attr: "disability", op: "=", value: "是" }],
    policy: "pol-056",
    item: null,
    automatic: false,
  },
  {
    name: "养老服务补贴",
    audience: "个人",
    department: "dept-mzj",
    benefit:
      "经能力评估为失能的，按失能等级发放养老服务补贴（《青禾市养老服务补贴实施办法》第三条，另需老年人能力综合评估）",
    conditions: [
      { attr: "hukou", op: "=", value: "本市户籍" },
      { attr: "age", op: ">=", value: 60 },
      { attr: "assistance", op: "in", value: ["低保对象", "低保边缘家庭成员"] },
    ],
    policy: "pol-044",
    item: "svc-036",
    automatic: false,
  },
  {
    name: "个人创业担保贷款",
    audience: "个人",
    department: "dept-rsj",
    benefit:
      "最高30万元、最长3年的创业担保贷款，财政按规定贴息（《青禾市创业担保贷款及贴息管理办法》第三、四条）",
    conditions: [
      {
        attr: "identity",
        op: "in",
        value: ["城镇登记失业人员", "高校毕业生（毕业5年内）", "退役军人", "返乡创业农民工"],
      },
    ],
    policy: "pol-005",
    item: "svc-013",
    automatic: false,
  },
  {
    name: "住房租赁补贴",
    audience: "个人",
    department: "dept-zjj",
    benefit:
      "按每人每月15元/平方米乘以保障面积分档补贴（《青禾市住房租赁补贴实施办法》第二、三条，另需连续缴纳社保满1年）",
    conditions: [
      { attr: "hukou", op: "in", value: ["本市户籍", "持本市居住证"] },
      { attr: "ownsHome", op: "=", value: "无" },
      { attr: "lowIncome", op: "=", value: "是" },
    ],
    policy: "pol-040",
    item: "svc-044",
    automatic: false,
  },
  {
    name: "失业保险稳岗返还（中小微企业）",
    audience: "法人",
    department: "dept-rsj",
    benefit:
      "按上年度实际缴纳失业保险费的60%返还，“免申即享”直接拨付（《青禾市失业保险稳岗返还实施办法》第三至五条）",
    conditions: [
      { attr: "size", op: "in", value: ["中型", "小型", "微型"] },
      { attr: "insuredMonths", op: ">=", value: 12 },
      { attr: "layoffRateOk", op: "=", value: "是" },
    ],
    policy: "pol-004",
    item: "svc-012",
    automatic: true,
  },
  {
    name: "失业保险稳岗返还（大型企业）",
    audience: "法人",
    department: "dept-rsj",
    benefit:
      "按上年度实际缴纳失业保险费的30%返还，“免申即享”直接拨付（《青禾市失业保险稳岗返还实施办法》第三至五条）",
    conditions: [
      { attr: "size", op: "=", value: "大型" },
      { attr: "insuredMonths", op: ">=", value: 12 },
      { attr: "layoffRateOk", op: "=", value: "是" },
    ],
    policy: "pol-004",
    item: "svc-012",
    automatic: true,
  },
  {
    name: "个体工商户吸纳就业补贴",
    audience: "法人",
    department: "dept-scjgj",
    benefit:
      "吸纳登记失业人员、脱贫人口并签订1年以上劳动合同、依法缴纳社保的，每人1000元一次性补贴（《青禾市支持个体工商户发展若干措施》）",
    conditions: [{ attr: "entityType", op: "=", value: "个体工商户" }],
    policy: "pol-026",
    item: null,
    automatic: false,
  },
];

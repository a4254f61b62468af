import type { Generated, Selectable } from "kysely";
import { type Actor, can, scopeFor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, Problems } from "../../core/errors.ts";
import { asJson } from "./schema.ts";

/**
 * 政策计算器 / 免申即享: a person or business enters a few attributes and gets the policies and
 * services whose rules they meet, each with the conditions that matched. The attributes are fixed
 * here; the rules are data that department staff maintain.
 */
export interface Attribute {
  key: string;
  label: string;
  audience: "个人" | "法人";
  kind: "number" | "choice";
  options?: readonly string[];
  unit?: string;
}

export const ATTRIBUTES: readonly Attribute[] = [
  { key: "age", label: "年龄", audience: "个人", kind: "number", unit: "周岁" },
  {
    key: "hukou",
    label: "户籍",
    audience: "个人",
    kind: "choice",
    options: ["本市户籍", "持本市居住证", "其他"],
  },
  {
    key: "identity",
    label: "身份",
    audience: "个人",
    kind: "choice",
    options: [
      "在职职工",
      "城镇登记失业人员",
      "高校毕业生（毕业5年内）",
      "退役军人",
      "返乡创业农民工",
      "退休人员",
      "其他",
    ],
  },
  { key: "disability", label: "是否持有残疾人证", audience: "个人", kind: "choice", options: ["是", "否"] },
  {
    key: "assistance",
    label: "社会救助情况",
    audience: "个人",
    kind: "choice",
    options: ["无", "低保对象", "低保边缘家庭成员", "特困供养人员"],
  },
  {
    key: "ownsHome",
    label: "家庭在本市有无自有住房",
    audience: "个人",
    kind: "choice",
    options: ["有", "无"],
  },
  {
    key: "lowIncome",
    label: "家庭人均月收入是否低于上年度城镇居民人均可支配收入的60%",
    audience: "个人",
    kind: "choice",
    options: ["是", "否"],
  },
  {
    key: "entityType",
    label: "主体类型",
    audience: "法人",
    kind: "choice",
    options: ["有限责任公司", "股份有限公司", "个人独资或合伙企业", "个体工商户", "社会组织", "其他"],
  },
  {
    key: "size",
    label: "企业规模",
    audience: "法人",
    kind: "choice",
    options: ["大型", "中型", "小型", "微型"],
  },
  {
    key: "industry",
    label: "所属行业",
    audience: "法人",
    kind: "choice",
    options: ["制造业", "批发和零售业", "住宿和餐饮业", "信息技术服务业", "交通运输业", "建筑业", "其他"],
  },
  {
    key: "district",
    label: "所在区县",
    audience: "法人",
    kind: "choice",
    options: ["东城区", "西城区", "临河区", "山南县"],
  },
  {
    key: "insuredMonths",
    label: "上年度连续足额缴纳失业保险月数",
    audience: "法人",
    kind: "number",
    unit: "个月",
  },
  {
    key: "layoffRateOk",
    label: "上年度裁员率是否未超过规定标准",
    audience: "法人",
    kind: "choice",
    options: ["是", "否"],
  },
];

export const OPS = { "=": "等于", in: "属于", ">=": "不小于", "<=": "不大于" } as const;
export type Op = keyof typeof OPS;

export interface Condition {
  attr: string;
  op: Op;
  value: string | number | string[];
}

export interface PolicyRulesTable {
  id: Generated<number>;
  ref: string | null;
  name: string;
  audience: "个人" | "法人";
  site_id: number;
  benefit: string;
  conditions: Condition[];
  policy_ref: Generated<string>;
  item_id: number | null;
  automatic: Generated<boolean>;
  active: Generated<boolean>;
  updated_at: Generated<Date>;
}
export type PolicyRule = Selectable<PolicyRulesTable>;

const attribute = (key: string) => ATTRIBUTES.find((a) => a.key === key);

/** "年龄 ≥ 80" — how a condition reads to the public. */
export function describeCondition(c: Condition): string {
  const a = attribute(c.attr);
  const label = a?.label ?? c.attr;
  const value = Array.isArray(c.value) ? c.value.join("或") : `${c.value}${a?.unit ?? ""}`;
  return c.op === "in"
    ? `${label}为${value}`
    : `${label}${c.op === "=" ? "为" : c.op === ">=" ? "≥" : "≤"}${value}`;
}

export function conditionLine(c: Condition): string {
  return `${c.attr} ${c.op} ${Array.isArray(c.value) ? c.value.join("、") : c.value}`;
}

/** Parses one condition per line: "age >= 80", "hukou = 本市户籍", "size in 中型、小型、微型". */
export function parseConditions(text: string, p: Problems): Condition[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .flatMap((line, i): Condition[] => {
      const m = /^(\w+)\s*(>=|<=|=|in)\s*(.+)$/.exec(line);
      const a = m ? attribute(m[1] ?? "") : undefined;
      if (!m || !a) {
        p.add(
          "conditions",
          `第 ${i + 1} 行应为“属性 运算符 取值”，属性为 ${ATTRIBUTES.map((x) => x.key).join("、")} 之一`,
        );
        return [];
      }
      const op = m[2] as Op;
      const raw = (m[3] ?? "").trim();
      if (a.kind === "number") {
        if (op === "in" || !/^\d{1,4}$/.test(raw)) {
          p.add("conditions", `第 ${i + 1} 行：“${a.label}”须与数字比较（=、>=、<=）`);
          return [];
        }
        return [{ attr: a.key, op, value: Number(raw) }];
      }
      const values =
        op === "in"
          ? raw
              .split(/[、,，]/)
              .map((v) => v.trim())
              .filter(Boolean)
          : [raw];
      const unknown = values.filter((v) => !(a.options ?? []).includes(v));
      if (op === ">=" || op === "<=" || unknown.length > 0) {
        p.add("conditions", `第 ${i + 1} 行：“${a.label}”的取值应为 ${(a.options ?? []).join("、")}`);
        return [];
      }
      return [{ attr: a.key, op, value: op === "in" ? values : raw }];
    });
}

function holds(c: Condition, answers: Record<string, string>): boolean {
  const given = answers[c.attr];
  if (given === undefined || given === "") return false;
  switch (c.op) {
    case "=":
      return typeof c.value === "number" ? Number(given) === c.value : given === c.value;
    case "in":
      return Array.isArray(c.value) && c.value.includes(given);
    case ">=":
      return Number(given) >= Number(c.value);
    case "<=":
      return Number(given) <= Number(c.value);
  }
}

/** Checks typed answers: numbers must be numbers, choices must be offered ones; blanks are allowed. */
export function checkAnswers(audience: "个人" | "法人", input: Record<string, string>) {
  const p = new Problems();
  const answers: Record<string, string> = {};
  for (const a of ATTRIBUTES.filter((x) => x.audience === audience)) {
    const v = (input[a.key] ?? "").trim();
    if (!v) continue;
    if (a.kind === "number" && !/^\d{1,3}$/.test(v)) p.add(a.key, `${a.label}请填写 0—999 的整数`);
    else if (a.kind === "choice" && !(a.options ?? []).includes(v)) p.add(a.key, `请从列表中选择${a.label}`);
    else answers[a.key] = v;
  }
  p.throwIfAny("填写的信息有误，请按提示修改");
  return answers;
}

/** The active rules the answers meet, each with the conditions that matched. */
export async function matchPolicies(
  ctx: AppContext,
  audience: "个人" | "法人",
  answers: Record<string, string>,
) {
  const rules = await ctx.db
    .selectFrom("policy_rules as r")
    .leftJoin("service_items as i", "i.id", "r.item_id")
    .selectAll("r")
    .select(["i.code as item_code", "i.name as item_name"])
    .where("r.active", "=", true)
    .where("r.audience", "=", audience)
    .orderBy("r.id")
    .execute();
  return rules
    .filter((r) => r.conditions.length > 0 && r.conditions.every((c) => holds(c, answers)))
    .map((r) => ({ ...r, because: r.conditions.map(describeCondition) }));
}

/* ------------------------------------------------------------------ maintaining rules */

export interface RuleForm {
  name: string;
  audience: string;
  siteId: string;
  benefit: string;
  conditions: string;
  policyRef: string;
  itemCode: string;
  automatic: string;
  active: string;
}
export const RULE_FORM_FIELDS: (keyof RuleForm)[] = [
  "name",
  "audience",
  "siteId",
  "benefit",
  "conditions",
  "policyRef",
  "itemCode",
  "automatic",
  "active",
];

export async function managedRules(ctx: AppContext, actor: Actor) {
  const scope = scopeFor(actor, "service.manage");
  if (!scope.all && scope.siteIds.length === 0) return [];
  let query = ctx.db
    .selectFrom("policy_rules as r")
    .innerJoin("sites as s", "s.id", "r.site_id")
    .selectAll("r")
    .select("s.name as site_name")
    .orderBy("r.id");
  if (!scope.all) query = query.where("r.site_id", "in", scope.siteIds);
  return query.execute();
}

export async function getRule(ctx: AppContext, id: number) {
  const rule = await ctx.db
    .selectFrom("policy_rules as r")
    .leftJoin("service_items as i", "i.id", "r.item_id")
    .selectAll("r")
    .select("i.code as item_code")
    .where("r.id", "=", id)
    .executeTakeFirst();
  if (!rule) throw new NotFoundError("规则不存在");
  return rule;
}

export function ruleToForm(rule: PolicyRule & { item_code: string | null }): RuleForm {
  return {
    name: rule.name,
    audience: rule.audience,
    siteId: String(rule.site_id),
    benefit: rule.benefit,
    conditions: rule.conditions.map(conditionLine).join("\n"),
    policyRef: rule.policy_ref,
    itemCode: rule.item_code ?? "",
    automatic: rule.automatic ? "1" : "",
    active: rule.active ? "1" : "",
  };
}

export async function saveRule(
  ctx: AppContext,
  actor: Actor,
  id: number | null,
  form: RuleForm,
): Promise<number> {
  if (id !== null) {
    const current = await getRule(ctx, id);
    if (!can(actor, "service.manage", { siteId: current.site_id }))
      throw new ForbiddenError("您不能维护该规则");
  }
  const p = new Problems();
  if (!form.name.trim() || form.name.length > 100) p.add("name", "请填写政策或服务名称（100 字以内）");
  if (form.audience !== "个人" && form.audience !== "法人") p.add("audience", "请选择适用对象");
  if (!form.benefit.trim()) p.add("benefit", "请写明可享受的政策内容");
  const conditions = parseConditions(form.conditions, p);
  if (!form.conditions.trim()) p.add("conditions", "请至少写一条匹配条件");
  for (const c of conditions) {
    if (attribute(c.attr)?.audience !== form.audience)
      p.add("conditions", `“${attribute(c.attr)?.label}”不适用于${form.audience || "所选对象"}`);
  }
  if (form.policyRef && !/^[a-z]+-\d{1,4}$/.test(form.policyRef.trim()))
    p.add("policyRef", "政策编号格式如 pol-045");
  const item = form.itemCode.trim()
    ? await ctx.db
        .selectFrom("service_items")
        .select("id")
        .where("code", "=", form.itemCode.trim())
        .executeTakeFirst()
    : undefined;
  if (form.itemCode.trim() && !item) p.add("itemCode", "没有这个事项编码");
  const siteId = Number(form.siteId);
  const site = Number.isInteger(siteId)
    ? await ctx.db.selectFrom("sites").select("id").where("id", "=", siteId).executeTakeFirst()
    : undefined;
  if (!site) p.add("siteId", "请选择维护部门");
  p.throwIfAny();
  if (!can(actor, "service.manage", { siteId })) throw new ForbiddenError("您不能为该部门维护规则");
  const values = {
    name: form.name.trim(),
    audience: form.audience as "个人" | "法人",
    site_id: siteId,
    benefit: form.benefit.trim(),
    conditions: asJson(conditions),
    policy_ref: form.policyRef.trim(),
    item_id: item?.id ?? null,
    automatic: form.automatic === "1",
    active: form.active === "1",
  };
  if (id === null) {
    const row = await ctx.db
      .insertInto("policy_rules")
      .values(values)
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }
  await ctx.db
    .updateTable("policy_rules")
    .set({ ...values, updated_at: new Date() })
    .where("id", "=", id)
    .execute();
  return id;
}

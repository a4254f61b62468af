import type { Actor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { maskPhone } from "../../core/crypto.ts";
import { ForbiddenError, NotFoundError, Problems } from "../../core/errors.ts";
import { notify } from "../../core/inbox.ts";
import {
  type CheckedMaterial,
  caseNumber,
  checkForm,
  checkMaterials,
  contactPhone,
  insertCase,
  type Upload,
  writeMaterials,
} from "./applications.ts";
import { APPLICATION_STATES, type ApplicationState, type FormField, type ServiceItem } from "./schema.ts";

/**
 * 一件事一次办: a bundle of items applied for with one merged form and one deduplicated material
 * list. One submission creates one case per member item, all in one transaction, and the applicant
 * follows one combined status.
 */
export async function listBundles(ctx: AppContext) {
  const bundles = await ctx.db.selectFrom("service_bundles").selectAll().orderBy("id").execute();
  const members = await ctx.db
    .selectFrom("service_bundle_members as m")
    .innerJoin("service_items as i", "i.id", "m.item_id")
    .select(["m.bundle_id", "i.name", "m.optional"])
    .orderBy("m.position")
    .execute();
  return bundles.map((b) => ({ ...b, members: members.filter((m) => m.bundle_id === b.id) }));
}

export async function bundleDetail(ctx: AppContext, id: number) {
  const bundle = await ctx.db
    .selectFrom("service_bundles")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (!bundle) throw new NotFoundError("该“一件事”不存在");
  const members = await ctx.db
    .selectFrom("service_bundle_members as m")
    .innerJoin("service_items as i", "i.id", "m.item_id")
    .innerJoin("departments as d", "d.id", "i.department_id")
    .selectAll("i")
    .select(["m.optional", "d.name as department_name"])
    .where("m.bundle_id", "=", id)
    .orderBy("m.position")
    .execute();
  const lead = bundle.lead_department_id
    ? await ctx.db
        .selectFrom("departments")
        .select("name")
        .where("id", "=", bundle.lead_department_id)
        .executeTakeFirst()
    : undefined;
  return { bundle, members, leadDepartment: lead?.name ?? "" };
}

/** 一表申请: the members' form fields once each, required where any member requires it. */
export function mergedFormFields(members: Pick<ServiceItem, "form_fields">[]): FormField[] {
  const merged = new Map<string, FormField>();
  for (const m of members) {
    for (const f of m.form_fields) {
      const seen = merged.get(f.name);
      if (!seen) merged.set(f.name, { ...f });
      else if (f.required) seen.required = true;
    }
  }
  return [...merged.values()];
}

/** The merged material list with upload keys; materials needed only in some situations are optional. */
export function bundleSlots(
  bundle: {
    merged_materials: {
      name: string;
      form: string;
      count: number;
      note: string;
      condition: string | null;
      usedBy: string[];
    }[];
  },
  members: Pick<ServiceItem, "code" | "name">[],
) {
  const names = new Map(members.map((m) => [m.code, m.name]));
  return bundle.merged_materials.map((m, i) => ({
    key: `b${i}`,
    material: {
      name: m.name,
      form: m.form,
      count: m.count,
      note: [m.condition ? `${m.condition}时提供` : "", m.note].filter(Boolean).join("；"),
      required: m.condition === null && !/无需/.test(m.note),
    },
    usedBy: m.usedBy.map((code) => names.get(code) ?? code),
    codes: m.usedBy,
  }));
}

export interface BundleSubmission {
  bundleId: number;
  values: Record<string, string>;
  uploads: (key: string) => Upload[];
  accountPhone: string | null;
  /** Optional members the applicant chose (item ids). */
  optional: number[];
}

/** Files a bundle: one case per member, all or none; committed before the receipt is shown. */
export async function submitBundle(ctx: AppContext, citizen: Actor, s: BundleSubmission) {
  if (citizen.kind !== "citizen") throw new ForbiddenError("请使用个人或法人账号登录后申请");
  const { bundle, members } = await bundleDetail(ctx, s.bundleId);
  const chosen = members.filter((m) => !m.optional || s.optional.includes(m.id));
  const p = new Problems();
  const fields = mergedFormFields(chosen);
  const form = checkForm(ctx, fields, s.values, p);
  const phone = contactPhone(fields, form.values, s.accountPhone);
  if (!phone) p.add("phone", "请填写联系电话");
  const slots = bundleSlots(bundle, members).filter((slot) =>
    slot.codes.some((c) => chosen.some((m) => m.code === c)),
  );
  const materials = await checkMaterials(ctx, citizen.id, slots, s.uploads, p);
  p.throwIfAny();
  await writeMaterials(ctx, materials);
  const byName = new Map<string, CheckedMaterial[]>();
  for (const m of materials) byName.set(m.name, [...(byName.get(m.name) ?? []), m]);
  // for 法人 items the applicant (and a licence holder) is the organisation, not the person filling in
  const applicantName = form.values.orgName || form.values.applicantName || citizen.name;
  const number = caseNumber("YJS");
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("bundle_applications")
      .values({
        number,
        bundle_id: bundle.id,
        citizen_id: citizen.id,
        phone_index: ctx.cipher.blindIndex(phone),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    for (const [i, item] of chosen.entries()) {
      const own = checkForm(ctx, item.form_fields, form.values, new Problems());
      const itemMaterials = slots
        .filter((slot) => slot.codes.includes(item.code))
        .flatMap((slot) => byName.get(slot.material.name) ?? []);
      await insertCase(ctx, trx, {
        item,
        citizen,
        applicantName,
        phone,
        form: own.stored,
        materials: itemMaterials,
        bundleApplicationId: row.id,
        number: `${number}-${String(i + 1).padStart(2, "0")}`,
      });
    }
    await notify(
      trx,
      { userId: citizen.id, masked: maskPhone(phone) },
      {
        title: `已收到您的“${bundle.name}”申请`,
        body: `一件事编号 ${number}，共 ${chosen.length} 个事项同步办理。`,
        link: `/account/bsfw/yjs/${number}`,
      },
    );
    return { id: row.id, number, cases: chosen.length };
  });
}

/** One status for the whole bundle, from its members' states. */
export function combinedStatus(states: { state: ApplicationState; outcome: string | null }[]): string {
  const done = states.filter((s) => s.state === "completed").length;
  if (states.some((s) => s.state === "not_accepted" || s.outcome === "denied"))
    return "部分事项未获通过，请查看各事项结果";
  if (states.some((s) => s.state === "correction")) return "待补正";
  if (done === states.length) return "已全部办结";
  return `办理中（${done}/${states.length} 个事项已办结）`;
}

export async function bundleStatusById(ctx: AppContext, bundleApplicationId: number) {
  const head = await ctx.db
    .selectFrom("bundle_applications as ba")
    .innerJoin("service_bundles as b", "b.id", "ba.bundle_id")
    .select(["ba.id", "ba.number", "ba.citizen_id", "ba.submitted_at", "b.name"])
    .where("ba.id", "=", bundleApplicationId)
    .executeTakeFirst();
  if (!head) throw new NotFoundError("办件不存在");
  const cases = await ctx.db
    .selectFrom("service_applications as a")
    .innerJoin("service_items as i", "i.id", "a.item_id")
    .innerJoin("departments as d", "d.id", "i.department_id")
    .select([
      "a.id",
      "a.number",
      "a.state",
      "a.outcome",
      "a.due_on",
      "i.name as item_name",
      "d.name as department_name",
    ])
    .where("a.bundle_application_id", "=", bundleApplicationId)
    .orderBy("a.number")
    .execute();
  return {
    ...head,
    cases: cases.map((c) => ({ ...c, state_label: APPLICATION_STATES[c.state] })),
    status: combinedStatus(cases),
  };
}

export async function bundleStatusByNumber(ctx: AppContext, number: string) {
  const row = await ctx.db
    .selectFrom("bundle_applications")
    .select("id")
    .where("number", "=", number.trim().toUpperCase())
    .executeTakeFirst();
  if (!row) throw new NotFoundError("办件不存在");
  return bundleStatusById(ctx, row.id);
}

export async function bundleApplicationsOfCitizen(ctx: AppContext, citizenId: number) {
  const rows = await ctx.db
    .selectFrom("bundle_applications")
    .select("id")
    .where("citizen_id", "=", citizenId)
    .orderBy("id", "desc")
    .execute();
  const list = await Promise.all(rows.map((r) => bundleStatusById(ctx, r.id)));
  return list.map((b) => ({ number: b.number, name: b.name, status: b.status }));
}

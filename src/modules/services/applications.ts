import { randomInt, timingSafeEqual } from "node:crypto";
import type { Transaction } from "kysely";
import { type Actor, can, scopeFor } from "../../core/auth/permissions.ts";
import { chinaDay, loadCalendar } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { maskPhone } from "../../core/crypto.ts";
import type { Database } from "../../core/db/tables.ts";
import {
  clockFromColumns,
  clockState,
  clockToColumns,
  daysLeft,
  dueOn,
  pauseClock,
  resumeClock,
  startClock,
} from "../../core/deadline.ts";
import { ForbiddenError, NotFoundError, Problems, UserError } from "../../core/errors.ts";
import { notify } from "../../core/inbox.ts";
import type { StoredFile } from "../../core/storage.ts";
import { isCreditCode, isPhoneNumber, isResidentIdNumber, maskIdentifier } from "../../core/validate.ts";
import { defineMachine, eventHistory, recordEvent } from "../../core/workflow.ts";
import { staffOfSite } from "../identity/service.ts";
import { issueLicence, normalName, reusableLicences } from "./licences.ts";
import {
  APPLICATION_STATES,
  type ApplicationState,
  asJson,
  type FormField,
  type Material,
  type ServiceApplication,
  type ServiceItem,
  type StoredForm,
} from "./schema.ts";

type Trx = Transaction<Database>;

/** Working days before the promised deadline when the handling officers are warned. */
export const WARN_DAYS = 2;

/* ------------------------------------------------------------------ the machine */

interface CaseContext {
  actor: Actor | null;
  application: ServiceApplication;
}

const mayHandle = (c: CaseContext) =>
  can(c.actor, "case.handle", { siteId: c.application.site_id }) ? null : "您没有办理该事项的权限";
const mayDecide = (c: CaseContext) =>
  can(c.actor, "case.approve", { siteId: c.application.site_id }) ? null : "审批决定须由部门负责人作出";
const isApplicant = (c: CaseContext) =>
  c.actor?.kind === "citizen" && c.actor.id === c.application.citizen_id ? null : "只有申请人本人可以补正";

export type ApplicationAction =
  | "accept"
  | "refuse"
  | "request_correction"
  | "resubmit"
  | "review"
  | "approve"
  | "deny"
  | "complete";

export const applicationMachine = defineMachine<ApplicationState, ApplicationAction, CaseContext>(
  "service_application",
  APPLICATION_STATES,
  {
    accept: { label: "预审通过，予以受理", from: ["submitted"], to: "accepted", guard: mayHandle },
    refuse: { label: "不予受理", from: ["submitted"], to: "not_accepted", guard: mayHandle },
    request_correction: {
      label: "一次性告知补正",
      from: ["submitted", "accepted"],
      to: "correction",
      guard: mayHandle,
    },
    // back to where it was: to 预审 before 受理, to 审查 (with the clock running again) after
    resubmit: {
      label: "申请人补正后重新提交",
      from: ["correction"],
      to: (c) => (c.application.accepted_on ? "accepted" : "submitted"),
      guard: isApplicant,
    },
    review: { label: "审查完毕，提请决定", from: ["accepted"], to: "reviewed", guard: mayHandle },
    approve: { label: "决定准予", from: ["reviewed"], to: "decided", guard: mayDecide },
    deny: { label: "决定不予", from: ["reviewed"], to: "decided", guard: mayDecide },
    complete: { label: "办结", from: ["decided"], to: "completed", guard: mayHandle },
  },
);

export const EVENT_LABELS: Record<string, string> = {
  submit: "提交申请",
  warn: "临近承诺时限预警",
  escalate: "超过承诺时限，督办",
  ...Object.fromEntries(Object.entries(applicationMachine.actions).map(([k, v]) => [k, v.label])),
};

/* ------------------------------------------------------------------ forms as data */

export interface CleanForm {
  values: Record<string, string>;
  stored: StoredForm;
}

const SEALED_KINDS = new Set(["idnumber", "phone"]);

/** Validates typed values against an item's form definition; field errors are keyed by field name. */
export function checkForm(
  ctx: AppContext,
  fields: FormField[],
  input: Record<string, string>,
  p: Problems,
): CleanForm {
  const values: Record<string, string> = {};
  const stored: StoredForm = { plain: {}, sealed: {}, masked: {} };
  for (const f of fields) {
    let v = (input[f.name] ?? "").trim();
    if (f.kind === "idnumber" || f.kind === "creditcode") v = v.toUpperCase();
    if (f.kind === "phone") v = v.replace(/[\s-]/g, "");
    values[f.name] = v;
    if (!v) {
      if (f.required) p.add(f.name, f.kind === "select" ? `请选择${f.label}` : `请填写${f.label}`);
      continue;
    }
    const problem = fieldProblem(f, v);
    if (problem) {
      p.add(f.name, problem);
      continue;
    }
    if (SEALED_KINDS.has(f.kind)) {
      stored.sealed[f.name] = ctx.cipher.encrypt(v).toString("base64");
      stored.masked[f.name] = f.kind === "phone" ? maskPhone(v) : maskIdentifier(v);
    } else stored.plain[f.name] = v;
  }
  return { values, stored };
}

function fieldProblem(f: FormField, v: string): string | null {
  switch (f.kind) {
    case "idnumber":
      return isResidentIdNumber(v) ? null : `请填写正确的 18 位居民身份证号码`;
    case "creditcode":
      return isCreditCode(v) ? null : "请填写正确的 18 位统一社会信用代码";
    case "phone":
      return isPhoneNumber(v) ? null : "请填写手机号码或带区号的固定电话";
    case "date":
      return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))
        ? null
        : `${f.label}请按“年-月-日”填写`;
    case "number":
      return /^\d{1,12}(\.\d{1,2})?$/.test(v) ? null : `${f.label}请填写数字`;
    case "select":
      return (f.options ?? []).includes(v) ? null : `请从列表中选择${f.label}`;
    case "textarea":
      return v.length <= 2000 ? null : `${f.label}不超过 2000 字`;
    default:
      return v.length <= 200 ? null : `${f.label}不超过 200 字`;
  }
}

/* ------------------------------------------------------------------ materials */

export interface Upload {
  filename: string;
  data: Buffer;
}

export interface CheckedMaterial {
  name: string;
  file: StoredFile | null;
  data: Buffer | null;
  licenceId: number | null;
}

/**
 * Decides, for each material, what satisfies it: an upload (type-sniffed and size-checked), or a
 * valid licence the applicant already holds (免提交). Nothing is written here.
 */
export async function checkMaterials(
  ctx: AppContext,
  holderId: number,
  materials: { key: string; material: Pick<Material, "name" | "required"> }[],
  uploads: (key: string) => Upload[],
  p: Problems,
): Promise<CheckedMaterial[]> {
  const held = await reusableLicences(ctx, holderId);
  const result: CheckedMaterial[] = [];
  for (const { key, material } of materials) {
    const licence = held.get(normalName(material.name));
    const files = uploads(key);
    if (files.length === 0) {
      if (licence) result.push({ name: material.name, file: null, data: null, licenceId: licence.id });
      else if (material.required) p.add(key, `请上传“${material.name}”`);
      continue;
    }
    for (const upload of files) {
      try {
        const file = await ctx.files.check(upload.filename, upload.data, ctx.config.maxUploadBytes);
        result.push({ name: material.name, file, data: upload.data, licenceId: null });
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        p.add(key, error.message);
      }
    }
  }
  return result;
}

/** Writes checked uploads (named by content hash, so a failed transaction leaves nothing dangling that matters). */
export async function writeMaterials(ctx: AppContext, list: CheckedMaterial[]): Promise<void> {
  for (const m of list) if (m.file && m.data) await ctx.files.write(m.file, m.data);
}

async function insertMaterials(
  trx: Trx,
  applicationId: number,
  list: CheckedMaterial[],
  purpose: "material" | "result",
) {
  for (const m of list) {
    await trx
      .insertInto("service_application_files")
      .values({
        application_id: applicationId,
        material: m.name,
        purpose,
        filename: m.file?.filename ?? "",
        mime: m.file?.mime ?? "",
        size: m.file?.size ?? 0,
        sha256: m.file?.sha256 ?? "",
        storage_key: m.file?.storageKey ?? "",
        licence_id: m.licenceId,
      })
      .execute();
  }
}

/* ------------------------------------------------------------------ submitting */

const NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

export function caseNumber(prefix: string): string {
  const random = Array.from({ length: 6 }, () => NUMBER_ALPHABET[randomInt(NUMBER_ALPHABET.length)]).join("");
  return `${prefix}${chinaDay().replace(/-/g, "")}${random}`;
}

export function applicationsOpen(item: Pick<ServiceItem, "visible" | "online_level">): boolean {
  return item.visible && item.online_level !== "窗口办理";
}

/** The phone a case can be looked up with: the form's phone field, else the account's. */
export function contactPhone(
  fields: FormField[],
  values: Record<string, string>,
  accountPhone: string | null,
) {
  const field = fields.find((f) => f.kind === "phone");
  return (field ? values[field.name] : "") || accountPhone || "";
}

export interface NewCase {
  item: ServiceItem;
  citizen: Actor;
  applicantName: string;
  phone: string;
  form: StoredForm;
  materials: CheckedMaterial[];
  bundleApplicationId: number | null;
  number: string;
}

/** Inserts one case with its materials and first event, inside the caller's transaction. */
export async function insertCase(ctx: AppContext, trx: Trx, c: NewCase): Promise<number> {
  const row = await trx
    .insertInto("service_applications")
    .values({
      number: c.number,
      item_id: c.item.id,
      site_id: c.item.site_id,
      bundle_application_id: c.bundleApplicationId,
      citizen_id: c.citizen.id,
      applicant_name: c.applicantName,
      phone_enc: ctx.cipher.encrypt(c.phone),
      phone_index: ctx.cipher.blindIndex(c.phone),
      phone_masked: maskPhone(c.phone),
      form_data: asJson(c.form),
      state: "submitted",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await insertMaterials(trx, row.id, c.materials, "material");
  await recordEvent(trx, applicationMachine, {
    subjectId: row.id,
    action: "submit",
    from: null,
    to: "submitted",
    actorId: c.citizen.id,
  });
  return row.id;
}

export interface Submission {
  itemId: number;
  values: Record<string, string>;
  uploads: (key: string) => Upload[];
  accountPhone: string | null;
}

/** The material list of an item with the form keys of their upload fields. */
export const materialKeys = (item: Pick<ServiceItem, "materials">) =>
  item.materials.map((material, i) => ({ key: `m${i}`, material }));

/** Files a citizen's application. It is committed before the citizen sees the number. */
export async function submitApplication(ctx: AppContext, citizen: Actor, s: Submission) {
  if (citizen.kind !== "citizen") throw new ForbiddenError("请使用个人或法人账号登录后申请");
  const item = await ctx.db
    .selectFrom("service_items")
    .selectAll()
    .where("id", "=", s.itemId)
    .executeTakeFirst();
  if (!item || !applicationsOpen(item)) throw new NotFoundError("该事项暂不支持网上申请");
  const p = new Problems();
  const form = checkForm(ctx, item.form_fields, s.values, p);
  const phone = contactPhone(item.form_fields, form.values, s.accountPhone);
  if (!phone) p.add("phone", "请填写联系电话");
  const materials = await checkMaterials(ctx, citizen.id, materialKeys(item), s.uploads, p);
  p.throwIfAny();
  await writeMaterials(ctx, materials);
  // for 法人 items the applicant (and a licence holder) is the organisation, not the person filling in
  const applicantName = form.values.orgName || form.values.applicantName || citizen.name;
  for (let attempt = 0; ; attempt++) {
    const number = caseNumber("BJ");
    try {
      const id = await ctx.db.transaction().execute(async (trx) => {
        const id = await insertCase(ctx, trx, {
          item,
          citizen,
          applicantName,
          phone,
          form: form.stored,
          materials,
          bundleApplicationId: null,
          number,
        });
        await notify(
          trx,
          { userId: citizen.id, masked: maskPhone(phone) },
          {
            title: `已收到您的“${item.name}”申请`,
            body: `办件编号 ${number}。部门将进行预审，结果会通过站内消息告诉您。`,
            link: `/account/bsfw/${number}`,
          },
        );
        return id;
      });
      return { id, number };
    } catch (error) {
      if ((error as { code?: string }).code !== "23505" || attempt >= 3) throw error;
    }
  }
}

/* ------------------------------------------------------------------ handling */

export interface ActInput {
  comment?: string;
  /** refuse, deny: the reason told to the applicant */
  reason?: string;
  /** request_correction: what to supply */
  items?: string;
  /** complete: the result document */
  result?: Upload[];
  /** resubmit: the corrected materials */
  uploads?: (key: string) => Upload[];
}

/**
 * Takes one step of an application. The machine decides whether it is allowed; this moves the
 * clock, stores what the step needs, issues the licence on 办结 and tells the applicant, in one
 * transaction.
 */
export async function act(
  ctx: AppContext,
  actor: Actor,
  applicationId: number,
  action: ApplicationAction,
  input: ActInput = {},
  today = chinaDay(),
) {
  const calendar = await loadCalendar(ctx.db);
  const current = await ctx.db
    .selectFrom("service_applications")
    .selectAll()
    .where("id", "=", applicationId)
    .executeTakeFirst();
  if (!current) throw new NotFoundError("办件不存在");
  const item = await ctx.db
    .selectFrom("service_items")
    .selectAll()
    .where("id", "=", current.item_id)
    .executeTakeFirstOrThrow();
  // checks that need no lock: wrong person or bad input fail before anything is written
  applicationMachine.next(action, current.state, { actor, application: current });
  const p = new Problems();
  const reason = (input.reason ?? "").trim();
  if ((action === "refuse" || action === "deny") && !reason) p.add("reason", "请写明理由（将告知申请人）");
  if (action === "request_correction" && !(input.items ?? "").trim())
    p.add("items", "请一次性写明需要补正的全部材料或内容");
  let files: CheckedMaterial[] = [];
  if (action === "complete" && input.result?.length) {
    files = await checkMaterials(
      ctx,
      current.citizen_id,
      [{ key: "result", material: { name: "办理结果", required: false } }],
      () => input.result ?? [],
      p,
    );
  }
  if (action === "resubmit") {
    const needed = correctionMaterials(item, current.correction_items);
    files = await checkMaterials(ctx, current.citizen_id, needed, input.uploads ?? (() => []), p);
  }
  p.throwIfAny();
  await writeMaterials(ctx, files);

  return ctx.db.transaction().execute(async (trx) => {
    const a = await trx
      .selectFrom("service_applications")
      .selectAll()
      .where("id", "=", applicationId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const to = applicationMachine.next(action, a.state, { actor, application: a });
    const clock = clockFromColumns(a);
    const changes: Partial<ServiceApplication> = {};
    let message: { title: string; body: string } | null = null;
    switch (action) {
      case "accept":
        Object.assign(changes, {
          accepted_on: today,
          ...clockToColumns(startClock(today, item.promised_days), calendar),
        });
        message = {
          title: `您的“${item.name}”申请已受理`,
          body: `承诺办结时限 ${item.promised_days === 0 ? "即办" : `${item.promised_days} 个工作日`}，最迟 ${dueOn(startClock(today, item.promised_days), calendar)} 前办结。`,
        };
        break;
      case "refuse":
        Object.assign(changes, { outcome_reason: reason, closed_at: new Date(), due_on: null });
        message = { title: `您的“${item.name}”申请不予受理`, body: `理由：${reason}` };
        break;
      case "request_correction":
        Object.assign(changes, {
          correction_items: (input.items ?? "").trim(),
          ...(clock ? clockToColumns(pauseClock(clock, today), calendar) : {}),
        });
        message = {
          title: `您的“${item.name}”申请需要补正`,
          body: `请补正：${(input.items ?? "").trim()}。补正期间办理时限暂停计算，请在“我的办件”中补正后重新提交。`,
        };
        break;
      case "resubmit":
        await insertMaterials(trx, a.id, files, "material");
        Object.assign(changes, clock ? clockToColumns(resumeClock(clock, today, calendar), calendar) : {});
        break;
      case "approve":
        Object.assign(changes, { outcome: "approved", outcome_reason: reason });
        break;
      case "deny":
        Object.assign(changes, { outcome: "denied", outcome_reason: reason });
        break;
      case "complete": {
        await insertMaterials(trx, a.id, files, "result");
        Object.assign(changes, { closed_at: new Date(), due_on: null });
        let licence = "";
        if (a.outcome === "approved" && item.licence_name) {
          const issuer = await trx
            .selectFrom("departments")
            .select("name")
            .where("id", "=", item.department_id)
            .executeTakeFirstOrThrow();
          const issued = await issueLicence(ctx, trx, {
            name: item.licence_name,
            holderId: a.citizen_id,
            holderName: a.applicant_name,
            issuer: issuer.name,
            itemId: item.id,
            applicationId: a.id,
            issuedOn: today,
          });
          licence = `，电子证照编号 ${issued.number}`;
          if (a.bundle_application_id) await shareWithinBundle(trx, a, item.licence_name, issued.id);
        }
        message = {
          title: `您的“${item.name}”申请已办结`,
          body: `办理结果：${a.outcome === "approved" ? "准予" : `不予（${a.outcome_reason}）`}${licence}。欢迎对本次服务作出评价。`,
        };
        break;
      }
      case "review":
        break;
    }
    await trx
      .updateTable("service_applications")
      .set({ ...changes, state: to })
      .where("id", "=", a.id)
      .execute();
    await recordEvent(trx, applicationMachine, {
      subjectId: a.id,
      action,
      from: a.state,
      to,
      actorId: actor.id,
      comment:
        action === "request_correction" ? (input.items ?? "").trim() : reason || (input.comment ?? "").trim(),
    });
    if (message)
      await notify(
        trx,
        { userId: a.citizen_id, masked: a.phone_masked },
        { ...message, link: `/account/bsfw/${a.number}` },
      );
    if (action === "resubmit") {
      for (const userId of await staffOfSite(ctx, a.site_id, ["officer", "site_admin"]))
        await notify(
          trx,
          { userId },
          { title: `办件 ${a.number} 已补正`, link: `/admin/services/cases/${a.id}` },
        );
    }
    return trx
      .selectFrom("service_applications")
      .selectAll()
      .where("id", "=", a.id)
      .executeTakeFirstOrThrow();
  });
}

/**
 * 一件事 internal sharing: a licence produced by one member goes, as 免提交, to the open sibling
 * cases that list it among their materials, so later members do not ask the applicant for it.
 */
async function shareWithinBundle(trx: Trx, a: ServiceApplication, licenceName: string, licenceId: number) {
  const siblings = await trx
    .selectFrom("service_applications as s")
    .innerJoin("service_items as i", "i.id", "s.item_id")
    .select(["s.id", "i.materials"])
    .where("s.bundle_application_id", "=", a.bundle_application_id)
    .where("s.id", "!=", a.id)
    .where("s.closed_at", "is", null)
    .execute();
  for (const sibling of siblings) {
    if (!sibling.materials.some((m) => normalName(m.name) === normalName(licenceName))) continue;
    await trx
      .insertInto("service_application_files")
      .values({
        application_id: sibling.id,
        material: licenceName,
        purpose: "material",
        licence_id: licenceId,
      })
      .execute();
  }
}

/** The materials a 补正 asks for: those of the item named in the request, or any file if none is named. */
export function correctionMaterials(item: Pick<ServiceItem, "materials">, requested: string) {
  const named = materialKeys(item).filter(({ material }) => requested.includes(material.name));
  const list =
    named.length > 0 ? named : [{ key: "m0", material: { name: "补正材料", required: false } as Material }];
  return list.map(({ key, material }) => ({
    key,
    material: { name: material.name, required: named.length > 0 },
  }));
}

/* ------------------------------------------------------------------ the clock: warnings and 督办 */

/**
 * Warns the handling officers when a running case is within WARN_DAYS working days of its promised
 * deadline, and escalates (督办) to the department's heads once it is past; each only once.
 */
export async function remindApplications(ctx: AppContext, today = chinaDay()) {
  const calendar = await loadCalendar(ctx.db);
  const open = await ctx.db
    .selectFrom("service_applications")
    .selectAll()
    .where("closed_at", "is", null)
    .where("due_on", "is not", null)
    .where((eb) => eb.or([eb("warned_at", "is", null), eb("escalated_at", "is", null)]))
    .execute();
  let warned = 0;
  let escalated = 0;
  for (const a of open) {
    const clock = clockFromColumns(a);
    if (!clock || clock.pausedOn) continue;
    const left = daysLeft(clock, calendar, today);
    if (left < 0 && !a.escalated_at) {
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .updateTable("service_applications")
          .set({ escalated_at: new Date(), warned_at: a.warned_at ?? new Date() })
          .where("id", "=", a.id)
          .execute();
        await recordEvent(trx, applicationMachine, {
          subjectId: a.id,
          action: "escalate",
          from: a.state,
          to: a.state,
          actorId: null,
          comment: `已超过承诺时限（${a.due_on}）`,
        });
        for (const userId of await staffOfSite(ctx, a.site_id, ["site_admin"]))
          await notify(
            trx,
            { userId },
            { title: `督办：办件 ${a.number} 已超过承诺时限`, link: `/admin/services/cases/${a.id}` },
          );
      });
      escalated++;
    } else if (left >= 0 && left <= WARN_DAYS && !a.warned_at) {
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .updateTable("service_applications")
          .set({ warned_at: new Date() })
          .where("id", "=", a.id)
          .execute();
        await recordEvent(trx, applicationMachine, {
          subjectId: a.id,
          action: "warn",
          from: a.state,
          to: a.state,
          actorId: null,
          comment: `距承诺时限（${a.due_on}）还有 ${left} 个工作日`,
        });
        for (const userId of await staffOfSite(ctx, a.site_id, ["officer", "site_admin"]))
          await notify(
            trx,
            { userId },
            { title: `预警：办件 ${a.number} 临近承诺时限`, link: `/admin/services/cases/${a.id}` },
          );
      });
      warned++;
    }
  }
  return { warned, escalated };
}

/* ------------------------------------------------------------------ reading */

export async function applicationDetail(ctx: AppContext, id: number) {
  const application = await ctx.db
    .selectFrom("service_applications")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (!application) throw new NotFoundError("办件不存在");
  const [item, history, files, calendar] = await Promise.all([
    ctx.db
      .selectFrom("service_items as i")
      .innerJoin("departments as d", "d.id", "i.department_id")
      .selectAll("i")
      .select("d.name as department_name")
      .where("i.id", "=", application.item_id)
      .executeTakeFirstOrThrow(),
    eventHistory(ctx.db, applicationMachine.subject, id),
    ctx.db
      .selectFrom("service_application_files as f")
      .leftJoin("licences as l", "l.id", "f.licence_id")
      .select([
        "f.id",
        "f.material",
        "f.purpose",
        "f.filename",
        "f.size",
        "f.licence_id",
        "l.number as licence_number",
      ])
      .where("f.application_id", "=", id)
      .orderBy("f.id")
      .execute(),
    loadCalendar(ctx.db),
  ]);
  const licence = await ctx.db
    .selectFrom("licences")
    .select(["number", "name", "status"])
    .where("application_id", "=", id)
    .executeTakeFirst();
  const clock = clockFromColumns(application);
  const today = chinaDay();
  return {
    application,
    item,
    history,
    files,
    licence: licence ?? null,
    clock:
      clock && application.closed_at === null
        ? { state: clockState(clock, calendar, today, WARN_DAYS), due: dueOn(clock, calendar, today) }
        : null,
    available: (actor: Actor | null) =>
      applicationMachine.available(application.state, { actor, application }),
  };
}

export async function applicationByNumber(ctx: AppContext, number: string) {
  const row = await ctx.db
    .selectFrom("service_applications")
    .select("id")
    .where("number", "=", number.trim().toUpperCase())
    .executeTakeFirst();
  if (!row) throw new NotFoundError("办件不存在");
  return applicationDetail(ctx, row.id);
}

/** 进度查询: the case behind a number, only when the phone matches; one message for every miss. */
export async function lookupByPhone(ctx: AppContext, number: string, phone: string) {
  const wanted = ctx.cipher.blindIndexes(phone.replace(/[\s-]/g, ""));
  const n = number.trim().toUpperCase();
  const single = await ctx.db
    .selectFrom("service_applications")
    .select(["id", "phone_index"])
    .where("number", "=", n)
    .executeTakeFirst();
  const bundle = single
    ? undefined
    : await ctx.db
        .selectFrom("bundle_applications")
        .select(["id", "phone_index"])
        .where("number", "=", n)
        .executeTakeFirst();
  const index = single?.phone_index ?? bundle?.phone_index ?? Buffer.alloc(32);
  const matches = wanted.filter((w) => w.length === index.length && timingSafeEqual(index, w));
  if (matches.length === 0 || (!single && !bundle))
    throw new UserError("办件编号或手机号码不正确，请核对后重新输入", 404);
  return single
    ? { kind: "single" as const, id: single.id }
    : { kind: "bundle" as const, id: bundle?.id ?? 0 };
}

export async function applicationsOfCitizen(ctx: AppContext, citizenId: number) {
  return ctx.db
    .selectFrom("service_applications as a")
    .innerJoin("service_items as i", "i.id", "a.item_id")
    .leftJoin("service_ratings as r", "r.application_id", "a.id")
    .select([
      "a.id",
      "a.number",
      "a.state",
      "a.submitted_at",
      "a.due_on",
      "a.outcome",
      "i.name as item_name",
      "r.score",
    ])
    .where("a.citizen_id", "=", citizenId)
    .orderBy("a.id", "desc")
    .execute();
}

export async function staffApplications(
  ctx: AppContext,
  actor: Actor,
  filter: { state?: string | undefined; overdue?: boolean },
) {
  const scope = scopeFor(actor, "case.handle");
  if (!scope.all && scope.siteIds.length === 0) return [];
  let query = ctx.db
    .selectFrom("service_applications as a")
    .innerJoin("service_items as i", "i.id", "a.item_id")
    .innerJoin("sites as s", "s.id", "a.site_id")
    .select([
      "a.id",
      "a.number",
      "a.applicant_name",
      "a.state",
      "a.submitted_at",
      "a.due_on",
      "a.escalated_at",
      "a.warned_at",
      "i.name as item_name",
      "s.name as site_name",
    ])
    .orderBy("a.id", "desc")
    .limit(200);
  if (!scope.all) query = query.where("a.site_id", "in", scope.siteIds);
  if (filter.state && filter.state in APPLICATION_STATES)
    query = query.where("a.state", "=", filter.state as ApplicationState);
  if (filter.overdue) query = query.where("a.due_on", "<", chinaDay()).where("a.closed_at", "is", null);
  return query.execute();
}

/** A stored material or result file, for the applicant or an officer who may handle the case. */
export async function applicationFile(ctx: AppContext, applicationId: number, fileId: number) {
  const file = await ctx.db
    .selectFrom("service_application_files")
    .selectAll()
    .where("id", "=", fileId)
    .where("application_id", "=", applicationId)
    .where("storage_key", "!=", "")
    .executeTakeFirst();
  if (!file) throw new NotFoundError("文件不存在");
  return file;
}

/** Reveals the sealed form fields to an officer who may handle the case. */
export function revealForm(ctx: AppContext, form: StoredForm): Record<string, string> {
  return {
    ...form.plain,
    ...Object.fromEntries(
      Object.entries(form.sealed).map(([k, v]) => [k, ctx.cipher.decrypt(Buffer.from(v, "base64"))]),
    ),
  };
}

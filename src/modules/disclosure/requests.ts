import { sql, type Transaction } from "kysely";
import { type Actor, can } from "../../core/auth/permissions.ts";
import { chinaDay, loadCalendar, type WorkingCalendar } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { maskPhone } from "../../core/crypto.ts";
import type { Database } from "../../core/db/tables.ts";
import {
  clockFromColumns,
  clockState,
  clockToColumns,
  dueOn,
  extendClock,
  pauseClock,
  resumeClock,
  startClock,
} from "../../core/deadline.ts";
import { ForbiddenError, NotFoundError, Problems, UserError } from "../../core/errors.ts";
import { codeHash, codeMatches, randomCode } from "../../core/query-code.ts";
import {
  isCreditCode,
  isPhoneNumber,
  isResidentIdNumber,
  maskAddress,
  maskIdentifier,
} from "../../core/validate.ts";
import { defineMachine, eventHistory, recordEvent } from "../../core/workflow.ts";
import { type FeeMethod, perPageFee, perRequestFee } from "./fees.ts";
import {
  answerNotice,
  consultationNotice,
  correctionNotice,
  extensionNotice,
  feeNotice,
  type NoticeContext,
} from "./request-notices.ts";
import {
  ANSWER_OUTCOMES,
  CARRIERS,
  DELIVERIES,
  ID_TYPES,
  type InfoRequest,
  ORG_CATEGORIES,
  type Outcome,
  REQUEST_STATES,
  type RequestState,
} from "./request-schema.ts";

/** Statutory periods of 《政府信息公开条例》, in working days. */
export const ANSWER_DAYS = 20; // Art 33
export const CORRECTION_NOTICE_DAYS = 7; // Art 30: 补正 notice within 7 working days of receipt
export const THIRD_PARTY_DAYS = 15; // Art 32
export const MAX_EXTENSION_DAYS = 20; // Art 33
export const FEE_PAYMENT_DAYS = 20; // 国办函〔2020〕109号

type Trx = Transaction<Database>;

/* ------------------------------------------------------------------ the machine */

interface RequestContext {
  actor: Actor | null;
  request: InfoRequest;
  today: string;
  calendar: WorkingCalendar;
}

function mayHandle(c: RequestContext): string | null {
  return can(c.actor, "case.handle", { siteId: c.request.site_id }) ? null : "您没有办理该申请的权限";
}

export const requestMachine = defineMachine<RequestState, RequestAction, RequestContext>(
  "info_request",
  REQUEST_STATES,
  {
    register: { label: "登记受理", from: ["submitted"], to: "processing", guard: mayHandle },
    request_correction: {
      label: "通知补正",
      from: ["processing"],
      to: "awaiting_correction",
      guard: (c) => {
        if (c.request.correction_requested) return "补正只能通知一次";
        const received = c.request.received_on ?? c.today;
        if (c.calendar.workingDaysBetween(received, c.today) > CORRECTION_NOTICE_DAYS) {
          return `补正须在收到申请之日起${CORRECTION_NOTICE_DAYS}个工作日内一次性告知`;
        }
        return mayHandle(c);
      },
    },
    correction_received: {
      label: "收到补正",
      from: ["awaiting_correction"],
      to: "processing",
      guard: mayHandle,
    },
    correction_lapsed: {
      label: "逾期未补正，不再处理",
      from: ["awaiting_correction"],
      to: "ended",
      guard: (c) =>
        c.request.correction_due_on && c.today > c.request.correction_due_on
          ? mayHandle(c)
          : "补正期限尚未届满",
    },
    consult_third_party: {
      label: "征求第三方意见",
      from: ["processing"],
      to: "consulting",
      guard: mayHandle,
    },
    consultation_done: {
      label: "第三方意见已收到",
      from: ["consulting"],
      to: "processing",
      guard: mayHandle,
    },
    extend: {
      label: "延期答复",
      from: ["processing"],
      to: "processing",
      guard: (c) => {
        if (c.request.clock_extension_days > 0) return "答复期限只能延长一次";
        return can(c.actor, "case.approve", { siteId: c.request.site_id })
          ? null
          : "延期答复须经政府信息公开工作机构负责人同意";
      },
    },
    issue_fee_notice: {
      label: "发出收费通知",
      from: ["processing"],
      to: "awaiting_payment",
      guard: mayHandle,
    },
    fee_paid: { label: "已缴费", from: ["awaiting_payment"], to: "processing", guard: mayHandle },
    fee_lapsed: {
      label: "逾期未缴费，不再处理",
      from: ["awaiting_payment"],
      to: "ended",
      guard: (c) =>
        c.request.fee_due_on && c.today > c.request.fee_due_on ? mayHandle(c) : "缴费期限尚未届满",
    },
    answer: { label: "作出答复", from: ["processing"], to: "answered", guard: mayHandle },
  },
);
export type RequestAction =
  | "register"
  | "request_correction"
  | "correction_received"
  | "correction_lapsed"
  | "consult_third_party"
  | "consultation_done"
  | "extend"
  | "issue_fee_notice"
  | "fee_paid"
  | "fee_lapsed"
  | "answer";

/** Labels of every event a request's history can hold (transitions plus 督办). */
export const EVENT_LABELS: Record<string, string> = {
  submit: "提交申请",
  escalate: "超期督办",
  ...Object.fromEntries(
    Object.entries(requestMachine.actions).map(([k, v]) => [k, (v as { label: string }).label]),
  ),
};

/* ------------------------------------------------------------------ applying */

export interface Application {
  siteId: number;
  citizenId: number | null;
  applicantType: string;
  orgCategory: string;
  applicantName: string;
  contactPerson: string;
  idType: string;
  idNumber: string;
  phone: string;
  email: string;
  address: string;
  description: string;
  documentHint: string;
  carrier: string;
  delivery: string;
}

function checkApplication(a: Application): Problems {
  const p = new Problems();
  if (a.applicantType !== "person" && a.applicantType !== "organisation")
    p.add("applicantType", "请选择申请人类型");
  const name = a.applicantName.trim();
  if (!name || name.length > 100)
    p.add("applicantName", a.applicantType === "organisation" ? "请填写单位名称" : "请填写姓名");
  if (a.applicantType === "organisation") {
    if (!(ORG_CATEGORIES as readonly string[]).includes(a.orgCategory))
      p.add("orgCategory", "请选择单位类别");
    if (!a.contactPerson.trim()) p.add("contactPerson", "请填写联系人");
  }
  if (!(ID_TYPES as readonly string[]).includes(a.idType)) p.add("idType", "请选择身份证明类型");
  const id = a.idNumber.trim().toUpperCase();
  if (a.idType === "居民身份证" && !isResidentIdNumber(id))
    p.add("idNumber", "请填写正确的 18 位居民身份证号码");
  else if (a.idType === "统一社会信用代码" && !isCreditCode(id))
    p.add("idNumber", "请填写正确的 18 位统一社会信用代码");
  else if (!/^[A-Z0-9-]{5,30}$/.test(id)) p.add("idNumber", "请填写证件号码");
  if (a.applicantType === "organisation" && a.idType !== "统一社会信用代码")
    p.add("idType", "法人或其他组织请使用统一社会信用代码");
  if (!isPhoneNumber(a.phone)) p.add("phone", "请填写手机号码或带区号的固定电话");
  if (a.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(a.email)) p.add("email", "电子邮箱格式不正确");
  if (a.delivery === "电子邮件" && !a.email) p.add("email", "选择电子邮件方式获取时请填写电子邮箱");
  if (a.delivery === "邮寄" && a.address.trim().length < 6)
    p.add("address", "选择邮寄方式获取时请填写详细通信地址");
  const description = a.description.trim();
  if (description.length < 5) p.add("description", "请描述所需政府信息的名称、文号或其他特征（至少 5 个字）");
  if (description.length > 2000) p.add("description", "所需信息描述不超过 2000 字");
  if (!(CARRIERS as readonly string[]).includes(a.carrier)) p.add("carrier", "请选择信息的载体形式");
  if (!(DELIVERIES as readonly string[]).includes(a.delivery)) p.add("delivery", "请选择获取信息的方式");
  return p;
}

export interface Receipt {
  id: number;
  trackingNo: string;
  queryCode: string;
}

/** Files a request. It is committed before the applicant sees the tracking number. */
export async function submitRequest(ctx: AppContext, input: Application): Promise<Receipt> {
  checkApplication(input).throwIfAny();
  const site = await ctx.db
    .selectFrom("sites")
    .select(["id", "department_id"])
    .where("id", "=", input.siteId)
    .executeTakeFirst();
  if (!site) throw new NotFoundError("受理机关不存在");
  const idNumber = input.idNumber.trim().toUpperCase();
  const phone = input.phone.replace(/[\s-]/g, "");
  const address = input.address.trim();
  const queryCode = randomCode(8);
  for (let attempt = 0; ; attempt++) {
    const trackingNo = `YSQ${chinaDay().replace(/-/g, "")}${randomCode(5)}`;
    try {
      const row = await ctx.db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto("info_requests")
          .values({
            tracking_no: trackingNo,
            query_code_hash: codeHash(trackingNo, queryCode),
            site_id: site.id,
            department_id: site.department_id,
            citizen_id: input.citizenId,
            applicant_type: input.applicantType as "person" | "organisation",
            org_category:
              input.applicantType === "organisation"
                ? (input.orgCategory as (typeof ORG_CATEGORIES)[number])
                : null,
            applicant_name: input.applicantName.trim(),
            contact_person: input.contactPerson.trim(),
            id_type: input.idType,
            id_number_enc: ctx.cipher.encrypt(idNumber),
            id_number_index: ctx.cipher.blindIndex(idNumber),
            id_number_masked: maskIdentifier(idNumber),
            phone_enc: ctx.cipher.encrypt(phone),
            phone_masked: maskPhone(phone),
            email: input.email.trim(),
            address_enc: address ? ctx.cipher.encrypt(address) : null,
            address_masked: address ? maskAddress(address) : "",
            description: input.description.trim(),
            document_hint: input.documentHint.trim().slice(0, 200),
            carrier: input.carrier,
            delivery: input.delivery,
            state: "submitted",
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        await recordEvent(trx, requestMachine, {
          subjectId: inserted.id,
          action: "submit",
          from: null,
          to: "submitted",
          actorId: input.citizenId,
        });
        return inserted;
      });
      return { id: row.id, trackingNo, queryCode };
    } catch (error) {
      const duplicate = (error as { code?: string }).code === "23505";
      if (!duplicate || attempt >= 3) throw error;
    }
  }
}

/** The request behind a tracking number and query code, for the applicant without an account. */
export async function findForApplicant(ctx: AppContext, trackingNo: string, queryCode: string) {
  const request = await ctx.db
    .selectFrom("info_requests")
    .selectAll()
    .where("tracking_no", "=", trackingNo.trim().toUpperCase())
    .executeTakeFirst();
  if (!codeMatches(request, queryCode) || !request)
    throw new UserError("申请编号或查询码不正确，请核对后重新输入", 404);
  return request;
}

/* ------------------------------------------------------------------ handling */

export interface ActionInput {
  comment?: string;
  /** request_correction: what to supply, and within how many working days */
  items?: string;
  days?: number;
  /** extend */
  reason?: string;
  /** issue_fee_notice */
  feeMethod?: FeeMethod;
  pages?: number;
  /** answer */
  outcome?: string;
}

async function nextNoticeNumber(trx: Trx, siteId: number, year: number): Promise<number> {
  const row = await trx
    .insertInto("notice_counters")
    .values({ site_id: siteId, year, last: 1 })
    .onConflict((oc) => oc.columns(["site_id", "year"]).doUpdateSet({ last: sql`notice_counters.last + 1` }))
    .returning("last")
    .executeTakeFirstOrThrow();
  return row.last;
}

async function noticeContext(
  trx: Trx,
  r: InfoRequest,
  today: string,
  number: string,
): Promise<NoticeContext> {
  const site = await trx
    .selectFrom("sites")
    .leftJoin("departments", "departments.id", "sites.department_id")
    .select([
      "sites.name",
      "sites.settings",
      "departments.name as department_name",
      "departments.phone",
      "departments.address",
    ])
    .where("sites.id", "=", r.site_id)
    .executeTakeFirstOrThrow();
  return {
    organ: site.department_name ?? site.settings.sponsor ?? site.name,
    organPhone: site.phone ?? site.settings.phone ?? "",
    organAddress: site.address ?? site.settings.address ?? "",
    number,
    applicantName: r.applicant_name,
    trackingNo: r.tracking_no,
    submittedOn: chinaDay(r.submitted_at),
    receivedOn: r.received_on,
    description: r.description,
    today,
  };
}

async function issueNotice(
  trx: Trx,
  r: InfoRequest,
  today: string,
  actorId: number | null,
  kind: string,
  make: (c: NoticeContext) => { title: string; body: string },
): Promise<void> {
  const year = Number(today.slice(0, 4));
  const n = await nextNoticeNumber(trx, r.site_id, year);
  const site = await trx
    .selectFrom("sites")
    .select("code")
    .where("id", "=", r.site_id)
    .executeTakeFirstOrThrow();
  const number = `${site.code.toUpperCase()}依申请〔${year}〕第${n}号`;
  const notice = make(await noticeContext(trx, r, today, number));
  await trx
    .insertInto("info_request_notices")
    .values({
      request_id: r.id,
      kind,
      number,
      title: notice.title,
      body_html: notice.body,
      created_by: actorId,
    })
    .execute();
}

/**
 * Takes one step of the statutory procedure. The machine decides whether it is allowed; this
 * function moves the clock and issues the notice the step requires, all in one transaction.
 */
export async function act(
  ctx: AppContext,
  actor: Actor,
  requestId: number,
  action: RequestAction,
  input: ActionInput = {},
  today = chinaDay(),
) {
  const calendar = await loadCalendar(ctx.db);
  return ctx.db.transaction().execute(async (trx) => {
    const r = await trx
      .selectFrom("info_requests")
      .selectAll()
      .where("id", "=", requestId)
      .forUpdate()
      .executeTakeFirst();
    if (!r) throw new NotFoundError("申请不存在");
    if (!can(actor, "case.handle", { siteId: r.site_id })) throw new ForbiddenError("您没有办理该申请的权限");
    const to = requestMachine.next(action, r.state, { actor, request: r, today, calendar });
    const changes = await stepChanges(trx, r, action, input, today, calendar, actor.id);
    await trx
      .updateTable("info_requests")
      .set({ ...changes, state: to })
      .where("id", "=", r.id)
      .execute();
    await recordEvent(trx, requestMachine, {
      subjectId: r.id,
      action,
      from: r.state,
      to,
      actorId: actor.id,
      comment: input.comment ?? input.reason ?? "",
    });
    return trx.selectFrom("info_requests").selectAll().where("id", "=", r.id).executeTakeFirstOrThrow();
  });
}

async function stepChanges(
  trx: Trx,
  r: InfoRequest,
  action: RequestAction,
  input: ActionInput,
  today: string,
  calendar: WorkingCalendar,
  actorId: number,
): Promise<Partial<InfoRequest>> {
  const clock = clockFromColumns(r);
  switch (action) {
    case "register":
      // Art 31: an online request counts as received on the day both sides confirm it
      return { received_on: today, ...clockToColumns(startClock(today, ANSWER_DAYS), calendar) };
    case "request_correction": {
      const items = (input.items ?? "").trim();
      const days = input.days ?? 10;
      const problems = new Problems();
      if (!items) problems.add("items", "请写明需要补正的事项");
      if (!Number.isInteger(days) || days < 5 || days > 30)
        problems.add("days", "补正期限应为 5—30 个工作日");
      problems.throwIfAny();
      const due = calendar.addWorkingDays(today, days);
      await issueNotice(trx, r, today, actorId, "correction", (c) => correctionNotice(c, items, due));
      return { correction_requested: true, correction_due_on: due, due_on: null };
    }
    case "correction_received":
      // Art 30: the answer period runs again from the day the correction arrives
      return { correction_due_on: null, ...clockToColumns(startClock(today, ANSWER_DAYS), calendar) };
    case "correction_lapsed":
      return { outcome: "other_no_correction", closed_at: new Date(), due_on: null };
    case "consult_third_party": {
      if (!clock) throw new UserError("该申请尚未开始计时");
      const due = calendar.addWorkingDays(today, THIRD_PARTY_DAYS);
      await issueNotice(trx, r, today, actorId, "consultation", (c) => consultationNotice(c, due));
      return {
        consultation_due_on: due,
        ...clockToColumns(pauseClock(clock, today), calendar),
        due_on: null,
      };
    }
    case "consultation_done":
      if (!clock) throw new UserError("该申请尚未开始计时");
      return { consultation_due_on: null, ...clockToColumns(resumeClock(clock, today, calendar), calendar) };
    case "extend": {
      if (!clock) throw new UserError("该申请尚未开始计时");
      const days = input.days ?? MAX_EXTENSION_DAYS;
      const reason = (input.reason ?? "").trim();
      const problems = new Problems();
      if (!Number.isInteger(days) || days < 1 || days > MAX_EXTENSION_DAYS)
        problems.add("days", `延长期限为 1—${MAX_EXTENSION_DAYS} 个工作日`);
      if (!reason) problems.add("reason", "请写明延期理由");
      problems.throwIfAny();
      const extended = extendClock(clock, days);
      const due = dueOn(extended, calendar);
      await issueNotice(trx, r, today, actorId, "extension", (c) => extensionNotice(c, days, due, reason));
      return clockToColumns(extended, calendar);
    }
    case "issue_fee_notice": {
      if (!clock) throw new UserError("该申请尚未开始计时");
      const { amount, basis, method } = await computeFee(trx, r, input);
      if (amount <= 0)
        throw new UserError("按规定该申请无需收费（未超过免费范围）", 400, {
          feeMethod: "未超过免费范围，无需收费",
        });
      const due = calendar.addWorkingDays(today, FEE_PAYMENT_DAYS);
      await issueNotice(trx, r, today, actorId, "fee", (c) => feeNotice(c, method, amount, basis, due));
      return {
        fee_method: method,
        fee_amount: amount.toFixed(2),
        fee_due_on: due,
        ...clockToColumns(pauseClock(clock, today), calendar),
        due_on: null,
      };
    }
    case "fee_paid":
      if (!clock) throw new UserError("该申请尚未开始计时");
      return { fee_due_on: null, ...clockToColumns(resumeClock(clock, today, calendar), calendar) };
    case "fee_lapsed":
      return { outcome: "other_no_fee", closed_at: new Date(), due_on: null };
    case "answer": {
      const outcome = input.outcome as Outcome;
      const reason = (input.reason ?? "").trim();
      const problems = new Problems();
      if (!(ANSWER_OUTCOMES as readonly Outcome[]).includes(outcome))
        problems.add("outcome", "请选择答复类型");
      else if (outcome !== "public" && !reason)
        problems.add("reason", "请写明答复理由或获取方式（将写入告知书）");
      problems.throwIfAny();
      await issueNotice(trx, r, today, actorId, "answer", (c) => answerNotice(c, outcome, reason));
      return { outcome, outcome_reason: reason, closed_at: new Date() };
    }
  }
}

async function computeFee(trx: Trx, r: InfoRequest, input: ActionInput) {
  if (input.feeMethod === "per_page") {
    const pages = input.pages ?? 0;
    if (!Number.isInteger(pages) || pages < 1 || pages > 100_000)
      throw new UserError("请填写页数", 400, { pages: "请填写需提供的页数" });
    return {
      method: "per_page" as const,
      amount: perPageFee(pages),
      basis: `共${pages}页，30页以内免费，31—100页每页10元，101—200页每页20元，200页以上每页40元`,
    };
  }
  if (input.feeMethod !== "per_request")
    throw new UserError("请选择收费方式", 400, { feeMethod: "请选择按件或按量计收" });
  // requests by the same applicant (same identifier) in the calendar month of this one, up to it
  const month = chinaDay(r.submitted_at).slice(0, 7);
  const row = await trx
    .selectFrom("info_requests")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("id_number_index", "=", r.id_number_index)
    .where(sql<string>`to_char(submitted_at at time zone 'Asia/Shanghai', 'YYYY-MM')`, "=", month)
    .where("id", "<=", r.id)
    .executeTakeFirstOrThrow();
  const nth = Number(row.n);
  return {
    method: "per_request" as const,
    amount: perRequestFee(nth),
    basis: `本月第${nth}件申请，每月10件以内免费，11—30件每件100元，超过30件的每增加10件每件加收100元`,
  };
}

/** 督办: marks running cases past their due day; safe to run from any process, any time. */
export async function escalateOverdue(ctx: AppContext, today = chinaDay()): Promise<number> {
  const overdue = await ctx.db
    .updateTable("info_requests")
    .set({ escalated_at: new Date() })
    .where("state", "=", "processing")
    .where("due_on", "<", today)
    .where("escalated_at", "is", null)
    .returning(["id", "state", "due_on"])
    .execute();
  for (const r of overdue) {
    await recordEvent(ctx.db, requestMachine, {
      subjectId: r.id,
      action: "escalate",
      from: r.state,
      to: r.state,
      actorId: null,
      comment: `已超过答复期限（${r.due_on}）`,
    });
  }
  return overdue.length;
}

/* ------------------------------------------------------------------ reading */

export async function requestDetail(ctx: AppContext, id: number) {
  const request = await ctx.db
    .selectFrom("info_requests")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (!request) throw new NotFoundError("申请不存在");
  const [history, notices, calendar] = await Promise.all([
    eventHistory(ctx.db, requestMachine.subject, id),
    ctx.db
      .selectFrom("info_request_notices")
      .selectAll()
      .where("request_id", "=", id)
      .orderBy("id")
      .execute(),
    loadCalendar(ctx.db),
  ]);
  const clock = clockFromColumns(request);
  const today = chinaDay();
  return {
    request,
    history,
    notices,
    clock:
      clock && request.closed_at === null && request.state !== "awaiting_correction"
        ? { state: clockState(clock, calendar, today), due: dueOn(clock, calendar, today) }
        : null,
    available: (actor: Actor) => requestMachine.available(request.state, { actor, request, today, calendar }),
  };
}

export async function staffRequests(
  ctx: AppContext,
  actor: Actor,
  filter: { state?: string | undefined; overdue?: boolean },
) {
  let query = ctx.db
    .selectFrom("info_requests as r")
    .innerJoin("sites as s", "s.id", "r.site_id")
    .select([
      "r.id",
      "r.tracking_no",
      "r.applicant_name",
      "r.description",
      "r.state",
      "r.submitted_at",
      "r.due_on",
      "r.escalated_at",
      "r.site_id",
      "s.name as site_name",
    ])
    .orderBy("r.id", "desc")
    .limit(200);
  const siteIds = (await ctx.db.selectFrom("sites").select("id").execute())
    .map((s) => s.id)
    .filter((id) => can(actor, "case.handle", { siteId: id }));
  if (siteIds.length === 0) return [];
  query = query.where("r.site_id", "in", siteIds);
  if (filter.state && filter.state in REQUEST_STATES)
    query = query.where("r.state", "=", filter.state as RequestState);
  if (filter.overdue) query = query.where("r.due_on", "<", chinaDay()).where("r.closed_at", "is", null);
  return query.execute();
}

export async function requestsOfCitizen(ctx: AppContext, citizenId: number) {
  return ctx.db
    .selectFrom("info_requests")
    .select(["id", "tracking_no", "description", "state", "submitted_at", "due_on"])
    .where("citizen_id", "=", citizenId)
    .orderBy("id", "desc")
    .execute();
}

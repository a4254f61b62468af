import type { Transaction } from "kysely";
import { type Actor, can } from "../../core/auth/permissions.ts";
import { addCalendarDays, chinaDay, loadCalendar, type WorkingCalendar } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { maskPhone } from "../../core/crypto.ts";
import type { Database } from "../../core/db/tables.ts";
import { type Clock, dueOn, startClock } from "../../core/deadline.ts";
import { ForbiddenError, NotFoundError, Problems, UserError } from "../../core/errors.ts";
import { codeHash, codeMatches, randomCode } from "../../core/query-code.ts";
import type { StoredFile } from "../../core/storage.ts";
import { isPhoneNumber } from "../../core/validate.ts";
import { defineMachine, eventHistory, recordEvent } from "../../core/workflow.ts";
import { addWorkingHours } from "../../core/working-hours.ts";
import { indexRecord } from "../search/sources.ts";
import { listSites, portalSite } from "../sites/service.ts";
import { maskLetterText, maskName, maskReplyText } from "./masking.ts";
import { forgetRoutingModel, suggestDepartments } from "./routing.ts";
import {
  LETTER_STATES,
  LETTER_TYPES,
  type Letter,
  type LetterReply,
  type LetterSla,
  type LetterState,
  type LetterType,
  RATINGS,
  type Rating,
} from "./schema.ts";

type Trx = Transaction<Database>;

/**
 * The 3-month line of the national checks (any 政务咨询 unanswered for over 3 months fails the
 * whole site) is far away; the platform raises its hard alarm after ALARM_DAYS calendar days without
 * an answer, while there is still time to act.
 */
export const ALARM_DAYS = 30;
/** The writer may rate the reply within this many calendar days; then the letter closes by itself. */
export const RATING_DAYS = 15;
/** 督办 queue: letters whose reply is due within this many working days. */
export const DUE_SOON_DAYS = 1;
export const MAX_ATTACHMENTS = 3;
/** The same writer (phone) with the same title within this many hours is a duplicate. */
export const DUPLICATE_HOURS = 24;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

const OPEN_STATES: LetterState[] = ["submitted", "accepted", "assigned", "reviewing"];

/* ------------------------------------------------------------------ the machine */

interface LetterContext {
  actor: Actor | null;
  letter: Letter;
  /** Who drafted the reply under review (the reviewer must be someone else). */
  draftedBy?: number | null;
  rating?: Rating;
  /** When the latest reply was sent (for closing after the rating window). */
  repliedAt?: Date | null;
  now: Date;
  supervisingSiteId: number | null;
}

function intakes(c: LetterContext): string | null {
  const sites = [c.letter.mailbox_site_id, c.supervisingSiteId].filter((s): s is number => s !== null);
  return sites.some((siteId) => can(c.actor, "case.handle", { siteId })) ? null : "您没有受理该来信的权限";
}

function handles(c: LetterContext): string | null {
  const siteId = c.letter.handling_site_id;
  return siteId !== null && can(c.actor, "case.handle", { siteId }) ? null : "您没有办理该来信的权限";
}

export const letterMachine = defineMachine<LetterState, LetterAction, LetterContext>(
  "letter",
  LETTER_STATES,
  {
    accept: { label: "受理", from: ["submitted"], to: "accepted", guard: intakes },
    reject: { label: "不予受理", from: ["submitted"], to: "rejected", guard: intakes },
    assign: { label: "转办", from: ["accepted", "assigned"], to: "assigned", guard: intakes },
    send_back: {
      label: "退回分办",
      from: ["assigned"],
      to: "accepted",
      guard: (c) =>
        c.letter.handling_site_id === c.letter.mailbox_site_id ? "本机关直接办理的来信无需退回" : handles(c),
    },
    submit_reply: { label: "提交答复审核", from: ["accepted", "assigned"], to: "reviewing", guard: handles },
    approve_reply: {
      label: "审核通过并答复",
      from: ["reviewing"],
      to: "replied",
      guard: (c) => {
        const siteId = c.letter.handling_site_id;
        if (siteId === null || !can(c.actor, "case.approve", { siteId })) return "答复须经承办单位负责人审核";
        return c.draftedBy === c.actor?.id ? "答复须由起草人以外的负责人审核" : null;
      },
    },
    return_reply: {
      label: "退回修改答复",
      from: ["reviewing"],
      to: (c) => (c.letter.handling_site_id === c.letter.mailbox_site_id ? "accepted" : "assigned"),
      guard: (c) => {
        const siteId = c.letter.handling_site_id;
        return siteId !== null && can(c.actor, "case.approve", { siteId })
          ? null
          : "答复须经承办单位负责人审核";
      },
    },
    rate: {
      label: "来信人评价",
      from: ["replied"],
      to: (c) => (c.rating === "不满意" && !c.letter.reopened ? "assigned" : "closed"),
    },
    close: {
      label: "评价期满办结",
      from: ["replied"],
      to: "closed",
      guard: (c) =>
        c.repliedAt && c.now.getTime() - c.repliedAt.getTime() > RATING_DAYS * 86_400_000
          ? null
          : "评价期尚未届满",
    },
  },
);
export type LetterAction =
  | "accept"
  | "reject"
  | "assign"
  | "send_back"
  | "submit_reply"
  | "approve_reply"
  | "return_reply"
  | "rate"
  | "close";

/** Staff actions, in the order the buttons show. */
export const STAFF_ACTIONS: LetterAction[] = [
  "accept",
  "reject",
  "assign",
  "send_back",
  "submit_reply",
  "approve_reply",
  "return_reply",
];

export const EVENT_LABELS: Record<string, string> = {
  submit: "来信提交",
  import: "导入样例来信",
  escalate: "超期督办",
  urge: "督办意见",
  alarm: "长期未答复预警",
  reopen: "不满意，重新办理",
  publish: "公开来信及答复",
  unpublish: "撤回公开",
  ...Object.fromEntries(
    Object.entries(letterMachine.actions).map(([k, v]) => [k, (v as { label: string }).label]),
  ),
};

/* ------------------------------------------------------------------ settings */

export async function letterSlas(ctx: AppContext): Promise<LetterSla[]> {
  const rows = await ctx.db.selectFrom("letter_slas").selectAll().execute();
  return LETTER_TYPES.flatMap((t) => rows.filter((r) => r.type === t));
}

async function slaFor(db: AppContext["db"] | Trx, type: LetterType): Promise<LetterSla> {
  return db.selectFrom("letter_slas").selectAll().where("type", "=", type).executeTakeFirstOrThrow();
}

async function mayConfigure(ctx: AppContext, actor: Actor): Promise<void> {
  const portal = await portalSite(ctx);
  if (!portal || !can(actor, "site.manage", { siteId: portal.id }))
    throw new ForbiddenError("只有门户网站管理员可以设置来信办理时限和分办关键词");
}

export async function updateSlas(
  ctx: AppContext,
  actor: Actor,
  input: Record<
    LetterType,
    { acceptHours: number | null; handleDays: number | null; replyDays: number | null }
  >,
): Promise<void> {
  await mayConfigure(ctx, actor);
  const problems = new Problems();
  for (const type of LETTER_TYPES) {
    const v = input[type];
    const ok = (n: number | null, min: number, max: number) => n !== null && n >= min && n <= max;
    if (!ok(v.acceptHours, 1, 80)) problems.add(`${type}.acceptHours`, `${type}：受理时限为 1—80 个工作小时`);
    if (!ok(v.handleDays, 1, 60)) problems.add(`${type}.handleDays`, `${type}：办理时限为 1—60 个工作日`);
    if (!ok(v.replyDays, 1, 60)) problems.add(`${type}.replyDays`, `${type}：答复时限为 1—60 个工作日`);
    else if (v.handleDays !== null && v.replyDays !== null && v.handleDays > v.replyDays)
      problems.add(`${type}.replyDays`, `${type}：答复时限不能短于办理时限`);
  }
  problems.throwIfAny();
  await ctx.db.transaction().execute(async (trx) => {
    for (const type of LETTER_TYPES) {
      const v = input[type];
      await trx
        .updateTable("letter_slas")
        .set({
          accept_hours: v.acceptHours ?? 1,
          handle_days: v.handleDays ?? 3,
          reply_days: v.replyDays ?? 7,
          updated_at: new Date(),
        })
        .where("type", "=", type)
        .execute();
    }
  });
}

export async function routingTerms(ctx: AppContext) {
  return ctx.db
    .selectFrom("departments as d")
    .innerJoin("sites as s", (j) => j.onRef("s.department_id", "=", "d.id").on("s.kind", "=", "department"))
    .leftJoin("letter_routing_terms as t", "t.department_id", "d.id")
    .select(["d.id", "d.name", "d.ref", "d.duties", "t.terms"])
    .orderBy("s.position")
    .execute();
}

export async function updateRoutingTerms(
  ctx: AppContext,
  actor: Actor,
  terms: { departmentId: number; terms: string }[],
): Promise<void> {
  await mayConfigure(ctx, actor);
  await ctx.db.transaction().execute(async (trx) => {
    for (const t of terms) {
      const clean = t.terms
        .split(/[\s,，、;；]+/)
        .filter((w) => w.length >= 2 && w.length <= 20)
        .slice(0, 200)
        .join(" ");
      await trx
        .insertInto("letter_routing_terms")
        .values({ department_id: t.departmentId, terms: clean })
        .onConflict((oc) => oc.column("department_id").doUpdateSet({ terms: clean, updated_at: new Date() }))
        .execute();
    }
  });
  forgetRoutingModel();
}

/* ------------------------------------------------------------------ writing */

/** Mailboxes a letter can be written to: 市长信箱 on the portal and each department's. */
export async function mailboxes(ctx: AppContext) {
  const sites = await listSites(ctx);
  return sites
    .filter((s) => s.kind === "portal" || (s.kind === "department" && s.department_id !== null))
    .map((s) => ({ siteId: s.id, code: s.code, name: s.kind === "portal" ? "市长信箱" : `${s.name}信箱` }));
}

export interface NewLetter {
  mailboxSiteId: number;
  citizenId: number | null;
  type: string;
  title: string;
  body: string;
  name: string;
  phone: string;
  email: string;
  publishConsent: boolean;
  files: { filename: string; data: Buffer }[];
}

export interface LetterReceipt {
  id: number;
  trackingNo: string;
  queryCode: string;
}

async function checkLetter(ctx: AppContext, input: NewLetter): Promise<StoredFile[]> {
  const p = new Problems();
  if (!(LETTER_TYPES as readonly string[]).includes(input.type)) p.add("type", "请选择来信类型");
  const title = input.title.trim();
  if (title.length < 4 || title.length > 50) p.add("title", "标题为 4—50 个字");
  const body = input.body.trim();
  if (body.length < 10) p.add("body", "请写明您反映的问题或诉求（至少 10 个字）");
  if (body.length > 2000) p.add("body", "来信内容不超过 2000 字");
  const name = input.name.trim();
  if (!name || name.length > 50) p.add("name", "请填写姓名");
  if (!isPhoneNumber(input.phone)) p.add("phone", "请填写手机号码或带区号的固定电话，便于承办单位联系您");
  if (input.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email.trim()))
    p.add("email", "电子邮箱格式不正确");
  const box = (await mailboxes(ctx)).find((m) => m.siteId === input.mailboxSiteId);
  if (!box) p.add("mailbox", "请选择写信对象");
  const stored: StoredFile[] = [];
  if (input.files.length > MAX_ATTACHMENTS) p.add("files", `附件最多 ${MAX_ATTACHMENTS} 个`);
  else
    for (const f of input.files) {
      try {
        stored.push(await ctx.files.check(f.filename, f.data, MAX_ATTACHMENT_BYTES));
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        p.add("files", error.message);
      }
    }
  p.throwIfAny();
  return stored;
}

/** Files a letter. It is committed before the writer sees the tracking number. */
export async function submitLetter(
  ctx: AppContext,
  input: NewLetter,
  now = new Date(),
): Promise<LetterReceipt> {
  const stored = await checkLetter(ctx, input);
  const type = input.type as LetterType;
  const [calendar, sla, suggestions] = await Promise.all([
    loadCalendar(ctx.db),
    slaFor(ctx.db, type),
    suggestDepartments(ctx, input.title, input.body),
  ]);
  const phone = input.phone.replace(/[\s-]/g, "");
  const email = input.email.trim();
  const phoneIndex = ctx.cipher.blindIndex(phone);
  const duplicate = await ctx.db
    .selectFrom("letters")
    .select("id")
    .where("phone_index", "in", ctx.cipher.blindIndexes(phone))
    .where("title", "=", input.title.trim())
    .where("submitted_at", ">", new Date(now.getTime() - DUPLICATE_HOURS * 3_600_000))
    .executeTakeFirst();
  if (duplicate)
    throw new UserError("您已提交过相同的来信", 400, {
      title: `${DUPLICATE_HOURS} 小时内已用同一电话提交过相同标题的来信，请勿重复提交，可凭信件编号查询办理进度`,
    });
  // files first: a letter row never points at bytes that are not there (the same bytes are stored once)
  for (const [i, f] of stored.entries()) {
    const data = input.files[i]?.data;
    if (data) await ctx.files.write(f, data);
  }
  const queryCode = randomCode(8);
  for (let attempt = 0; ; attempt++) {
    const trackingNo = `XJ${chinaDay(now).replace(/-/g, "")}${randomCode(5)}`;
    try {
      const id = await ctx.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto("letters")
          .values({
            tracking_no: trackingNo,
            query_code_hash: codeHash(trackingNo, queryCode),
            mailbox_site_id: input.mailboxSiteId,
            citizen_id: input.citizenId,
            type,
            title: input.title.trim(),
            body: input.body.trim(),
            contact_name_enc: ctx.cipher.encrypt(input.name.trim()),
            contact_name_masked: maskName(input.name),
            phone_enc: ctx.cipher.encrypt(phone),
            phone_index: phoneIndex,
            phone_masked: maskPhone(phone),
            email_enc: email ? ctx.cipher.encrypt(email) : null,
            publish_consent: input.publishConsent,
            suggestions: JSON.stringify(suggestions) as never,
            state: "submitted",
            submitted_at: now,
            accept_due_at: addWorkingHours(calendar, now, sla.accept_hours),
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        for (const f of stored) {
          await trx
            .insertInto("letter_attachments")
            .values({
              letter_id: row.id,
              filename: f.filename,
              mime: f.mime,
              size: f.size,
              sha256: f.sha256,
              storage_key: f.storageKey,
            })
            .execute();
        }
        await recordEvent(trx, letterMachine, {
          subjectId: row.id,
          action: "submit",
          from: null,
          to: "submitted",
          actorId: input.citizenId,
        });
        return row.id;
      });
      return { id, trackingNo, queryCode };
    } catch (error) {
      const duplicate = (error as { code?: string }).code === "23505";
      if (!duplicate || attempt >= 3) throw error;
    }
  }
}

/** The letter behind a tracking number and query code, for the writer without an account. */
export async function findForWriter(ctx: AppContext, trackingNo: string, queryCode: string): Promise<Letter> {
  const letter = await ctx.db
    .selectFrom("letters")
    .selectAll()
    .where("tracking_no", "=", trackingNo.trim().toUpperCase())
    .executeTakeFirst();
  if (!codeMatches(letter, queryCode) || !letter)
    throw new UserError("信件编号或查询码不正确，请核对后重新输入", 404);
  return letter;
}

/* ------------------------------------------------------------------ handling */

function clockOf(l: Letter): Clock | null {
  if (!l.clock_started_on || l.clock_limit_days === null) return null;
  return {
    startedOn: l.clock_started_on,
    limitDays: l.clock_limit_days,
    extensionDays: 0,
    pausedOn: null,
    pausedDays: 0,
  };
}

/** The reply clock from `today`: 办理 for the handling office, 反馈 to the writer. */
function startReplyClock(calendar: WorkingCalendar, sla: LetterSla, today: string) {
  const clock = startClock(today, sla.reply_days);
  return {
    clock_started_on: clock.startedOn,
    clock_limit_days: clock.limitDays,
    reply_due_on: dueOn(clock, calendar),
    handle_due_on: calendar.addWorkingDays(today, sla.handle_days),
  };
}

export interface LetterActionInput {
  comment?: string;
  reason?: string;
  siteId?: number | null;
  body?: string;
}

async function supervisingSiteId(ctx: AppContext): Promise<number | null> {
  return (await portalSite(ctx))?.id ?? null;
}

async function latestReply(db: AppContext["db"] | Trx, letterId: number) {
  return db
    .selectFrom("letter_replies")
    .selectAll()
    .where("letter_id", "=", letterId)
    .orderBy("id", "desc")
    .executeTakeFirst();
}

/** Takes one staff step; the machine decides whether it is allowed, this moves clocks and replies. */
export async function actOnLetter(
  ctx: AppContext,
  actor: Actor,
  letterId: number,
  action: LetterAction,
  input: LetterActionInput = {},
  now = new Date(),
): Promise<Letter> {
  if (action === "rate" || action === "close") throw new UserError("该操作不由工作人员执行");
  const [calendar, supervising] = await Promise.all([loadCalendar(ctx.db), supervisingSiteId(ctx)]);
  const today = chinaDay(now);
  return ctx.db.transaction().execute(async (trx) => {
    const letter = await trx
      .selectFrom("letters")
      .selectAll()
      .where("id", "=", letterId)
      .forUpdate()
      .executeTakeFirst();
    if (!letter) throw new NotFoundError("来信不存在");
    const reply = await latestReply(trx, letter.id);
    const to = letterMachine.next(action, letter.state, {
      actor,
      letter,
      now,
      supervisingSiteId: supervising,
      draftedBy: reply?.status === "in_review" ? reply.drafted_by : null,
    });
    const changes: Partial<Letter> = {};
    let comment = (input.comment ?? "").trim();
    const problems = new Problems();
    switch (action) {
      case "accept": {
        const sla = await slaFor(trx, letter.type);
        const clock = startReplyClock(calendar, sla, today);
        Object.assign(changes, clock, {
          first_reply_due_on: clock.reply_due_on,
          accepted_at: now,
          handling_site_id: letter.mailbox_site_id,
        });
        break;
      }
      case "reject": {
        const reason = (input.reason ?? "").trim();
        if (reason.length < 4) problems.add("reason", "请写明不予受理的理由和可以反映的渠道（将告知来信人）");
        problems.throwIfAny();
        Object.assign(changes, { reject_reason: reason, closed_at: now });
        comment = reason;
        break;
      }
      case "assign": {
        const target = (await mailboxes(ctx)).find((m) => m.siteId === input.siteId);
        if (!target) problems.add("siteId", "请选择承办单位");
        else if (target.siteId === letter.handling_site_id) problems.add("siteId", "该来信已由所选单位承办");
        problems.throwIfAny();
        const sla = await slaFor(trx, letter.type);
        Object.assign(changes, {
          handling_site_id: input.siteId,
          handle_due_on: calendar.addWorkingDays(today, sla.handle_days),
        });
        comment = [`转至${target?.name.replace(/信箱$/, "") ?? ""}`, comment].filter(Boolean).join("：");
        break;
      }
      case "send_back":
        if (comment.length < 4) problems.add("comment", "请写明退回理由（如不属于本单位职责）");
        problems.throwIfAny();
        Object.assign(changes, { handling_site_id: letter.mailbox_site_id });
        break;
      case "submit_reply": {
        const body = (input.body ?? "").trim();
        if (body.length < 20) problems.add("body", "答复内容至少 20 个字，请针对来信诉求逐项答复");
        if (body.length > 3000) problems.add("body", "答复内容不超过 3000 字");
        problems.throwIfAny();
        await trx
          .insertInto("letter_replies")
          .values({
            letter_id: letter.id,
            round: letter.reopened ? 2 : 1,
            site_id: letter.handling_site_id ?? letter.mailbox_site_id,
            body,
            status: "in_review",
            drafted_by: actor.id,
          })
          .execute();
        break;
      }
      case "approve_reply":
        if (reply?.status !== "in_review") throw new UserError("没有待审核的答复");
        await trx
          .updateTable("letter_replies")
          .set({ status: "sent", reviewed_by: actor.id, sent_at: now, review_comment: comment })
          .where("id", "=", reply.id)
          .execute();
        Object.assign(changes, { first_replied_at: letter.first_replied_at ?? now });
        break;
      case "return_reply":
        if (reply?.status !== "in_review") throw new UserError("没有待审核的答复");
        if (comment.length < 2) problems.add("comment", "请写明退回修改的意见");
        problems.throwIfAny();
        await trx
          .updateTable("letter_replies")
          .set({ status: "returned", reviewed_by: actor.id, review_comment: comment })
          .where("id", "=", reply.id)
          .execute();
        break;
    }
    await trx
      .updateTable("letters")
      .set({ ...changes, state: to })
      .where("id", "=", letter.id)
      .execute();
    await recordEvent(trx, letterMachine, {
      subjectId: letter.id,
      action,
      from: letter.state,
      to,
      actorId: actor.id,
      comment,
    });
    // a reopened letter leaves 回应公开 until answered again, and its search record with it
    await indexRecord(trx, "letters", String(letter.id));
    return trx.selectFrom("letters").selectAll().where("id", "=", letter.id).executeTakeFirstOrThrow();
  });
}

/**
 * The writer rates the reply. 不满意 sends the letter back to the same office once for 重办, with
 * a fresh clock; after that, or with any other rating, the letter is closed.
 */
export async function rateLetter(
  ctx: AppContext,
  trackingNo: string,
  queryCode: string,
  rating: string,
  remark: string,
  now = new Date(),
): Promise<Letter> {
  const found = await findForWriter(ctx, trackingNo, queryCode);
  if (!(RATINGS as readonly string[]).includes(rating))
    throw new UserError("请选择您对答复的评价", 400, { rating: "请选择您对答复的评价" });
  if (rating === "不满意" && remark.trim().length < 4)
    throw new UserError("请说明不满意的原因", 400, { remark: "请说明不满意的原因，便于承办单位重新办理" });
  const calendar = await loadCalendar(ctx.db);
  const today = chinaDay(now);
  return ctx.db.transaction().execute(async (trx) => {
    const letter = await trx
      .selectFrom("letters")
      .selectAll()
      .where("id", "=", found.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const to = letterMachine.next("rate", letter.state, {
      actor: null,
      letter,
      rating: rating as Rating,
      now,
      supervisingSiteId: null,
    });
    const reply = await latestReply(trx, letter.id);
    if (reply)
      await trx
        .updateTable("letter_replies")
        .set({ rating: rating as Rating, rating_comment: remark.trim().slice(0, 500), rated_at: now })
        .where("id", "=", reply.id)
        .execute();
    await recordEvent(trx, letterMachine, {
      subjectId: letter.id,
      action: "rate",
      from: letter.state,
      to,
      actorId: letter.citizen_id,
      comment: rating,
    });
    if (to === "assigned") {
      const sla = await slaFor(trx, letter.type);
      await trx
        .updateTable("letters")
        .set({
          ...startReplyClock(calendar, sla, today),
          state: to,
          reopened: true,
          escalated_at: null,
          alarmed_at: null,
        })
        .where("id", "=", letter.id)
        .execute();
      await recordEvent(trx, letterMachine, {
        subjectId: letter.id,
        action: "reopen",
        from: to,
        to,
        actorId: null,
        comment: remark.trim().slice(0, 500),
      });
    } else {
      await trx
        .updateTable("letters")
        .set({ state: to, closed_at: now })
        .where("id", "=", letter.id)
        .execute();
    }
    await indexRecord(trx, "letters", String(letter.id));
    return trx.selectFrom("letters").selectAll().where("id", "=", letter.id).executeTakeFirstOrThrow();
  });
}

/** Staff publish a letter and its reply in 回应公开 — only with the writer's consent. */
export async function setPublished(
  ctx: AppContext,
  actor: Actor,
  letterId: number,
  publish: boolean,
  now = new Date(),
) {
  const letter = await ctx.db.selectFrom("letters").selectAll().where("id", "=", letterId).executeTakeFirst();
  if (!letter) throw new NotFoundError("来信不存在");
  const supervising = await supervisingSiteId(ctx);
  const allowed = [letter.mailbox_site_id, letter.handling_site_id, supervising].some(
    (siteId) => siteId !== null && can(actor, "case.approve", { siteId }),
  );
  if (!allowed) throw new ForbiddenError("公开来信须经受理或承办单位负责人同意");
  if (publish) {
    if (!letter.publish_consent) throw new UserError("来信人不同意公开，不能公开该来信");
    if (letter.state !== "replied" && letter.state !== "closed") throw new UserError("答复后才能公开来信");
  }
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("letters")
      .set({ published_at: publish ? now : null })
      .where("id", "=", letterId)
      .execute();
    await recordEvent(trx, letterMachine, {
      subjectId: letterId,
      action: publish ? "publish" : "unpublish",
      from: letter.state,
      to: letter.state,
      actorId: actor.id,
    });
    await indexRecord(trx, "letters", String(letterId));
  });
}

/** Whether the actor works in the supervising office (本级政府办公室, the portal's handlers). */
export async function isSupervisor(ctx: AppContext, actor: Actor): Promise<boolean> {
  const supervising = await supervisingSiteId(ctx);
  return supervising !== null && can(actor, "case.handle", { siteId: supervising });
}

/** The supervising office writes a 督办意见 on an open letter; the handling office sees it in the history. */
export async function urgeLetter(ctx: AppContext, actor: Actor, letterId: number, comment: string) {
  if (!(await isSupervisor(ctx, actor))) throw new ForbiddenError("督办意见由本级政府办公室提出");
  const letter = await ctx.db
    .selectFrom("letters")
    .select(["id", "state"])
    .where("id", "=", letterId)
    .executeTakeFirst();
  if (!letter) throw new NotFoundError("来信不存在");
  if (!OPEN_STATES.includes(letter.state)) throw new UserError("该来信已答复或办结，无需督办");
  const text = comment.trim();
  if (text.length < 4) throw new UserError("请写明督办意见", 400, { urge: "请写明督办意见和办理要求" });
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable("letters").set({ escalated_at: new Date() }).where("id", "=", letterId).execute();
    await recordEvent(trx, letterMachine, {
      subjectId: letterId,
      action: "urge",
      from: letter.state,
      to: letter.state,
      actorId: actor.id,
      comment: text.slice(0, 1000),
    });
  });
}

/**
 * 督办, run periodically: escalates letters past their 受理 or 答复 deadline to the supervising
 * office, raises the hard alarm on letters unanswered for ALARM_DAYS, and closes replied letters
 * whose rating window has passed. Safe to run from any process, any time.
 */
export async function superviseLetters(ctx: AppContext, now = new Date()) {
  const today = chinaDay(now);
  const result = { escalated: 0, alarmed: 0, closed: 0 };
  const escalate = await ctx.db
    .updateTable("letters")
    .set({ escalated_at: now })
    .where("escalated_at", "is", null)
    .where((eb) =>
      eb.or([
        eb.and([eb("state", "=", "submitted"), eb("accept_due_at", "<", now)]),
        eb.and([eb("state", "in", ["accepted", "assigned", "reviewing"]), eb("reply_due_on", "<", today)]),
      ]),
    )
    .returning(["id", "state", "reply_due_on", "accept_due_at"])
    .execute();
  for (const l of escalate) {
    await recordEvent(ctx.db, letterMachine, {
      subjectId: l.id,
      action: "escalate",
      from: l.state,
      to: l.state,
      actorId: null,
      comment:
        l.state === "submitted"
          ? "超过受理时限未受理，已提请督办"
          : `超过答复期限（${l.reply_due_on}）未答复，已提请督办`,
    });
  }
  result.escalated = escalate.length;
  const alarmFrom = new Date(`${addCalendarDays(today, -ALARM_DAYS)}T00:00:00+08:00`);
  const alarm = await ctx.db
    .updateTable("letters")
    .set({ alarmed_at: now })
    .where("alarmed_at", "is", null)
    .where("state", "in", OPEN_STATES)
    .where((eb) =>
      eb.or([
        eb.and([eb("reopened", "=", false), eb("submitted_at", "<", alarmFrom)]),
        eb.and([eb("reopened", "=", true), eb("clock_started_on", "<", addCalendarDays(today, -ALARM_DAYS))]),
      ]),
    )
    .returning(["id", "state", "submitted_at"])
    .execute();
  for (const l of alarm) {
    await recordEvent(ctx.db, letterMachine, {
      subjectId: l.id,
      action: "alarm",
      from: l.state,
      to: l.state,
      actorId: null,
      comment: `已超过 ${ALARM_DAYS} 天未答复；来信满 3 个月仍未答复将导致网站单项否决，请立即办理`,
    });
  }
  result.alarmed = alarm.length;
  const replied = await ctx.db.selectFrom("letters").selectAll().where("state", "=", "replied").execute();
  for (const letter of replied) {
    const reply = await latestReply(ctx.db, letter.id);
    const context = { actor: null, letter, now, supervisingSiteId: null, repliedAt: reply?.sent_at ?? null };
    if (letterMachine.available("replied", context).includes("close") === false) continue;
    const to = letterMachine.next("close", "replied", context);
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("letters")
        .set({ state: to, closed_at: now })
        .where("id", "=", letter.id)
        .execute();
      await recordEvent(trx, letterMachine, {
        subjectId: letter.id,
        action: "close",
        from: "replied",
        to,
        actorId: null,
        comment: `答复后 ${RATING_DAYS} 日内未评价，自动办结`,
      });
    });
    result.closed += 1;
  }
  return result;
}

/* ------------------------------------------------------------------ reading */

export type Urgency = "alarm" | "overdue" | "due_soon" | "normal";

export const URGENCY_LABELS: Record<Urgency, string> = {
  alarm: "长期未答复预警",
  overdue: "已超期",
  due_soon: "即将到期",
  normal: "正常",
};

/** How pressing an open letter is, for the 督办 queue. */
export function urgencyOf(l: Letter, calendar: WorkingCalendar, now: Date): Urgency {
  if (!OPEN_STATES.includes(l.state)) return "normal";
  const today = chinaDay(now);
  const waitingSince = l.reopened && l.clock_started_on ? l.clock_started_on : chinaDay(l.submitted_at);
  if (waitingSince <= addCalendarDays(today, -ALARM_DAYS)) return "alarm";
  if (l.state === "submitted") return l.accept_due_at && l.accept_due_at < now ? "overdue" : "due_soon";
  if (l.reply_due_on && l.reply_due_on < today) return "overdue";
  if (l.reply_due_on && calendar.workingDaysBetween(today, l.reply_due_on) <= DUE_SOON_DAYS)
    return "due_soon";
  return "normal";
}

/** The day three months after the letter, when an unanswered 政务咨询 fails the site. */
export function vetoLine(l: Pick<Letter, "submitted_at">): string {
  const d = new Date(l.submitted_at.getTime() + 8 * 3_600_000);
  d.setUTCMonth(d.getUTCMonth() + 3);
  return d.toISOString().slice(0, 10);
}

export async function letterDetail(ctx: AppContext, id: number) {
  const letter = await ctx.db.selectFrom("letters").selectAll().where("id", "=", id).executeTakeFirst();
  if (!letter) throw new NotFoundError("来信不存在");
  const [history, replies, attachments, calendar, supervising, sites] = await Promise.all([
    eventHistory(ctx.db, letterMachine.subject, id),
    ctx.db.selectFrom("letter_replies").selectAll().where("letter_id", "=", id).orderBy("id").execute(),
    ctx.db.selectFrom("letter_attachments").selectAll().where("letter_id", "=", id).orderBy("id").execute(),
    loadCalendar(ctx.db),
    supervisingSiteId(ctx),
    mailboxes(ctx),
  ]);
  const siteName = (siteId: number | null) => {
    const name = sites.find((s) => s.siteId === siteId)?.name;
    return name === "市长信箱" ? "市长信箱" : (name?.replace(/信箱$/, "") ?? "");
  };
  const now = new Date();
  const draft = replies.at(-1);
  return {
    letter,
    history,
    replies,
    attachments,
    mailboxName: siteName(letter.mailbox_site_id),
    handlingName: siteName(letter.handling_site_id),
    urgency: urgencyOf(letter, calendar, now),
    vetoLine: vetoLine(letter),
    clockDue: clockOf(letter) ? letter.reply_due_on : null,
    available: (actor: Actor) =>
      letterMachine
        .available(letter.state, {
          actor,
          letter,
          now,
          supervisingSiteId: supervising,
          draftedBy: draft?.status === "in_review" ? draft.drafted_by : null,
        })
        .filter((a) => STAFF_ACTIONS.includes(a)),
  };
}

/** Reveals the writer's contact to an officer who handles the letter. */
export function revealContact(ctx: AppContext, l: Letter) {
  return {
    name: ctx.cipher.decrypt(l.contact_name_enc),
    phone: ctx.cipher.decrypt(l.phone_enc),
    email: l.email_enc ? ctx.cipher.decrypt(l.email_enc) : "",
  };
}

export async function mayHandleLetter(ctx: AppContext, actor: Actor, l: Letter): Promise<boolean> {
  const supervising = await supervisingSiteId(ctx);
  return [l.mailbox_site_id, l.handling_site_id, supervising].some(
    (siteId) => siteId !== null && can(actor, "case.handle", { siteId }),
  );
}

export interface StaffFilter {
  state?: string | undefined;
  queue?: "supervision" | undefined;
}

/** Letters an officer may see: his offices' mailboxes and letters they handle; the supervising office sees all. */
export async function staffLetters(ctx: AppContext, actor: Actor, filter: StaffFilter, now = new Date()) {
  const supervising = await supervisingSiteId(ctx);
  const siteIds = (await listSites(ctx))
    .map((s) => s.id)
    .filter((id) => can(actor, "case.handle", { siteId: id }));
  if (siteIds.length === 0) return [];
  const all = supervising !== null && siteIds.includes(supervising);
  let query = ctx.db.selectFrom("letters").selectAll().orderBy("id", "desc").limit(300);
  if (!all)
    query = query.where((eb) =>
      eb.or([eb("mailbox_site_id", "in", siteIds), eb("handling_site_id", "in", siteIds)]),
    );
  if (filter.state && filter.state in LETTER_STATES)
    query = query.where("state", "=", filter.state as LetterState);
  if (filter.queue === "supervision") query = query.where("state", "in", OPEN_STATES);
  const [rows, calendar, sites] = await Promise.all([query.execute(), loadCalendar(ctx.db), mailboxes(ctx)]);
  const order: Record<Urgency, number> = { alarm: 0, overdue: 1, due_soon: 2, normal: 3 };
  const list = rows.map((l) => ({
    letter: l,
    urgency: urgencyOf(l, calendar, now),
    handlingName: sites.find((s) => s.siteId === (l.handling_site_id ?? l.mailbox_site_id))?.name ?? "",
  }));
  if (filter.queue !== "supervision") return list;
  return list.filter((x) => x.urgency !== "normal").sort((a, b) => order[a.urgency] - order[b.urgency]);
}

/* ------------------------------------------------------------------ 回应公开 */

export interface PublicLetter {
  id: number;
  trackingNo: string;
  type: LetterType;
  title: string;
  body: string;
  submittedOn: string;
  handlingName: string;
  replies: { body: string; sentOn: string; round: number }[];
  rating: Rating | null;
}

const PAGE_SIZE = 20;

function publicQuery(ctx: AppContext, filter: { siteId?: number | undefined; type?: string | undefined }) {
  let q = ctx.db
    .selectFrom("letters as l")
    .leftJoin("sites as s", "s.id", "l.handling_site_id")
    .where("l.published_at", "is not", null)
    .where("l.publish_consent", "=", true)
    .where("l.state", "in", ["replied", "closed"]);
  if (filter.siteId !== undefined) {
    const siteId = filter.siteId;
    q = q.where((eb) => eb.or([eb("l.handling_site_id", "=", siteId), eb("l.mailbox_site_id", "=", siteId)]));
  }
  if (filter.type && (LETTER_TYPES as readonly string[]).includes(filter.type))
    q = q.where("l.type", "=", filter.type as LetterType);
  return q;
}

/** Published letters with masked text; the portal lists all, a department site its own. */
export async function publicLetters(
  ctx: AppContext,
  filter: { siteId?: number | undefined; type?: string | undefined; page: number },
) {
  const total = await publicQuery(ctx, filter)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const rows = await publicQuery(ctx, filter)
    .select(["l.id", "l.title", "l.type", "l.submitted_at", "l.first_replied_at", "s.name as handling_name"])
    .orderBy("l.first_replied_at", "desc")
    .orderBy("l.id", "desc")
    .limit(PAGE_SIZE)
    .offset((filter.page - 1) * PAGE_SIZE)
    .execute();
  return {
    pages: Math.max(1, Math.ceil(Number(total.n) / PAGE_SIZE)),
    rows: rows.map((r) => ({
      id: r.id,
      title: maskLetterText(r.title),
      type: r.type,
      submittedOn: chinaDay(r.submitted_at),
      repliedOn: r.first_replied_at ? chinaDay(r.first_replied_at) : "",
      handlingName: r.handling_name ?? "",
    })),
  };
}

export async function publicLetter(ctx: AppContext, id: number, siteId?: number): Promise<PublicLetter> {
  const row = await publicQuery(ctx, { siteId })
    .select([
      "l.id",
      "l.tracking_no",
      "l.type",
      "l.title",
      "l.body",
      "l.submitted_at",
      "s.name as handling_name",
    ])
    .where("l.id", "=", id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("该来信不存在或未公开");
  const replies = await ctx.db
    .selectFrom("letter_replies")
    .selectAll()
    .where("letter_id", "=", id)
    .where("status", "=", "sent")
    .orderBy("id")
    .execute();
  return {
    id: row.id,
    trackingNo: row.tracking_no,
    type: row.type,
    title: maskLetterText(row.title),
    body: maskLetterText(row.body),
    submittedOn: chinaDay(row.submitted_at),
    handlingName: row.handling_name ?? "",
    replies: replies.map((r: LetterReply) => ({
      body: maskReplyText(r.body),
      sentOn: r.sent_at ? chinaDay(r.sent_at) : "",
      round: r.round,
    })),
    rating: replies.at(-1)?.rating ?? null,
  };
}

/** What the writer sees when following the letter: the history without staff names, replies once sent. */
/**
 * What the writer sees of the history: the steps that concern him, in his words. Drafts, reviews,
 * internal transfers back and alarms stay inside; only comments meant for him are shown.
 */
export const WRITER_EVENTS: Record<string, { label: string; comment: boolean }> = {
  submit: { label: "来信提交", comment: false },
  import: { label: "来信登记", comment: false },
  accept: { label: "已受理", comment: false },
  reject: { label: "不予受理", comment: true },
  assign: { label: "已转承办单位办理", comment: false },
  escalate: { label: "已提请督办", comment: false },
  approve_reply: { label: "已答复", comment: false },
  rate: { label: "您的评价", comment: true },
  reopen: { label: "重新办理", comment: true },
  close: { label: "已办结", comment: true },
};

export async function writerView(ctx: AppContext, letter: Letter) {
  const detail = await letterDetail(ctx, letter.id);
  return {
    letter,
    history: detail.history.flatMap((h) => {
      const shown = WRITER_EVENTS[h.action];
      return shown ? [{ ...h, comment: shown.comment ? h.comment : "", actor_name: null }] : [];
    }),
    replies: detail.replies.filter((r) => r.status === "sent"),
    handlingName: detail.handlingName,
    mailboxName: detail.mailboxName,
    canRate: letter.state === "replied",
  };
}

/* ------------------------------------------------------------------ statistics */

export interface DepartmentStats {
  siteId: number;
  name: string;
  received: number;
  answered: number;
  onTime: number;
  onTimeRate: number | null;
  avgWorkingDays: number | null;
  rated: number;
  satisfied: number;
  satisfaction: number | null;
}

/**
 * Per handling office over letters written in [from, to]: received (assigned to it or accepted by
 * it), answered (a reply sent), on time (first reply sent by its 答复期限), average handling time
 * in working days from 受理 to the first reply, and satisfaction (share of ratings other than 不满意
 * among the letters the writer rated; the final rating counts).
 */
export async function departmentStats(ctx: AppContext, from: string, to: string): Promise<DepartmentStats[]> {
  const rows = await ctx.db
    .selectFrom("letters as l")
    .innerJoin("sites as s", "s.id", "l.handling_site_id")
    .select([
      "l.id",
      "l.handling_site_id",
      "s.name",
      "s.position",
      "l.accepted_at",
      "l.submitted_at",
      "l.first_replied_at",
      "l.first_reply_due_on",
    ])
    .where("l.submitted_at", ">=", new Date(`${from}T00:00:00+08:00`))
    .where("l.submitted_at", "<", new Date(`${addCalendarDays(to, 1)}T00:00:00+08:00`))
    .where("l.state", "!=", "rejected")
    .execute();
  const ratings = await ctx.db
    .selectFrom("letter_replies")
    .select(["letter_id", "rating"])
    .where("rating", "is not", null)
    .orderBy("id")
    .execute();
  const finalRating = new Map<number, Rating>();
  for (const r of ratings) if (r.rating) finalRating.set(r.letter_id, r.rating);
  const firstSent = await ctx.db
    .selectFrom("letter_replies")
    .select(["letter_id", "sent_at"])
    .where("round", "=", 1)
    .where("status", "=", "sent")
    .execute();
  const sentOn = new Map(firstSent.map((r) => [r.letter_id, r.sent_at]));
  const calendar = await loadCalendar(ctx.db);
  const stats = new Map<number, DepartmentStats & { days: number[]; position: number }>();
  for (const l of rows) {
    const siteId = l.handling_site_id as number;
    const s = stats.get(siteId) ?? {
      siteId,
      name: l.name,
      position: l.position,
      received: 0,
      answered: 0,
      onTime: 0,
      onTimeRate: null,
      avgWorkingDays: null,
      rated: 0,
      satisfied: 0,
      satisfaction: null,
      days: [],
    };
    stats.set(siteId, s);
    s.received += 1;
    const sent = sentOn.get(l.id) ?? l.first_replied_at;
    if (sent) {
      s.answered += 1;
      // the first round's due day is the one the on-time rate is judged by
      const due = l.first_reply_due_on;
      const sentDay = chinaDay(sent);
      if (due === null || sentDay <= due) s.onTime += 1;
      const start = chinaDay(l.accepted_at ?? l.submitted_at);
      s.days.push(Math.max(0, calendar.workingDaysBetween(start, sentDay)));
    }
    const rating = finalRating.get(l.id);
    if (rating) {
      s.rated += 1;
      if (rating !== "不满意") s.satisfied += 1;
    }
  }
  const round1 = (n: number) => Math.round(n * 10) / 10;
  return [...stats.values()]
    .sort((a, b) => a.position - b.position)
    .map(({ days, position: _position, ...s }) => ({
      ...s,
      onTimeRate: s.answered ? round1((s.onTime / s.answered) * 100) : null,
      avgWorkingDays: days.length ? round1(days.reduce((a, b) => a + b, 0) / days.length) : null,
      satisfaction: s.rated ? round1((s.satisfied / s.rated) * 100) : null,
    }));
}

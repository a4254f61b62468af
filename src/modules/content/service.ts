import { diffChars } from "diff";
import { sql, type Transaction } from "kysely";
import { type Actor, can, reviewReach, scopeFor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import type { Database } from "../../core/db/tables.ts";
import { ForbiddenError, NotFoundError, Problems, UserError } from "../../core/errors.ts";
import { plainText, sanitizeRichText } from "../../core/sanitize.ts";
import { eventHistory, recordEvent } from "../../core/workflow.ts";
import { assignIndexNo, checkDisclosable, checkPublishable, documentKey } from "../disclosure/catalogue.ts";
import { indexRecord } from "../search/sources.ts";
import { columnPath, getColumn } from "../sites/service.ts";
import { cleanMetadata, linkFields } from "./metadata.ts";
import { type ReviewContext, reviewMachine } from "./review.ts";
import {
  DOCUMENT_TYPE_LABELS,
  DOCUMENT_TYPES,
  type DocumentRow,
  type DocumentType,
  type VersionRow,
} from "./schema.ts";

export interface DraftInput {
  title: string;
  summary: string;
  bodyHtml: string;
  metadata: Record<string, unknown>;
  /** Existing attachments to keep; new uploads are added by id after storing. */
  attachmentIds: number[];
}

export interface NewDocumentInput extends DraftInput {
  columnId: number;
  type: string;
}

export interface Upload {
  filename: string;
  data: Buffer;
}

type Trx = Transaction<Database>;

async function checkDraft(ctx: AppContext, type: DocumentType, input: DraftInput, selfId: number | null) {
  const problems = new Problems();
  const title = input.title.trim();
  if (!title) problems.add("title", "请填写标题");
  else if (title.length > 200) problems.add("title", "标题不超过 200 字");
  if (input.summary.length > 500) problems.add("summary", "摘要不超过 500 字");
  const bodyHtml = sanitizeRichText(input.bodyHtml);
  if (bodyHtml.length > 500_000) problems.add("bodyHtml", "正文过长");
  let metadata: Record<string, string> = {};
  try {
    metadata = cleanMetadata(type, input.metadata);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    Object.assign(problems.fields, error.fields);
  }
  await checkLinks(ctx, type, metadata, selfId, problems);
  problems.throwIfAny();
  return { title, summary: input.summary.trim(), bodyHtml, metadata };
}

/** Finds a document by the key stored in a metadata link: its ref, or its id. */
async function documentByKey(ctx: AppContext, key: string) {
  return ctx.db
    .selectFrom("documents")
    .select(["id", "ref", "type"])
    .where((eb) => eb.or([eb("ref", "=", key), eb(sql<string>`id::text`, "=", key)]))
    .executeTakeFirst();
}

/** Every "link" field must name an existing document of the declared type, other than itself. */
async function checkLinks(
  ctx: AppContext,
  type: DocumentType,
  metadata: Record<string, string>,
  selfId: number | null,
  problems: Problems,
): Promise<void> {
  for (const field of linkFields(type)) {
    const key = metadata[field.key];
    if (!key || problems.fields[`meta.${field.key}`]) continue;
    const target = await documentByKey(ctx, key);
    if (!target) problems.add(`meta.${field.key}`, `所选的${field.label}不存在，请重新选择`);
    else if (field.linkType && target.type !== field.linkType)
      problems.add(`meta.${field.key}`, `${field.label}须选择${DOCUMENT_TYPE_LABELS[field.linkType]}`);
    else if (target.id === selfId) problems.add(`meta.${field.key}`, `${field.label}不能选择本文件自身`);
    // store the same key whichever way it was given
    else metadata[field.key] = documentKey(target);
  }
}

/** Where a document lives: its own site and primary column, as the permission check needs. */
async function documentTarget(ctx: AppContext, doc: DocumentRow) {
  const primary = await ctx.db
    .selectFrom("placements")
    .select("column_id")
    .where("document_id", "=", doc.id)
    .where("is_primary", "=", true)
    .executeTakeFirstOrThrow();
  const path = await columnPath(ctx, primary.column_id);
  return {
    siteId: doc.site_id,
    columnPath: path.map((c) => c.id),
    column: path[0] ?? (await getColumn(ctx, primary.column_id)),
  };
}

async function requireDocument(ctx: AppContext, id: number): Promise<DocumentRow> {
  const doc = await ctx.db.selectFrom("documents").selectAll().where("id", "=", id).executeTakeFirst();
  if (!doc) throw new NotFoundError("文档不存在");
  return doc;
}

/** Checks every upload before writing any, so one bad file leaves nothing behind. */
async function storeUploads(ctx: AppContext, trx: Trx, documentId: number, actor: Actor, uploads: Upload[]) {
  const checked = await Promise.all(
    uploads.map((u) => ctx.files.check(u.filename, u.data, ctx.config.maxUploadBytes)),
  );
  const ids: number[] = [];
  for (const [i, stored] of checked.entries()) {
    await ctx.files.write(stored, uploads[i]?.data ?? Buffer.alloc(0));
    const row = await trx
      .insertInto("attachments")
      .values({
        document_id: documentId,
        filename: stored.filename,
        mime: stored.mime,
        size: stored.size,
        sha256: stored.sha256,
        storage_key: stored.storageKey,
        uploaded_by: actor.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    ids.push(row.id);
  }
  return ids;
}

export async function createDocument(
  ctx: AppContext,
  actor: Actor,
  input: NewDocumentInput,
  uploads: Upload[] = [],
): Promise<number> {
  const column = await getColumn(ctx, input.columnId);
  const path = (await columnPath(ctx, column.id)).map((c) => c.id);
  if (!can(actor, "document.edit", { siteId: column.site_id, columnPath: path }))
    throw new ForbiddenError("您没有在该栏目发布文档的权限");
  if (column.type === "link" || column.type === "catalog")
    throw new UserError("外链栏目和目录栏目不能直接发布文档，请选择列表栏目或单页栏目");
  if (!DOCUMENT_TYPES.includes(input.type as DocumentType))
    throw new UserError("请选择文档类型", 400, { type: "请选择文档类型" });
  const type = input.type as DocumentType;
  const clean = await checkDraft(ctx, type, input, null);
  const site = await ctx.db
    .selectFrom("sites")
    .select(["department_id"])
    .where("id", "=", column.site_id)
    .executeTakeFirstOrThrow();
  return ctx.db.transaction().execute(async (trx) => {
    const doc = await trx
      .insertInto("documents")
      .values({ type, site_id: column.site_id, department_id: site.department_id, created_by: actor.id })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("placements")
      .values({ document_id: doc.id, column_id: column.id, is_primary: true, placed_by: actor.id })
      .execute();
    const attachmentIds = await storeUploads(ctx, trx, doc.id, actor, uploads);
    await insertVersion(trx, doc.id, 1, actor.id, { ...clean, attachmentIds });
    return doc.id;
  });
}

async function insertVersion(
  trx: Trx,
  documentId: number,
  number: number,
  authorId: number | null,
  content: {
    title: string;
    summary: string;
    bodyHtml: string;
    metadata: Record<string, string>;
    attachmentIds: number[];
  },
): Promise<number> {
  const row = await trx
    .insertInto("document_versions")
    .values({
      document_id: documentId,
      number,
      title: content.title,
      summary: content.summary,
      body_html: content.bodyHtml,
      metadata: JSON.stringify(content.metadata) as unknown as Record<string, string>,
      attachment_ids: content.attachmentIds,
      author_id: authorId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Every save is a new version. Unfinished versions (draft, in review, rejected) are superseded by
 * it; the live version is untouched and stays public until a newer one is approved.
 */
export async function saveDraft(
  ctx: AppContext,
  actor: Actor,
  documentId: number,
  input: DraftInput,
  uploads: Upload[] = [],
): Promise<number> {
  const doc = await requireDocument(ctx, documentId);
  const target = await documentTarget(ctx, doc);
  if (!can(actor, "document.edit", target)) throw new ForbiddenError("您没有编辑该文档的权限");
  const clean = await checkDraft(ctx, doc.type, input, doc.id);
  const known = await ctx.db
    .selectFrom("attachments")
    .select("id")
    .where("document_id", "=", doc.id)
    .execute();
  const kept = input.attachmentIds.filter((id) => known.some((k) => k.id === id));
  return ctx.db.transaction().execute(async (trx) => {
    await lockDocument(trx, doc.id);
    const last = await trx
      .selectFrom("document_versions")
      .select((eb) => eb.fn.max("number").as("n"))
      .where("document_id", "=", doc.id)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("document_versions")
      .set({ status: "superseded", review_level: null })
      .where("document_id", "=", doc.id)
      .where("status", "in", ["draft", "in_review", "rejected"])
      .execute();
    const added = await storeUploads(ctx, trx, doc.id, actor, uploads);
    return insertVersion(trx, doc.id, Number(last.n ?? 0) + 1, actor.id, {
      ...clean,
      attachmentIds: [...kept, ...added],
    });
  });
}

async function lockDocument(trx: Trx, documentId: number): Promise<void> {
  await trx.selectFrom("documents").select("id").where("id", "=", documentId).forUpdate().execute();
}

async function reviewContext(
  ctx: AppContext,
  actor: Actor,
  version: VersionRow,
): Promise<ReviewContext & { doc: DocumentRow }> {
  const doc = await requireDocument(ctx, version.document_id);
  const target = await documentTarget(ctx, doc);
  return {
    doc,
    actor,
    siteId: target.siteId,
    columnPath: target.columnPath,
    steps: target.column.review_steps,
    level: version.review_level ?? 1,
    authorId: version.author_id,
  };
}

async function requireVersion(ctx: AppContext, versionId: number): Promise<VersionRow> {
  const version = await ctx.db
    .selectFrom("document_versions")
    .selectAll()
    .where("id", "=", versionId)
    .executeTakeFirst();
  if (!version) throw new NotFoundError("版本不存在");
  return version;
}

/** A 图解 interpretation is its images: one at least must come with the draft submitted. */
async function checkGraphic(ctx: AppContext, doc: DocumentRow, draft: VersionRow): Promise<void> {
  if (doc.type !== "interpretation" || draft.metadata.form !== "图解") return;
  const image = draft.attachment_ids.length
    ? await ctx.db
        .selectFrom("attachments")
        .select("id")
        .where("id", "in", draft.attachment_ids)
        .where("mime", "like", "image/%")
        .executeTakeFirst()
    : undefined;
  if (!image)
    throw new UserError("图解解读须上传至少一张图片（附件），并在“图解文字说明”中说明图片内容", 400);
}

/** Submits the latest draft for review; `publishAt` schedules it (null = as soon as approved). */
export async function submitForReview(
  ctx: AppContext,
  actor: Actor,
  documentId: number,
  publishAt: Date | null,
): Promise<VersionRow> {
  const draft = await ctx.db
    .selectFrom("document_versions")
    .selectAll()
    .where("document_id", "=", documentId)
    .where("status", "=", "draft")
    .orderBy("number", "desc")
    .executeTakeFirst();
  if (!draft) {
    const doc = await requireDocument(ctx, documentId);
    if (!can(actor, "document.edit", await documentTarget(ctx, doc)))
      throw new ForbiddenError("您没有编辑该文档的权限");
    throw new UserError("没有待提交的草稿，请先保存修改");
  }
  if (publishAt && Number.isNaN(publishAt.getTime()))
    throw new UserError("定时发布时间格式不正确", 400, { publishAt: "定时发布时间格式不正确" });
  const rc = await reviewContext(ctx, actor, draft);
  const to = reviewMachine.next("submit", "draft", rc);
  checkDisclosable(draft.metadata);
  await checkGraphic(ctx, rc.doc, draft);
  return ctx.db.transaction().execute(async (trx) => {
    await lockDocument(trx, documentId);
    await trx
      .updateTable("document_versions")
      .set({
        status: to,
        review_level: to === "in_review" ? 1 : null,
        submitted_at: new Date(),
        publish_at: publishAt,
      })
      .where("id", "=", draft.id)
      .execute();
    await recordEvent(trx, reviewMachine, {
      subjectId: draft.id,
      action: "submit",
      from: "draft",
      to,
      actorId: actor.id,
    });
    if (to === "approved") await approve(trx, draft.id, publishAt);
    return trx
      .selectFrom("document_versions")
      .selectAll()
      .where("id", "=", draft.id)
      .executeTakeFirstOrThrow();
  });
}

/** Approves or rejects the current review step of a version. A reject needs a comment. */
export async function decide(
  ctx: AppContext,
  actor: Actor,
  versionId: number,
  decision: "approve" | "reject",
  comment: string,
): Promise<VersionRow> {
  const version = await requireVersion(ctx, versionId);
  const rc = await reviewContext(ctx, actor, version);
  const to = reviewMachine.next(decision, version.status, rc);
  if (decision === "reject" && !comment.trim())
    throw new UserError("退回时请填写退回意见", 400, { comment: "请填写退回意见" });
  return ctx.db.transaction().execute(async (trx) => {
    await lockDocument(trx, version.document_id);
    const fresh = await trx
      .selectFrom("document_versions")
      .select(["status", "review_level"])
      .where("id", "=", versionId)
      .executeTakeFirstOrThrow();
    if (fresh.status !== version.status || fresh.review_level !== version.review_level) {
      throw new UserError("该稿件的审核状态已变化，请刷新页面后重试", 409);
    }
    await trx
      .insertInto("review_decisions")
      .values({
        version_id: versionId,
        level: rc.level,
        step_name: rc.steps[rc.level - 1] ?? "审核",
        decision,
        comment: comment.trim(),
        reviewer_id: actor.id,
      })
      .execute();
    const nextLevel = to === "in_review" ? rc.level + 1 : null;
    await trx
      .updateTable("document_versions")
      .set({ status: to, review_level: nextLevel })
      .where("id", "=", versionId)
      .execute();
    await recordEvent(trx, reviewMachine, {
      subjectId: versionId,
      action: decision,
      from: version.status,
      to,
      actorId: actor.id,
      comment,
    });
    if (to === "approved") await approve(trx, versionId, version.publish_at);
    return trx
      .selectFrom("document_versions")
      .selectAll()
      .where("id", "=", versionId)
      .executeTakeFirstOrThrow();
  });
}

/** Marks a version approved; it goes live now, or at publish_at when that lies ahead. */
async function approve(trx: Trx, versionId: number, publishAt: Date | null): Promise<void> {
  const now = new Date();
  const at = publishAt && publishAt > now ? publishAt : now;
  const version = await trx
    .updateTable("document_versions")
    .set({ status: "approved", approved_at: now, publish_at: at, review_level: null })
    .where("id", "=", versionId)
    .returning(["document_id", "metadata"])
    .executeTakeFirstOrThrow();
  // 不予公开, a missing organisation code, the 规范性文件 interpretation gate: refused here, in the
  // same transaction, so the version stays where it was
  await checkPublishable(trx, version.document_id, version.metadata);
  const doc = await trx
    .selectFrom("documents")
    .select("live_version_id")
    .where("id", "=", version.document_id)
    .executeTakeFirstOrThrow();
  // a version still waiting for its scheduled time is replaced by this newer decision
  await trx
    .updateTable("document_versions")
    .set({ status: "superseded" })
    .where("document_id", "=", version.document_id)
    .where("status", "=", "approved")
    .where("id", "not in", [versionId, doc.live_version_id ?? 0])
    .execute();
  if (at <= now) await goLive(trx, version.document_id, versionId, at);
}

async function goLive(trx: Trx, documentId: number, versionId: number, at: Date): Promise<void> {
  const doc = await trx
    .selectFrom("documents")
    .select(["live_version_id", "first_published_at"])
    .where("id", "=", documentId)
    .executeTakeFirstOrThrow();
  if (doc.live_version_id && doc.live_version_id !== versionId) {
    await trx
      .updateTable("document_versions")
      .set({ status: "superseded" })
      .where("id", "=", doc.live_version_id)
      .execute();
  }
  await trx
    .updateTable("document_versions")
    .set({ went_live_at: new Date() })
    .where("id", "=", versionId)
    .execute();
  await trx
    .updateTable("documents")
    .set({
      live_version_id: versionId,
      first_published_at: doc.first_published_at ?? at,
      live_changed_at: new Date(),
      withdrawn_at: null,
      withdrawn_reason: null,
    })
    .where("id", "=", documentId)
    .execute();
  // 索引号: given when a catalogue item is first published (or first published since numbering
  // began), numbered by the year it first went public; kept for good afterwards
  await assignIndexNo(trx, documentId, doc.first_published_at ?? at);
  await indexRecord(trx, "content", String(documentId));
}

/** Puts every approved version whose scheduled time has come live. Safe to run from any process. */
export async function publishDueVersions(ctx: AppContext): Promise<number> {
  const due = await ctx.db
    .selectFrom("document_versions as v")
    .innerJoin("documents as d", "d.id", "v.document_id")
    .select(["v.id", "v.document_id", "v.publish_at"])
    .where("v.status", "=", "approved")
    .where("v.publish_at", "<=", new Date())
    .where("v.went_live_at", "is", null)
    .where((eb) =>
      eb.or([eb("d.live_version_id", "is", null), eb("d.live_version_id", "!=", eb.ref("v.id"))]),
    )
    .execute();
  let published = 0;
  // one that cannot go live (say its publisher has no organisation code for 索引号 yet) stays
  // approved for the next run and must not hold back the others; the failures are raised after
  const failures: unknown[] = [];
  for (const version of due) {
    try {
      const live = await ctx.db.transaction().execute(async (trx) => {
        await lockDocument(trx, version.document_id);
        const still = await trx
          .selectFrom("document_versions")
          .select("status")
          .where("id", "=", version.id)
          .executeTakeFirst();
        if (still?.status !== "approved") return false;
        await goLive(trx, version.document_id, version.id, version.publish_at ?? new Date());
        await recordEvent(trx, reviewMachine, {
          subjectId: version.id,
          action: "publish",
          from: "approved",
          to: "approved",
          actorId: null,
          comment: "定时发布",
        });
        return true;
      });
      if (live) published += 1;
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0)
    throw new AggregateError(failures, `${failures.length} 件定时发布的文档未能发布，已发布 ${published} 件`);
  return published;
}

/** 撤稿: takes the document off every public page; its history stays. */
export async function withdraw(
  ctx: AppContext,
  actor: Actor,
  documentId: number,
  reason: string,
): Promise<void> {
  const doc = await requireDocument(ctx, documentId);
  const target = await documentTarget(ctx, doc);
  if (!can(actor, "document.publish", target)) throw new ForbiddenError("您没有撤稿的权限");
  if (!reason.trim()) throw new UserError("请填写撤稿原因", 400, { reason: "请填写撤稿原因" });
  if (!doc.live_version_id && !doc.withdrawn_at) {
    const scheduled = await ctx.db
      .selectFrom("document_versions")
      .select("id")
      .where("document_id", "=", documentId)
      .where("status", "=", "approved")
      .executeTakeFirst();
    if (!scheduled) throw new UserError("该文档尚未发布，无需撤稿");
  }
  await ctx.db.transaction().execute(async (trx) => {
    await lockDocument(trx, documentId);
    await trx
      .updateTable("document_versions")
      .set({ status: "superseded" })
      .where("document_id", "=", documentId)
      .where("status", "=", "approved")
      .execute();
    await trx
      .updateTable("documents")
      .set({
        live_version_id: null,
        withdrawn_at: new Date(),
        withdrawn_reason: reason.trim(),
        live_changed_at: new Date(),
      })
      .where("id", "=", documentId)
      .execute();
    await indexRecord(trx, "content", String(documentId));
    await recordEvent(
      trx,
      { subject: "document" },
      {
        subjectId: documentId,
        action: "withdraw",
        from: "published",
        to: "withdrawn",
        actorId: actor.id,
        comment: reason,
      },
    );
  });
}

/** Copies an old version into a new draft, which then goes through review like any edit. */
export async function restoreVersion(
  ctx: AppContext,
  actor: Actor,
  documentId: number,
  versionId: number,
): Promise<number> {
  const version = await requireVersion(ctx, versionId);
  if (version.document_id !== documentId) throw new NotFoundError("版本不存在");
  return saveDraft(ctx, actor, documentId, {
    title: version.title,
    summary: version.summary,
    bodyHtml: version.body_html,
    metadata: version.metadata,
    attachmentIds: version.attachment_ids,
  });
}

/* ------------------------------------------------------------------ placements (引用) */

/** Places a published document into another column (of any site) by reference, not by copy. */
export async function placeDocument(
  ctx: AppContext,
  actor: Actor,
  documentId: number,
  columnId: number,
): Promise<void> {
  await requireDocument(ctx, documentId);
  const column = await getColumn(ctx, columnId);
  const path = (await columnPath(ctx, columnId)).map((c) => c.id);
  if (!can(actor, "document.edit", { siteId: column.site_id, columnPath: path }))
    throw new ForbiddenError("您没有在该栏目引用文档的权限");
  if (column.type !== "list") throw new UserError("只能引用到列表栏目");
  await ctx.db
    .insertInto("placements")
    .values({ document_id: documentId, column_id: columnId, is_primary: false, placed_by: actor.id })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await indexRecord(ctx.db, "content", String(documentId));
}

export async function removePlacement(
  ctx: AppContext,
  actor: Actor,
  documentId: number,
  columnId: number,
): Promise<void> {
  const placement = await ctx.db
    .selectFrom("placements")
    .selectAll()
    .where("document_id", "=", documentId)
    .where("column_id", "=", columnId)
    .executeTakeFirst();
  if (!placement) throw new NotFoundError("该引用不存在");
  if (placement.is_primary) throw new UserError("不能移除文档的主栏目；如需下线请撤稿");
  const column = await getColumn(ctx, columnId);
  const path = (await columnPath(ctx, columnId)).map((c) => c.id);
  if (!can(actor, "document.edit", { siteId: column.site_id, columnPath: path }))
    throw new ForbiddenError("您没有管理该栏目的权限");
  await ctx.db
    .deleteFrom("placements")
    .where("document_id", "=", documentId)
    .where("column_id", "=", columnId)
    .execute();
  await indexRecord(ctx.db, "content", String(documentId));
}

/* ------------------------------------------------------------------ reading (admin) */

export async function documentForEditing(ctx: AppContext, actor: Actor, documentId: number) {
  const doc = await requireDocument(ctx, documentId);
  const target = await documentTarget(ctx, doc);
  if (!can(actor, "document.edit", target) && !can(actor, "document.review", target))
    throw new ForbiddenError("您没有查看该文档的权限");
  const versions = await ctx.db
    .selectFrom("document_versions")
    .leftJoin("users", "users.id", "document_versions.author_id")
    .selectAll("document_versions")
    .select("users.display_name as author_name")
    .where("document_id", "=", documentId)
    .orderBy("number", "desc")
    .execute();
  const attachments = await ctx.db
    .selectFrom("attachments")
    .selectAll()
    .where("document_id", "=", documentId)
    .orderBy("id")
    .execute();
  const placements = await ctx.db
    .selectFrom("placements")
    .innerJoin("columns", "columns.id", "placements.column_id")
    .innerJoin("sites", "sites.id", "columns.site_id")
    .select([
      "placements.column_id",
      "placements.is_primary",
      "columns.name as column_name",
      "columns.slug",
      "sites.name as site_name",
      "sites.code as site_code",
    ])
    .where("placements.document_id", "=", documentId)
    .orderBy("placements.is_primary", "desc")
    .execute();
  const decisions = await ctx.db
    .selectFrom("review_decisions")
    .innerJoin("users", "users.id", "review_decisions.reviewer_id")
    .selectAll("review_decisions")
    .select("users.display_name as reviewer_name")
    .where("version_id", "in", versions.length ? versions.map((v) => v.id) : [0])
    .orderBy("review_decisions.id", "desc")
    .execute();
  const current = versions[0];
  const actions = current
    ? reviewMachine.available(current.status, await reviewContext(ctx, actor, current))
    : [];
  return {
    doc,
    column: target.column,
    versions,
    attachments,
    placements,
    decisions,
    actions,
    mayEdit: can(actor, "document.edit", target),
    mayPublish: can(actor, "document.publish", target),
  };
}

export async function versionHistory(ctx: AppContext, versionId: number) {
  return eventHistory(ctx.db, reviewMachine.subject, versionId);
}

export interface DiffPart {
  value: string;
  added: boolean;
  removed: boolean;
}

/** Character diff of title and plain-text body between two versions (Chinese has no word breaks). */
export async function diffVersions(ctx: AppContext, documentId: number, fromId: number, toId: number) {
  const [a, b] = await Promise.all([requireVersion(ctx, fromId), requireVersion(ctx, toId)]);
  if (a.document_id !== documentId || b.document_id !== documentId) throw new NotFoundError("版本不存在");
  const text = (v: VersionRow) =>
    `${v.title}\n\n${v.summary ? `${v.summary}\n\n` : ""}${plainText(v.body_html)}`;
  const parts: DiffPart[] = diffChars(text(a), text(b)).map((p) => ({
    value: p.value,
    added: !!p.added,
    removed: !!p.removed,
  }));
  return { from: a, to: b, parts };
}

/** Documents the actor may work on, newest first, optionally only those awaiting their decision. */
export async function listForStaff(
  ctx: AppContext,
  actor: Actor,
  filter: {
    siteId?: number | undefined;
    columnId?: number | undefined;
    /** Part of the latest version's title. */
    title?: string | undefined;
    awaitingReview?: boolean;
    page: number;
    pageSize: number;
  },
) {
  let query = ctx.db
    .selectFrom("documents as d")
    .innerJoin("placements as p", (j) => j.onRef("p.document_id", "=", "d.id").on("p.is_primary", "=", true))
    .innerJoin("columns as c", "c.id", "p.column_id")
    .innerJoin("sites as s", "s.id", "d.site_id")
    .innerJoin(
      (eb) =>
        eb
          .selectFrom("document_versions")
          .distinctOn("document_id")
          .select([
            "document_id",
            "id as version_id",
            "title",
            "status",
            "review_level",
            "created_at as saved_at",
            "author_id",
          ])
          .orderBy("document_id")
          .orderBy("number", "desc")
          .as("v"),
      (j) => j.onRef("v.document_id", "=", "d.id"),
    );
  if (filter.awaitingReview) {
    // the steps this person decides, where they decide them
    const reach = reviewReach(actor);
    if (reach.length === 0) return { rows: [], total: 0 };
    query = query.where((eb) =>
      eb.or(
        reach.map((r) =>
          eb.and([
            ...(r.siteId === null ? [] : [eb("d.site_id", "=", r.siteId)]),
            ...(r.columnId === null ? [] : [eb("p.column_id", "in", descendantsOf([r.columnId]))]),
            ...(r.level === null ? [] : [eb("v.review_level", "=", r.level)]),
          ]),
        ),
      ),
    );
  } else {
    const scope = scopeFor(actor, "document.edit");
    if (!scope.all) {
      const { siteIds, columnIds } = scope;
      if (siteIds.length === 0 && columnIds.length === 0) return { rows: [], total: 0 };
      query = query.where((eb) =>
        eb.or([
          ...(siteIds.length ? [eb("d.site_id", "in", siteIds)] : []),
          ...(columnIds.length ? [eb("p.column_id", "in", descendantsOf(columnIds))] : []),
        ]),
      );
    }
  }
  if (filter.siteId) query = query.where("d.site_id", "=", filter.siteId);
  if (filter.columnId) query = query.where("p.column_id", "=", filter.columnId);
  if (filter.title) query = query.where("v.title", "ilike", `%${escapeLike(filter.title)}%`);
  if (filter.awaitingReview)
    query = query.where("v.status", "=", "in_review").where("v.author_id", "is distinct from", actor.id);
  const total = Number(
    (await query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n,
  );
  const rows = await query
    .select([
      "d.id",
      "d.type",
      "d.live_version_id",
      "d.withdrawn_at",
      "d.first_published_at",
      "d.site_id",
      "p.column_id",
      "v.version_id",
      "v.title",
      "v.status",
      "v.review_level",
      "v.saved_at",
      "c.name as column_name",
      "c.review_steps",
      "s.name as site_name",
    ])
    .orderBy("v.saved_at", "desc")
    .limit(filter.pageSize)
    .offset((filter.page - 1) * filter.pageSize)
    .execute();
  return { rows, total };
}

function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, "\\$&");
}

function descendantsOf(columnIds: number[]) {
  return sql<number>`(with recursive t(id) as (
      select id from columns where id in (${sql.join(columnIds)})
      union select c.id from columns c join t on c.parent_id = t.id)
    select id from t)`;
}

/** Published documents anyone on staff may reference into their own columns. */
export async function searchLiveForPlacement(ctx: AppContext, term: string, limit = 20) {
  return ctx.db
    .selectFrom("documents as d")
    .innerJoin("document_versions as v", "v.id", "d.live_version_id")
    .innerJoin("sites as s", "s.id", "d.site_id")
    .select(["d.id", "v.title", "s.name as site_name", "d.first_published_at"])
    .where("v.title", "ilike", `%${escapeLike(term)}%`)
    .orderBy("d.first_published_at", "desc")
    .limit(limit)
    .execute();
}

export interface LinkChoice {
  value: string;
  label: string;
}

/**
 * What an editor may choose in each "link" field of a type: every published document of the
 * linked type, and the unpublished ones in the editor's own reach (an interpretation is prepared
 * alongside its policy). The current value is always offered, so editing never loses it.
 */
export async function linkChoices(
  ctx: AppContext,
  actor: Actor,
  type: DocumentType,
  selfId: number | null,
  current: Record<string, string> = {},
): Promise<Record<string, LinkChoice[]>> {
  const result: Record<string, LinkChoice[]> = {};
  for (const field of linkFields(type)) {
    if (!field.linkType) continue;
    const scope = scopeFor(actor, "document.edit");
    const rows = await ctx.db
      .selectFrom("documents as d")
      .innerJoin("placements as p", (j) =>
        j.onRef("p.document_id", "=", "d.id").on("p.is_primary", "=", true),
      )
      .innerJoin("sites as s", "s.id", "d.site_id")
      .innerJoin(
        (eb) =>
          eb
            .selectFrom("document_versions")
            .distinctOn("document_id")
            .select(["document_id", "title", "metadata"])
            .orderBy("document_id")
            .orderBy("number", "desc")
            .as("latest"),
        (j) => j.onRef("latest.document_id", "=", "d.id"),
      )
      .leftJoin("document_versions as live", "live.id", "d.live_version_id")
      .select([
        "d.id",
        "d.ref",
        "d.live_version_id",
        "d.first_published_at",
        "s.name as site_name",
        "latest.title as latest_title",
        "latest.metadata as latest_metadata",
        "live.title as live_title",
        "live.metadata as live_metadata",
      ])
      .where("d.type", "=", field.linkType)
      .where("d.id", "!=", selfId ?? 0)
      .where((eb) => {
        const mine = scope.all
          ? [eb.lit(true)]
          : [
              ...(scope.siteIds.length ? [eb("d.site_id", "in", scope.siteIds)] : []),
              ...(scope.columnIds.length ? [eb("p.column_id", "in", descendantsOf(scope.columnIds))] : []),
            ];
        const key = current[field.key];
        return eb.or([
          eb("d.live_version_id", "is not", null),
          ...(mine.length ? [eb.and([eb("d.withdrawn_at", "is", null), eb.or(mine)])] : []),
          ...(key ? [eb("d.ref", "=", key), eb(sql<string>`d.id::text`, "=", key)] : []),
        ]);
      })
      .orderBy(sql`d.first_published_at desc nulls first`)
      .orderBy("d.id", "desc")
      .execute();
    result[field.key] = rows.map((r) => {
      const live = r.live_version_id !== null;
      const title = (live ? r.live_title : r.latest_title) ?? r.latest_title;
      const number = (live ? r.live_metadata : r.latest_metadata)?.doc_number;
      return {
        value: documentKey(r),
        label: `${title}${number ? `（${number}）` : ""}${live ? "" : "【未发布】"} — ${r.site_name}`,
      };
    });
  }
  return result;
}

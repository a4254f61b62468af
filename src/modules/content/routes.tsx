import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Actor } from "../../core/auth/permissions.ts";
import { chinaDay } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { NotFoundError, UserError } from "../../core/errors.ts";
import { adminFrame } from "../../core/http/admin.ts";
import {
  type Form,
  type FormState,
  formProblem,
  queryInt,
  readForm,
  sendPage,
} from "../../core/http/forms.ts";
import { remindersFor } from "../../core/reminders.ts";
import { isInlineType } from "../../core/storage.ts";
import type { AdminFrame } from "../../web/admin-layout.tsx";
import { documentHref } from "../../web/layout.tsx";
import { documentKey, GATE_MESSAGE, GATE_WARNING, publishingNotice } from "../disclosure/catalogue.ts";
import { siteBase } from "../sites/frame.ts";
import { columnsAllowed, getSite, listSites } from "../sites/service.ts";
import { METADATA_FIELDS } from "./metadata.ts";
import { attachmentForDownload, liveDocumentByRef } from "./public.ts";
import { DOCUMENT_TYPES, type DocumentType } from "./schema.ts";
import {
  createDocument,
  type DraftInput,
  decide,
  diffVersions,
  documentForEditing,
  linkChoices,
  listForStaff,
  placeDocument,
  removePlacement,
  restoreVersion,
  saveDraft,
  searchLiveForPlacement,
  submitForReview,
  withdraw,
} from "./service.ts";
import {
  DashboardPage,
  DiffPage,
  DocumentEditorPage,
  DocumentsPage,
  NewDocumentPage,
  PlacementSearchPage,
} from "./views/admin.tsx";

const PAGE_SIZE = 30;

function draftFromForm(form: Form, type: DocumentType): DraftInput {
  const metadata: Record<string, string> = {};
  for (const f of METADATA_FIELDS[type]) metadata[f.key] = form.text(`meta.${f.key}`);
  return {
    title: form.text("title"),
    summary: form.text("summary"),
    bodyHtml: form.text("bodyHtml"),
    metadata,
    attachmentIds: form.all("keepAttachment").map(Number).filter(Number.isInteger),
  };
}

function valuesOf(input: DraftInput): Record<string, string> {
  const values: Record<string, string> = {
    title: input.title,
    summary: input.summary,
    bodyHtml: input.bodyHtml,
  };
  for (const [k, v] of Object.entries(input.metadata)) values[`meta.${k}`] = String(v ?? "");
  return values;
}

/** The metadata among a form's values ("meta.key" → "key"). */
function metadataValues(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([k]) => k.startsWith("meta."))
      .map(([k, v]) => [k.slice(5), v]),
  );
}

/** "2026-12-01T09:30" from a datetime-local field, read as China time. */
function parseLocalDateTime(value: string): Date | null {
  if (!value.trim()) return null;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(value.trim());
  if (!m)
    throw new UserError("定时发布时间格式不正确", 400, { publishAt: "请按“年-月-日 时:分”填写定时发布时间" });
  return new Date(`${m[1]}T${m[2]}:00+08:00`);
}

export async function registerContentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  /* ---------------------------------------------------------- public */
  app.get("/ref/:ref", async (request, reply) => {
    const { ref } = request.params as { ref: string };
    const doc = await liveDocumentByRef(ctx, ref);
    if (doc)
      return reply.redirect(
        `${siteBase({ kind: doc.site_kind, code: doc.site_code })}${documentHref("", doc.id)}`,
        302,
      );
    const site = await ctx.db
      .selectFrom("sites")
      .select(["kind", "code"])
      .where("ref", "=", ref)
      .executeTakeFirst();
    if (site) return reply.redirect(`${siteBase(site)}/`, 302);
    const column = await ctx.db
      .selectFrom("columns")
      .innerJoin("sites", "sites.id", "columns.site_id")
      .select(["columns.slug", "sites.kind", "sites.code"])
      .where("columns.ref", "=", ref)
      .executeTakeFirst();
    if (column) return reply.redirect(`${siteBase(column)}/col/${column.slug}/`, 302);
    const department = await ctx.db
      .selectFrom("sites")
      .innerJoin("departments", "departments.id", "sites.department_id")
      .select(["sites.kind", "sites.code"])
      .where("departments.ref", "=", ref)
      .executeTakeFirst();
    if (department) return reply.redirect(`${siteBase(department)}/`, 302);
    throw new NotFoundError("未找到该编号对应的公开信息");
  });

  app.get("/files/:id/:name", async (request, reply) => {
    const id = Number((request.params as { id: string }).id);
    const file = Number.isInteger(id) ? await attachmentForDownload(ctx, id) : undefined;
    if (!file) throw new NotFoundError("附件不存在或已撤销");
    const disposition = isInlineType(file.mime) ? "inline" : "attachment";
    return reply
      .header("Content-Type", file.mime)
      .header("Content-Length", String(file.size))
      .header("Content-Disposition", `${disposition}; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      .header("X-Content-Type-Options", "nosniff")
      .header("Content-Security-Policy", "default-src 'none'; sandbox")
      .header("Cache-Control", "public, max-age=3600")
      .header("ETag", `"${file.sha256}"`)
      .send(ctx.files.open(file.storage_key));
  });

  /* ---------------------------------------------------------- admin */
  app.get("/admin", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const awaiting = await listForStaff(ctx, frame.actor, { awaitingReview: true, page: 1, pageSize: 20 });
    const recent = await listForStaff(ctx, frame.actor, { page: 1, pageSize: 10 });
    const reminders = await remindersFor(ctx, frame.actor, chinaDay());
    return sendPage(
      reply,
      <DashboardPage frame={frame} reminders={reminders} drafts={recent.rows} awaiting={awaiting.rows} />,
    );
  });

  const listPage = async (request: FastifyRequest, reply: FastifyReply, awaitingReview: boolean) => {
    const frame = adminFrame(request, reply);
    const query = request.query as { page?: string; site?: string; q?: string };
    const page = queryInt(query.page, 1);
    const filter = {
      siteId: queryInt(query.site, 0, 0) || undefined,
      title: String(query.q ?? "")
        .trim()
        .slice(0, 50),
    };
    const { rows, total } = await listForStaff(ctx, frame.actor, {
      ...filter,
      awaitingReview,
      page,
      pageSize: PAGE_SIZE,
    });
    const path = awaitingReview ? "/admin/reviews" : "/admin/documents";
    // every site is offered: the filter only narrows, the permission check decides what is listed
    const sites = await listSites(ctx);
    const params = (n: number) =>
      new URLSearchParams({
        ...(filter.siteId ? { site: String(filter.siteId) } : {}),
        ...(filter.title ? { q: filter.title } : {}),
        page: String(n),
      });
    return sendPage(
      reply,
      <DocumentsPage
        frame={frame}
        title={awaitingReview ? "待我审核" : "信息管理"}
        section={awaitingReview ? "reviews" : "documents"}
        action={path}
        filter={{ site: filter.siteId ? String(filter.siteId) : "", q: filter.title }}
        sites={sites.map((s) => ({ id: s.id, name: s.name }))}
        rows={rows}
        total={total}
        page={page}
        pages={Math.max(1, Math.ceil(total / PAGE_SIZE))}
        href={(n) => `${path}?${params(n)}`}
      />,
    );
  };
  app.get("/admin/documents", (request, reply) => listPage(request, reply, false));
  app.get("/admin/reviews", (request, reply) => listPage(request, reply, true));

  const editableColumns = (actor: Actor) => columnsAllowed(ctx, actor, "document.edit", ["list", "single"]);
  const chosenType = (value: unknown): DocumentType =>
    DOCUMENT_TYPES.includes(value as DocumentType) ? (value as DocumentType) : "news";

  app.get("/admin/documents/new", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const query = request.query as { type?: string; column?: string; policy?: string };
    const columns = await editableColumns(frame.actor);
    const type = chosenType(query.type);
    // "为本文件撰写政策解读" arrives with the policy chosen
    const policy =
      type === "interpretation" && typeof query.policy === "string" ? query.policy.slice(0, 40) : "";
    const state = {
      values: { columnId: query.column ?? "", ...(policy ? { "meta.policy_ref": policy } : {}) },
    };
    return sendPage(
      reply,
      <NewDocumentPage
        frame={frame}
        state={state}
        columns={columns}
        type={type}
        choices={await linkChoices(ctx, frame.actor, type, null, { policy_ref: policy })}
      />,
    );
  });
  app.post("/admin/documents/new", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const form = readForm(request);
    const type = chosenType(form.text("type"));
    const input = draftFromForm(form, type);
    try {
      const columnId = form.int("columnId");
      if (!columnId) throw new UserError("提交的内容有误", 400, { columnId: "请选择所属栏目" });
      const id = await createDocument(ctx, frame.actor, { ...input, columnId, type }, form.files("files"));
      return reply.redirect(`/admin/documents/${id}?msg=saved`, 303);
    } catch (error) {
      const state = formProblem(error, { ...valuesOf(input), columnId: form.text("columnId") });
      return sendPage(
        reply,
        <NewDocumentPage
          frame={frame}
          state={state}
          columns={await editableColumns(frame.actor)}
          type={type}
          choices={await linkChoices(ctx, frame.actor, type, null, metadataValues(state.values))}
        />,
        400,
      );
    }
  });

  const showEditor = async (
    frame: AdminFrame,
    reply: FastifyReply,
    documentId: number,
    state?: FormState,
    status = 200,
  ) => {
    const data = await documentForEditing(ctx, frame.actor, documentId);
    const latest = data.versions[0];
    const values = state?.values ?? {
      ...(latest
        ? valuesOf({
            title: latest.title,
            summary: latest.summary,
            bodyHtml: latest.body_html,
            metadata: latest.metadata,
            attachmentIds: [],
          })
        : {}),
    };
    const placed = new Set(data.placements.map((p) => p.column_id));
    const placeChoices = (await columnsAllowed(ctx, frame.actor, "document.edit", ["list"])).filter(
      (c) => !placed.has(c.id),
    );
    const site = await getSite(ctx, data.doc.site_id);
    const publicHref = data.doc.live_version_id ? `${siteBase(site)}${documentHref("", data.doc.id)}` : null;
    const notice = latest ? await publishingNotice(ctx.db, data.doc, latest.metadata) : undefined;
    return sendPage(
      reply,
      <DocumentEditorPage
        frame={frame}
        data={data}
        state={{ ...state, values }}
        placeChoices={placeChoices}
        publicHref={publicHref}
        choices={await linkChoices(ctx, frame.actor, data.doc.type, data.doc.id, metadataValues(values))}
        notice={
          notice && {
            ...notice,
            warning: GATE_WARNING,
            refusal: GATE_MESSAGE,
            writeHref: `/admin/documents/new?type=interpretation&policy=${encodeURIComponent(documentKey(data.doc))}`,
          }
        }
      />,
      status,
    );
  };
  const docId = (request: FastifyRequest) => {
    const id = Number((request.params as { id: string }).id);
    if (!Number.isInteger(id) || id <= 0) throw new NotFoundError("文档不存在");
    return id;
  };

  app.get("/admin/documents/:id", async (request, reply) =>
    showEditor(adminFrame(request, reply), reply, docId(request)),
  );
  app.post("/admin/documents/:id", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const id = docId(request);
    const form = readForm(request);
    const doc = await ctx.db.selectFrom("documents").select("type").where("id", "=", id).executeTakeFirst();
    if (!doc) throw new NotFoundError("文档不存在");
    const input = draftFromForm(form, doc.type);
    try {
      await saveDraft(ctx, frame.actor, id, input, form.files("files"));
      return reply.redirect(`/admin/documents/${id}?msg=saved`, 303);
    } catch (error) {
      return showEditor(frame, reply, id, formProblem(error, valuesOf(input)), 400);
    }
  });
  app.post("/admin/documents/:id/submit", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const id = docId(request);
    const form = readForm(request);
    try {
      const version = await submitForReview(ctx, frame.actor, id, parseLocalDateTime(form.text("publishAt")));
      const msg =
        version.status === "in_review"
          ? "submitted"
          : version.publish_at && version.publish_at > new Date()
            ? "scheduled"
            : "published";
      return reply.redirect(`/admin/documents/${id}?msg=${msg}`, 303);
    } catch (error) {
      return showEditor(frame, reply, id, formProblem(error, { publishAt: form.text("publishAt") }), 400);
    }
  });
  app.post("/admin/versions/:id/decide", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const versionId = docId(request);
    const form = readForm(request);
    const decision = form.text("decision") === "reject" ? "reject" : "approve";
    const version = await ctx.db
      .selectFrom("document_versions")
      .select("document_id")
      .where("id", "=", versionId)
      .executeTakeFirst();
    if (!version) throw new NotFoundError("版本不存在");
    try {
      const result = await decide(ctx, frame.actor, versionId, decision, form.text("comment"));
      const msg =
        result.status === "in_review"
          ? "approved"
          : result.status === "rejected"
            ? "rejected"
            : result.publish_at && result.publish_at > new Date()
              ? "scheduled"
              : "published";
      return reply.redirect(`/admin/documents/${version.document_id}?msg=${msg}`, 303);
    } catch (error) {
      return showEditor(
        frame,
        reply,
        version.document_id,
        formProblem(error, { comment: form.text("comment") }),
        400,
      );
    }
  });
  app.post("/admin/documents/:id/withdraw", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const id = docId(request);
    const form = readForm(request);
    try {
      await withdraw(ctx, frame.actor, id, form.text("reason"));
      return reply.redirect(`/admin/documents/${id}?msg=withdrawn`, 303);
    } catch (error) {
      return showEditor(frame, reply, id, formProblem(error, { reason: form.text("reason") }), 400);
    }
  });
  app.post("/admin/documents/:id/restore/:versionId", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const id = docId(request);
    await restoreVersion(ctx, frame.actor, id, Number((request.params as { versionId: string }).versionId));
    return reply.redirect(`/admin/documents/${id}?msg=restored`, 303);
  });
  app.post("/admin/documents/:id/placements", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const id = docId(request);
    const columnId = readForm(request).int("columnId");
    try {
      if (!columnId) throw new UserError("提交的内容有误", 400, { columnId: "请选择要引用到的栏目" });
      await placeDocument(ctx, frame.actor, id, columnId);
      return reply.redirect(`/admin/documents/${id}?msg=placed`, 303);
    } catch (error) {
      return showEditor(frame, reply, id, formProblem(error, {}), 400);
    }
  });
  app.post("/admin/documents/:id/placements/:columnId/delete", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const id = docId(request);
    await removePlacement(ctx, frame.actor, id, Number((request.params as { columnId: string }).columnId));
    return reply.redirect(`/admin/documents/${id}?msg=unplaced`, 303);
  });
  app.get("/admin/placements", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const query = request.query as { column?: string; q?: string };
    const term = String(query.q ?? "")
      .trim()
      .slice(0, 50);
    const columns = await columnsAllowed(ctx, frame.actor, "document.edit", ["list"]);
    const results = term ? await searchLiveForPlacement(ctx, term) : [];
    return sendPage(
      reply,
      <PlacementSearchPage
        frame={frame}
        columns={columns}
        columnId={String(query.column ?? "")}
        term={term}
        results={results}
      />,
    );
  });
  app.post("/admin/placements", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const form = readForm(request);
    const documentId = form.int("documentId");
    const columnId = form.int("columnId");
    if (!documentId || !columnId) throw new UserError("请选择要引用的信息和栏目");
    await placeDocument(ctx, frame.actor, documentId, columnId);
    return reply.redirect(`/admin/placements?column=${columnId}&msg=placed`, 303);
  });
  app.get("/admin/documents/:id/diff", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const id = docId(request);
    await documentForEditing(ctx, frame.actor, id);
    const query = request.query as { from?: string; to?: string };
    const { from, to, parts } = await diffVersions(
      ctx,
      id,
      queryInt(query.from, 0, 0),
      queryInt(query.to, 0, 0),
    );
    return sendPage(
      reply,
      <DiffPage frame={frame} documentId={id} fromNumber={from.number} toNumber={to.number} parts={parts} />,
    );
  });
}

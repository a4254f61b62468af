import { sql } from "kysely";
import type { AppContext } from "../../core/context.ts";
import type { DocumentType } from "./schema.ts";

/**
 * Reading for public pages. Everything here goes through documents.live_version_id, which only
 * ever points at an approved version whose time has come: drafts and pending versions cannot leak.
 */
function liveDocuments(ctx: AppContext) {
  return ctx.db
    .selectFrom("documents as d")
    .innerJoin("document_versions as v", "v.id", "d.live_version_id")
    .innerJoin("sites as owner", "owner.id", "d.site_id")
    .leftJoin("departments as dep", "dep.id", "d.department_id");
}

const SUMMARY_FIELDS = [
  "d.id",
  "d.ref",
  "d.type",
  "v.title",
  "v.summary",
  "d.first_published_at",
  "owner.name as owner_name",
] as const;

export interface LiveSummary {
  id: number;
  ref: string | null;
  type: string;
  title: string;
  summary: string;
  first_published_at: Date | null;
  owner_name: string;
}

/** Placements of public documents, newest first: an index range scan (see migration 0026). */
function newestPlacements(ctx: AppContext) {
  return ctx.db
    .selectFrom("placements")
    .where("live", "=", true)
    .orderBy("published_at", "desc")
    .orderBy("document_id", "desc");
}

function summariesOf(ctx: AppContext, ids: { document_id: number }[]): Promise<LiveSummary[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return liveDocuments(ctx)
    .select(SUMMARY_FIELDS)
    .where(
      "d.id",
      "in",
      ids.map((r) => r.document_id),
    )
    .orderBy("d.first_published_at", "desc")
    .orderBy("d.id", "desc")
    .execute();
}

export async function listLiveInColumn(
  ctx: AppContext,
  columnId: number,
  page: number,
  pageSize: number,
): Promise<{ rows: LiveSummary[]; total: number }> {
  const total = Number(
    (
      await ctx.db
        .selectFrom("placements")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("column_id", "=", columnId)
        .where("live", "=", true)
        .executeTakeFirstOrThrow()
    ).n,
  );
  const ids = await newestPlacements(ctx)
    .select("document_id")
    .where("column_id", "=", columnId)
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return { rows: await summariesOf(ctx, ids), total };
}

/** Latest documents shown anywhere in a site (own and referenced), for its home page. */
export async function latestInSite(ctx: AppContext, siteId: number, limit: number) {
  const ids = await newestPlacements(ctx)
    .select("document_id")
    .distinctOn(["published_at", "document_id"])
    .where("site_id", "=", siteId)
    .limit(limit)
    .execute();
  return summariesOf(ctx, ids);
}

/** A live document as shown in `siteId`; undefined when it is not public or not placed in that site. */
export async function liveDocumentInSite(ctx: AppContext, documentId: number, siteId: number) {
  const doc = await liveDocuments(ctx)
    .select([
      "d.id",
      "d.ref",
      "d.type",
      "d.site_id",
      "d.first_published_at",
      "d.live_changed_at",
      "d.index_no",
      "v.id as version_id",
      "v.title",
      "v.summary",
      "v.body_html",
      "v.metadata",
      "v.attachment_ids",
      "owner.name as owner_name",
      "owner.code as owner_code",
      "owner.kind as owner_kind",
      "dep.name as department_name",
    ])
    .where("d.id", "=", documentId)
    .executeTakeFirst();
  if (!doc) return undefined;
  const placements = await ctx.db
    .selectFrom("placements as p")
    .innerJoin("columns as c", "c.id", "p.column_id")
    .select(["c.id", "c.site_id", "p.is_primary"])
    .where("p.document_id", "=", documentId)
    .execute();
  const here = placements
    .filter((p) => p.site_id === siteId)
    .sort((a, b) => Number(b.is_primary) - Number(a.is_primary))[0];
  if (!here) return undefined;
  const attachments = doc.attachment_ids.length
    ? await ctx.db
        .selectFrom("attachments")
        .select(["id", "filename", "mime", "size"])
        .where("id", "in", doc.attachment_ids)
        .orderBy("id")
        .execute()
    : [];
  const links = await documentLinks(ctx, doc, siteId);
  return { ...doc, columnId: here.id, attachments, links };
}

/** A public document another one links to, with where it can be read from the current site. */
export interface LinkedDocument {
  id: number;
  title: string;
  type: string;
  first_published_at: Date | null;
  metadata: Record<string, string>;
  /** Placed in the current site: link within it; otherwise link to the owning site. */
  here: boolean;
  owner_kind: string;
  owner_code: string;
}

export interface DocumentLinks {
  /** For a policy: its public interpretations (相关解读). */
  interpretations: LinkedDocument[];
  /** For an interpretation: the policy it interprets (相关政策). */
  policy: LinkedDocument | undefined;
  /** For a policy that is no longer valid: the document that replaced it. */
  replacedBy: LinkedDocument | undefined;
  /** For a policy: the documents it replaced (reverse of replaced_by). */
  replaces: LinkedDocument[];
}

/**
 * The typed links between public documents, resolved both ways. Links live in the versioned
 * metadata (an interpretation's policy_ref, a policy's replaced_by) as the target's ref or id;
 * only public documents are ever shown.
 */
export async function documentLinks(
  ctx: AppContext,
  doc: { id: number; ref: string | null; type: string; metadata: Record<string, string> },
  siteId: number,
): Promise<DocumentLinks> {
  const links: DocumentLinks = {
    interpretations: [],
    policy: undefined,
    replacedBy: undefined,
    replaces: [],
  };
  const keys = [String(doc.id), ...(doc.ref ? [doc.ref] : [])];
  const linked = () =>
    liveDocuments(ctx)
      .select([
        "d.id",
        "d.type",
        "v.title",
        "v.metadata",
        "d.first_published_at",
        "owner.kind as owner_kind",
        "owner.code as owner_code",
        sql<boolean>`exists (select 1 from placements lp join columns lc on lc.id = lp.column_id
          where lp.document_id = d.id and lc.site_id = ${siteId})`.as("here"),
      ])
      .orderBy("d.first_published_at")
      .orderBy("d.id");
  const byKey = (key: string, type: DocumentType) =>
    linked()
      .where("d.type", "=", type)
      .where((eb) =>
        /^\d+$/.test(key)
          ? eb.or([eb("d.ref", "=", key), eb("d.id", "=", Number(key))])
          : eb("d.ref", "=", key),
      )
      .executeTakeFirst();
  if (doc.type === "policy") {
    links.interpretations = await linked()
      .where("d.type", "=", "interpretation")
      .where(sql<string>`v.metadata->>'policy_ref'`, "in", keys)
      .execute();
    links.replaces = await linked()
      .where("d.type", "=", "policy")
      .where(sql<string>`v.metadata->>'replaced_by'`, "in", keys)
      .execute();
    if (doc.metadata.replaced_by) links.replacedBy = await byKey(doc.metadata.replaced_by, "policy");
  }
  if (doc.type === "interpretation" && doc.metadata.policy_ref)
    links.policy = await byKey(doc.metadata.policy_ref, "policy");
  return links;
}

/** The only live document of a single-page column (the newest one if several were placed). */
export async function singlePageDocument(ctx: AppContext, columnId: number) {
  const row = await liveDocuments(ctx)
    .innerJoin("placements as p", "p.document_id", "d.id")
    .select("d.id")
    .where("p.column_id", "=", columnId)
    .orderBy("d.first_published_at", "desc")
    .executeTakeFirst();
  return row?.id;
}

/** Where `/ref/{ref}` leads: the document in its own site. */
export async function liveDocumentByRef(ctx: AppContext, ref: string) {
  return liveDocuments(ctx)
    .select(["d.id", "owner.code as site_code", "owner.kind as site_kind"])
    .where("d.ref", "=", ref)
    .executeTakeFirst();
}

export async function attachmentForDownload(ctx: AppContext, attachmentId: number) {
  // an attachment is downloadable only while a live version lists it
  return (
    ctx.db
      .selectFrom("attachments as a")
      .innerJoin("documents as d", "d.id", "a.document_id")
      .innerJoin("document_versions as v", "v.id", "d.live_version_id")
      .select(["a.id", "a.filename", "a.mime", "a.size", "a.storage_key", "a.sha256", "a.created_at"])
      .where("a.id", "=", attachmentId)
      .where((eb) => eb(eb.val(attachmentId), "=", eb.fn.any("v.attachment_ids")))
      // 依申请公开: the catalogue entry is public, the text and its files are provided on application
      .where(sql<string>`coalesce(v.metadata->>'disclosure', '主动公开')`, "=", "主动公开")
      .executeTakeFirst()
  );
}

/** Every live document shown in a site, for sitemap.xml and the static mirror. */
export async function liveInSiteForSitemap(ctx: AppContext, siteId: number) {
  return liveDocuments(ctx)
    .innerJoin("placements as p", "p.document_id", "d.id")
    .innerJoin("columns as c", "c.id", "p.column_id")
    .select(["d.id", "d.live_changed_at"])
    .distinct()
    .where("c.site_id", "=", siteId)
    .orderBy("d.id")
    .execute();
}

/** A document that was public once and has been withdrawn (撤稿): answered with 410 Gone. */
export async function withdrawnDocument(ctx: AppContext, documentId: number) {
  return ctx.db
    .selectFrom("documents")
    .select(["id", "withdrawn_at"])
    .where("id", "=", documentId)
    .where("live_version_id", "is", null)
    .where("withdrawn_at", "is not", null)
    .executeTakeFirst();
}

/** Titles of live documents by corpus ref, for modules that cite them (a service guide's 相关政策). */
export async function liveTitlesByRef(ctx: AppContext, refs: string[]) {
  if (refs.length === 0) return [];
  return liveDocuments(ctx)
    .select(["d.ref", "v.title"])
    .where("d.ref", "in", refs)
    .orderBy("d.ref")
    .execute();
}

/** The columns of `siteId` a document is placed in, live or not (the static mirror re-renders their lists). */
export async function columnsPlacing(ctx: AppContext, documentId: number, siteId: number) {
  return ctx.db
    .selectFrom("placements as p")
    .innerJoin("columns as c", "c.id", "p.column_id")
    .select(["c.id", "c.slug", "c.type"])
    .where("p.document_id", "=", documentId)
    .where("c.site_id", "=", siteId)
    .execute();
}

import { sql } from "kysely";
import { chinaDay } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { POLICY_THEMES, VALIDITY } from "../content/metadata.ts";
import type { Site } from "../sites/schema.ts";

/**
 * 政策文件库: the public, filterable catalogue of live policies. The portal shows the whole
 * cluster's; a department or topic site shows those placed in its own columns (its own policies
 * and the ones it references). Only live versions are read, so drafts never leak.
 */
export const SORTS = {
  "published-desc": "发布日期（从新到旧）",
  "published-asc": "发布日期（从旧到新）",
  "written-desc": "成文日期（从新到旧）",
  "written-asc": "成文日期（从旧到新）",
} as const;
export type LibrarySort = keyof typeof SORTS;

export interface LibraryFilter {
  /** A year of 成文日期 or 发布日期, per `yearOf`. */
  year: number | undefined;
  yearOf: "written" | "published";
  /** 发文机关: a department, matched as the publishing department or a named co-issuer. */
  issuer: number | undefined;
  theme: string | undefined;
  validity: string | undefined;
  /** Words to find in the title, 文号 or 索引号 (all of them, anywhere). */
  q: string;
  sort: LibrarySort;
  page: number;
  pageSize: number;
}

/** Reads a filter from a query string, ignoring anything malformed (a search page never errors). */
export function parseLibraryQuery(query: Record<string, unknown>, pageSize = 20): LibraryFilter {
  const text = (key: string, max = 50) =>
    typeof query[key] === "string" ? (query[key] as string).trim().slice(0, max) : "";
  const int = (key: string) => (/^\d{1,9}$/.test(text(key)) ? Number(text(key)) : undefined);
  const year = int("year");
  const sort = text("sort") as LibrarySort;
  const validity = text("validity");
  return {
    year: year && year >= 1949 && year <= 2100 ? year : undefined,
    yearOf: text("yearOf") === "published" ? "published" : "written",
    issuer: int("issuer") || undefined,
    theme: text("theme", 40) || undefined,
    validity: (VALIDITY as readonly string[]).includes(validity) ? validity : undefined,
    q: text("q"),
    sort: sort in SORTS ? sort : "published-desc",
    page: Math.min(Math.max(int("page") ?? 1, 1), 10_000),
    pageSize,
  };
}

/** The query string of a filter (for paging links), leaving out defaults. */
export function libraryQueryString(f: LibraryFilter, page: number): string {
  const params = new URLSearchParams();
  if (f.year) params.set("year", String(f.year));
  if (f.year && f.yearOf !== "written") params.set("yearOf", f.yearOf);
  if (f.issuer) params.set("issuer", String(f.issuer));
  if (f.theme) params.set("theme", f.theme);
  if (f.validity) params.set("validity", f.validity);
  if (f.q) params.set("q", f.q);
  if (f.sort !== "published-desc") params.set("sort", f.sort);
  if (page > 1) params.set("page", String(page));
  const s = params.toString();
  return s ? `?${s}` : "";
}

function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, "\\$&");
}

function livePolicies(ctx: AppContext, site: Site) {
  let query = ctx.db
    .selectFrom("documents as d")
    .innerJoin("document_versions as v", "v.id", "d.live_version_id")
    .innerJoin("sites as owner", "owner.id", "d.site_id")
    .where("d.type", "=", "policy");
  if (site.kind !== "portal") {
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom("placements as p")
          .innerJoin("columns as c", "c.id", "p.column_id")
          .select("p.document_id")
          .whereRef("p.document_id", "=", "d.id")
          .where("c.site_id", "=", site.id),
      ),
    );
  }
  return query;
}

// the key as a literal, not a parameter: GROUP BY and ORDER BY must repeat the select's expression
const meta = (key: string) => sql<string>`v.metadata->>${sql.lit(key)}`;
/** 有效性 today: 有效 with its 有效期 run out reads as 失效 (as validityOn in content/metadata.ts). */
const validityToday = () =>
  sql<string>`case when v.metadata->>'validity' = '有效' and v.metadata->>'valid_to' < ${chinaDay()}
    then '失效' else v.metadata->>'validity' end`;
const publishedYear = sql<number>`extract(year from d.first_published_at at time zone 'Asia/Shanghai')::int`;

export interface LibraryRow {
  id: number;
  index_no: string | null;
  title: string;
  summary: string;
  doc_number: string | null;
  issuer: string | null;
  written_date: string | null;
  validity: string | null;
  first_published_at: Date | null;
  here: boolean;
  owner_kind: string;
  owner_code: string;
}

export async function searchLibrary(
  ctx: AppContext,
  site: Site,
  f: LibraryFilter,
): Promise<{ rows: LibraryRow[]; total: number }> {
  let query = livePolicies(ctx, site);
  if (f.year) {
    query =
      f.yearOf === "published"
        ? query.where(publishedYear, "=", f.year)
        : query.where(sql<string>`left(v.metadata->>'written_date', 4)`, "=", String(f.year));
  }
  if (f.issuer) {
    const issuer = f.issuer;
    // the publishing department, or a department named among the joint issuers (联合发文)
    query = query.where((eb) =>
      eb.or([
        eb("d.department_id", "=", issuer),
        eb.exists(
          eb
            .selectFrom("departments as x")
            .select("x.id")
            .where("x.id", "=", issuer)
            .where(sql<boolean>`x.name = any(string_to_array(v.metadata->>'issuer', '、'))`),
        ),
      ]),
    );
  }
  if (f.theme) query = query.where(meta("theme"), "=", f.theme);
  if (f.validity) query = query.where(validityToday(), "=", f.validity);
  for (const word of f.q.split(/\s+/).filter(Boolean).slice(0, 5)) {
    const like = `%${escapeLike(word)}%`;
    query = query.where((eb) =>
      eb.or([
        eb("v.title", "ilike", like),
        eb(meta("doc_number"), "ilike", like),
        eb("d.index_no", "ilike", like),
      ]),
    );
  }
  const total = Number(
    (await query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n,
  );
  const [by, direction] = f.sort.split("-") as ["published" | "written", "asc" | "desc"];
  let ordered = query.select([
    "d.id",
    "d.index_no",
    "v.title",
    "v.summary",
    meta("doc_number").as("doc_number"),
    meta("issuer").as("issuer"),
    meta("written_date").as("written_date"),
    validityToday().as("validity"),
    "d.first_published_at",
    "owner.kind as owner_kind",
    "owner.code as owner_code",
    sql<boolean>`exists (select 1 from placements hp join columns hc on hc.id = hp.column_id
      where hp.document_id = d.id and hc.site_id = ${site.id})`.as("here"),
  ]);
  ordered =
    by === "written"
      ? ordered.orderBy(meta("written_date"), direction).orderBy("d.first_published_at", direction)
      : ordered.orderBy("d.first_published_at", direction).orderBy(meta("written_date"), direction);
  const rows = await ordered
    .orderBy("d.id", direction)
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize)
    .execute();
  return { rows, total };
}

function themeRank(name: string): number {
  const i = (POLICY_THEMES as readonly string[]).indexOf(name);
  return i < 0 ? POLICY_THEMES.length : i;
}

export interface LibraryFacets {
  years: number[];
  issuers: { id: number; name: string; count: number }[];
  themes: { name: string; count: number }[];
}

/** What the filter form offers: the years, issuing departments and themes that occur in this library. */
export async function libraryFacets(ctx: AppContext, site: Site): Promise<LibraryFacets> {
  const base = livePolicies(ctx, site);
  const [written, published, issuers, themes] = await Promise.all([
    base.select(sql<string>`left(v.metadata->>'written_date', 4)`.as("y")).distinct().execute(),
    base.select(publishedYear.as("y")).distinct().execute(),
    base
      .innerJoin("departments as dep", (j) =>
        j.on((eb) =>
          eb.or([
            eb("dep.id", "=", eb.ref("d.department_id")),
            eb(sql<string>`dep.name`, "=", sql<string>`any(string_to_array(v.metadata->>'issuer', '、'))`),
          ]),
        ),
      )
      .select(["dep.id", "dep.name", (eb) => eb.fn.count<number>("d.id").distinct().as("count")])
      .groupBy(["dep.id", "dep.name"])
      .orderBy("dep.id")
      .execute(),
    base
      .select([meta("theme").as("name"), (eb) => eb.fn.countAll<number>().as("count")])
      .where(meta("theme"), "is not", null)
      .groupBy(meta("theme"))
      .orderBy(meta("theme"))
      .execute(),
  ]);
  const years = new Set<number>();
  for (const r of [...written, ...published]) {
    const y = Number(r.y);
    if (Number.isInteger(y) && y > 0) years.add(y);
  }
  return {
    years: [...years].sort((a, b) => b - a),
    issuers: issuers.map((r) => ({ id: r.id, name: r.name, count: Number(r.count) })),
    // in the order of the national classification; anything else after it
    themes: themes
      .map((r) => ({ name: r.name, count: Number(r.count) }))
      .sort((a, b) => themeRank(a.name) - themeRank(b.name)),
  };
}

import { type Action, type Actor, can } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { NotFoundError, Problems, UserError } from "../../core/errors.ts";
import {
  COLUMN_KINDS,
  type Column,
  type ColumnKind,
  NATIONAL_COLUMN_TYPES,
  type Site,
  type SiteSettings,
} from "./schema.ts";

export async function listSites(ctx: AppContext): Promise<Site[]> {
  return ctx.db.selectFrom("sites").selectAll().orderBy("position").orderBy("id").execute();
}

export async function portalSite(ctx: AppContext): Promise<Site | undefined> {
  return ctx.db.selectFrom("sites").selectAll().where("kind", "=", "portal").executeTakeFirst();
}

export async function siteByCode(ctx: AppContext, code: string): Promise<Site | undefined> {
  return ctx.db.selectFrom("sites").selectAll().where("code", "=", code).executeTakeFirst();
}

export async function siteByHost(ctx: AppContext, host: string): Promise<Site | undefined> {
  return ctx.db.selectFrom("sites").selectAll().where("host", "=", host.toLowerCase()).executeTakeFirst();
}

export async function getSite(ctx: AppContext, id: number): Promise<Site> {
  const site = await ctx.db.selectFrom("sites").selectAll().where("id", "=", id).executeTakeFirst();
  if (!site) throw new NotFoundError("站点不存在");
  return site;
}

export interface SiteInput {
  code: string;
  name: string;
  kind: string;
  host: string;
  departmentId: number | null;
  settings: SiteSettings;
}

function checkSite(input: SiteInput): Problems {
  const problems = new Problems();
  if (!/^[a-z][a-z0-9-]{1,30}$/.test(input.code))
    problems.add("code", "站点代码为 2—31 位小写字母、数字或连字符，以字母开头");
  if (!input.name.trim() || input.name.length > 60) problems.add("name", "请填写站点名称（不超过 60 字）");
  if (!["portal", "department", "topic"].includes(input.kind)) problems.add("kind", "请选择站点类型");
  if (input.host && !/^[a-z0-9.-]+(:\d+)?$/.test(input.host))
    problems.add("host", "域名只能包含小写字母、数字、点和连字符");
  const idCode = input.settings.idCode ?? "";
  if (idCode && !/^(\d{10}|bm\d{8})$/.test(idCode))
    problems.add("idCode", "网站标识码为 10 位数字或 bm 加 8 位数字");
  return problems;
}

function siteRow(input: SiteInput) {
  return {
    code: input.code,
    name: input.name.trim(),
    kind: input.kind as Site["kind"],
    host: input.host || null,
    department_id: input.departmentId,
    settings: JSON.stringify(input.settings) as unknown as SiteSettings,
  };
}

export async function createSite(ctx: AppContext, input: SiteInput): Promise<number> {
  checkSite(input).throwIfAny();
  await assertUniqueSite(ctx, input, null);
  const row = await ctx.db
    .insertInto("sites")
    .values(siteRow(input))
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateSite(ctx: AppContext, id: number, input: SiteInput): Promise<void> {
  checkSite(input).throwIfAny();
  await assertUniqueSite(ctx, input, id);
  await ctx.db.updateTable("sites").set(siteRow(input)).where("id", "=", id).execute();
}

async function assertUniqueSite(ctx: AppContext, input: SiteInput, id: number | null): Promise<void> {
  const clash = await ctx.db
    .selectFrom("sites")
    .select(["id", "code", "host", "kind"])
    .where((eb) =>
      eb.or([
        eb("code", "=", input.code),
        ...(input.host ? [eb("host", "=", input.host)] : []),
        ...(input.kind === "portal" ? [eb("kind", "=", "portal")] : []),
      ]),
    )
    .execute();
  const other = clash.filter((s) => s.id !== id);
  const problems = new Problems();
  if (other.some((s) => s.code === input.code)) problems.add("code", "该站点代码已被使用");
  if (input.host && other.some((s) => s.host === input.host)) problems.add("host", "该域名已绑定到其他站点");
  if (input.kind === "portal" && other.some((s) => s.kind === "portal"))
    problems.add("kind", "集约化平台只能有一个门户网站");
  problems.throwIfAny();
}

/* ---------------------------------------------------------------- columns (栏目) */

export async function columnsOf(ctx: AppContext, siteId: number): Promise<Column[]> {
  return ctx.db
    .selectFrom("columns")
    .selectAll()
    .where("site_id", "=", siteId)
    .orderBy("position")
    .orderBy("id")
    .execute();
}

export async function getColumn(ctx: AppContext, id: number): Promise<Column> {
  const column = await ctx.db.selectFrom("columns").selectAll().where("id", "=", id).executeTakeFirst();
  if (!column) throw new NotFoundError("栏目不存在");
  return column;
}

export async function columnBySlug(
  ctx: AppContext,
  siteId: number,
  slug: string,
): Promise<Column | undefined> {
  return ctx.db
    .selectFrom("columns")
    .selectAll()
    .where("site_id", "=", siteId)
    .where("slug", "=", slug)
    .executeTakeFirst();
}

/** The column and its ancestors, nearest first (used for breadcrumbs and column-scoped grants). */
export async function columnPath(ctx: AppContext, columnId: number): Promise<Column[]> {
  const path: Column[] = [];
  let next: number | null = columnId;
  while (next !== null && path.length < 20) {
    const column = await getColumn(ctx, next);
    path.push(column);
    next = column.parent_id;
  }
  return path;
}

export interface ColumnNode extends Column {
  children: ColumnNode[];
}

export function buildTree(columns: Column[]): ColumnNode[] {
  const nodes = new Map(columns.map((c) => [c.id, { ...c, children: [] as ColumnNode[] }]));
  const roots: ColumnNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent_id === null ? undefined : nodes.get(node.parent_id);
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

export interface ColumnInput {
  siteId: number;
  parentId: number | null;
  slug: string;
  name: string;
  type: string;
  columnType: string;
  description: string;
  keywords: string;
  linkUrl: string;
  updateDays: number | null;
  reviewSteps: string[];
  position: number;
  inNav: boolean;
}

async function checkColumn(ctx: AppContext, input: ColumnInput, id: number | null): Promise<void> {
  const problems = new Problems();
  if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(input.slug))
    problems.add("slug", "栏目路径为小写字母、数字或连字符（不超过 41 位）");
  if (!input.name.trim() || input.name.length > 40) problems.add("name", "请填写栏目名称（不超过 40 字）");
  if (!COLUMN_KINDS.includes(input.type as ColumnKind)) problems.add("type", "请选择栏目类型");
  if (input.columnType && !(NATIONAL_COLUMN_TYPES as readonly string[]).includes(input.columnType)) {
    problems.add("columnType", "栏目分类须取自《政府网站发展指引》规定的栏目类型");
  }
  if (input.type === "link" && !/^(https?:\/\/|\/)/.test(input.linkUrl))
    problems.add("linkUrl", "外链栏目须填写以 http(s):// 或 / 开头的链接地址");
  if (input.updateDays !== null && !(Number.isInteger(input.updateDays) && input.updateDays > 0)) {
    problems.add("updateDays", "更新周期应为正整数（天）");
  }
  if (input.reviewSteps.length > 3) problems.add("reviewSteps", "审核流程最多 3 级");
  if (input.reviewSteps.some((s) => s.length > 20)) problems.add("reviewSteps", "每级审核名称不超过 20 字");
  if (input.parentId !== null) {
    const parent = await ctx.db
      .selectFrom("columns")
      .select(["site_id"])
      .where("id", "=", input.parentId)
      .executeTakeFirst();
    if (!parent || parent.site_id !== input.siteId) problems.add("parentId", "上级栏目不属于本站点");
    if (id !== null && (await columnPath(ctx, input.parentId)).some((c) => c.id === id)) {
      problems.add("parentId", "不能把栏目移到它自己或它的下级栏目之下");
    }
  }
  const clash = await ctx.db
    .selectFrom("columns")
    .select("id")
    .where("site_id", "=", input.siteId)
    .where("slug", "=", input.slug)
    .executeTakeFirst();
  if (clash && clash.id !== id) problems.add("slug", "本站点已有相同路径的栏目");
  problems.throwIfAny();
}

function columnValues(input: ColumnInput) {
  return {
    site_id: input.siteId,
    parent_id: input.parentId,
    slug: input.slug,
    name: input.name.trim(),
    type: input.type as ColumnKind,
    column_type: input.columnType,
    description: input.description.trim(),
    keywords: input.keywords.trim(),
    link_url: input.type === "link" ? input.linkUrl : null,
    update_days: input.updateDays,
    review_steps: input.reviewSteps,
    position: input.position,
    in_nav: input.inNav,
  };
}

export async function createColumn(ctx: AppContext, input: ColumnInput): Promise<number> {
  await checkColumn(ctx, input, null);
  const row = await ctx.db
    .insertInto("columns")
    .values(columnValues(input))
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateColumn(ctx: AppContext, id: number, input: ColumnInput): Promise<void> {
  const current = await getColumn(ctx, id);
  if (current.site_id !== input.siteId) throw new UserError("栏目不能移动到其他站点");
  await checkColumn(ctx, input, id);
  await ctx.db.updateTable("columns").set(columnValues(input)).where("id", "=", id).execute();
}

export async function deleteColumn(ctx: AppContext, id: number): Promise<void> {
  const child = await ctx.db
    .selectFrom("columns")
    .select("id")
    .where("parent_id", "=", id)
    .executeTakeFirst();
  if (child) throw new UserError("该栏目下还有子栏目，请先删除或移动子栏目");
  const placed = await ctx.db
    .selectFrom("placements")
    .select("document_id")
    .where("column_id", "=", id)
    .executeTakeFirst();
  if (placed) throw new UserError("该栏目下还有文档，请先移走文档");
  await ctx.db.deleteFrom("columns").where("id", "=", id).execute();
}

export async function listDepartments(ctx: AppContext) {
  return ctx.db.selectFrom("departments").selectAll().orderBy("id").execute();
}

export async function getAppState<T>(ctx: AppContext, key: string): Promise<T | undefined> {
  const row = await ctx.db.selectFrom("app_state").select("value").where("key", "=", key).executeTakeFirst();
  return row?.value as T | undefined;
}

export async function setAppState(ctx: AppContext, key: string, value: unknown): Promise<void> {
  await ctx.db
    .insertInto("app_state")
    .values({ key, value: JSON.stringify(value) })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({ value: JSON.stringify(value), updated_at: new Date() }),
    )
    .execute();
}

/** Columns of every site where the actor may do `action`, labelled "站点 / 上级 / 栏目". */
export async function columnsAllowed(
  ctx: AppContext,
  actor: Actor,
  action: Action,
  kinds: readonly ColumnKind[],
) {
  const sites = await listSites(ctx);
  const all = await ctx.db
    .selectFrom("columns")
    .selectAll()
    .orderBy("site_id")
    .orderBy("position")
    .orderBy("id")
    .execute();
  const byId = new Map(all.map((c) => [c.id, c]));
  const pathOf = (c: Column): Column[] => {
    const path: Column[] = [];
    for (
      let x: Column | undefined = c;
      x && path.length < 20;
      x = x.parent_id === null ? undefined : byId.get(x.parent_id)
    )
      path.push(x);
    return path;
  };
  return sites.flatMap((site) =>
    all
      .filter((c) => c.site_id === site.id && kinds.includes(c.type))
      .filter((c) => can(actor, action, { siteId: site.id, columnPath: pathOf(c).map((p) => p.id) }))
      .map((c) => ({
        id: c.id,
        siteId: site.id,
        label: [
          site.name,
          ...pathOf(c)
            .reverse()
            .map((p) => p.name),
        ].join(" / "),
      })),
  );
}

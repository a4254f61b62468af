import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import { can, scopeFor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError } from "../../core/errors.ts";
import { adminFrame } from "../../core/http/admin.ts";
import { type Form, type FormState, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import type { AdminFrame } from "../../web/admin-layout.tsx";
import type { Site } from "./schema.ts";
import {
  buildTree,
  type ColumnInput,
  columnsOf,
  createColumn,
  createSite,
  deleteColumn,
  getColumn,
  getSite,
  listDepartments,
  listSites,
  type SiteInput,
  updateColumn,
  updateSite,
} from "./service.ts";
import {
  ColumnPage,
  ColumnsPage,
  columnValues,
  SiteFormPage,
  SitesPage,
  siteValues,
} from "./views/admin.tsx";

const SETTING_KEYS = [
  "idCode",
  "icp",
  "psb",
  "sponsor",
  "organizer",
  "phone",
  "address",
  "email",
  "domain",
  "description",
] as const;

function siteInput(form: Form): SiteInput {
  const settings: Record<string, string> = {};
  for (const key of SETTING_KEYS) {
    const value = form.text(key).trim();
    if (value) settings[key] = value;
  }
  return {
    code: form.text("code").trim(),
    name: form.text("name"),
    kind: form.text("kind"),
    host: form.text("host").trim().toLowerCase(),
    departmentId: form.int("departmentId"),
    settings,
  };
}

function formValues(form: Form, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, form.text(k)]));
}

function columnInput(form: Form, siteId: number): ColumnInput {
  const updateDays = form.text("updateDays").trim();
  return {
    siteId,
    parentId: form.int("parentId"),
    slug: form.text("slug").trim(),
    name: form.text("name"),
    type: form.text("type"),
    columnType: form.text("columnType"),
    description: form.text("description"),
    keywords: form.text("keywords"),
    linkUrl: form.text("linkUrl").trim(),
    updateDays: updateDays ? Number(updateDays) : null,
    reviewSteps: [form.text("step1"), form.text("step2"), form.text("step3")]
      .map((s) => s.trim())
      .filter(Boolean),
    position: form.int("position") ?? 0,
    inNav: form.text("inNav") === "1",
  };
}

const COLUMN_FORM_KEYS = [
  "parentId",
  "slug",
  "name",
  "type",
  "columnType",
  "description",
  "keywords",
  "linkUrl",
  "updateDays",
  "step1",
  "step2",
  "step3",
  "position",
  "inNav",
];

export async function registerSiteAdminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const departments = async () => (await listDepartments(ctx)).map((d) => ({ id: d.id, name: d.name }));
  const managedSite = async (
    request: FastifyRequest,
    reply: FastifyReply,
    siteId: number,
  ): Promise<{ frame: AdminFrame; site: Site }> => {
    const frame = adminFrame(request, reply);
    const site = await getSite(ctx, siteId);
    if (!can(frame.actor, "site.manage", { siteId: site.id }))
      throw new ForbiddenError("您没有管理该站点的权限");
    return { frame, site };
  };
  const idParam = (request: FastifyRequest) => Number((request.params as { id: string }).id) || 0;

  app.get("/admin/sites", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const scope = scopeFor(frame.actor, "site.manage");
    const sites = (await listSites(ctx)).filter((s) => scope.all || scope.siteIds.includes(s.id));
    if (!scope.all && sites.length === 0) throw new ForbiddenError("您没有管理站点的权限");
    return sendPage(
      reply,
      <SitesPage frame={frame} sites={sites} mayCreate={can(frame.actor, "platform.manage")} />,
    );
  });

  const requirePlatform = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    if (!can(frame.actor, "platform.manage")) throw new ForbiddenError("只有系统管理员可以新建站点");
    return frame;
  };
  const SITE_FORM_KEYS = ["code", "name", "kind", "host", "departmentId", ...SETTING_KEYS];
  const siteForm = async (
    reply: FastifyReply,
    frame: AdminFrame,
    site: Site | null,
    state: FormState,
    status = 200,
  ) =>
    sendPage(
      reply,
      <SiteFormPage
        frame={frame}
        title={site ? `站点设置：${site.name}` : "新建站点"}
        action={site ? `/admin/sites/${site.id}` : "/admin/sites/new"}
        state={state}
        departments={await departments()}
      />,
      status,
    );

  app.get("/admin/sites/new", async (request, reply) =>
    siteForm(reply, requirePlatform(request, reply), null, { values: { kind: "department" } }),
  );
  app.post("/admin/sites/new", async (request, reply) => {
    const frame = requirePlatform(request, reply);
    const form = readForm(request);
    try {
      const id = await createSite(ctx, siteInput(form));
      await audit(ctx, frame.actor, "config.site_created", `site:${id}`, { ip: request.ip });
      return reply.redirect(`/admin/sites/${id}/columns?msg=created`, 303);
    } catch (error) {
      return siteForm(reply, frame, null, formProblem(error, formValues(form, SITE_FORM_KEYS)), 400);
    }
  });
  app.get("/admin/sites/:id", async (request, reply) => {
    const { frame, site } = await managedSite(request, reply, idParam(request));
    return siteForm(reply, frame, site, { values: siteValues(site) });
  });
  app.post("/admin/sites/:id", async (request, reply) => {
    const { frame, site } = await managedSite(request, reply, idParam(request));
    const form = readForm(request);
    const input = siteInput(form);
    // only a system administrator may change what kind of site this is or its address
    if (!can(frame.actor, "platform.manage"))
      Object.assign(input, { code: site.code, kind: site.kind, host: site.host ?? "" });
    try {
      await updateSite(ctx, site.id, input);
      await audit(ctx, frame.actor, "config.site_updated", `site:${site.id}`, { ip: request.ip });
      return reply.redirect(`/admin/sites/${site.id}?msg=updated`, 303);
    } catch (error) {
      return siteForm(reply, frame, site, formProblem(error, formValues(form, SITE_FORM_KEYS)), 400);
    }
  });

  const columnsPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: FormState,
    status = 200,
  ) => {
    const { frame, site } = await managedSite(request, reply, idParam(request));
    const columns = await columnsOf(ctx, site.id);
    return sendPage(
      reply,
      <ColumnsPage frame={frame} site={site} tree={buildTree(columns)} columns={columns} state={state} />,
      status,
    );
  };
  app.get("/admin/sites/:id/columns", (request, reply) =>
    columnsPage(request, reply, { values: { type: "list", inNav: "1", position: "0" } }),
  );
  app.post("/admin/sites/:id/columns", async (request, reply) => {
    const { frame, site } = await managedSite(request, reply, idParam(request));
    const form = readForm(request);
    try {
      await createColumn(ctx, columnInput(form, site.id));
      await audit(ctx, frame.actor, "config.column_created", `site:${site.id}`, {
        ip: request.ip,
        slug: form.text("slug"),
      });
      return reply.redirect(`/admin/sites/${site.id}/columns?msg=created`, 303);
    } catch (error) {
      return columnsPage(request, reply, formProblem(error, formValues(form, COLUMN_FORM_KEYS)), 400);
    }
  });

  const columnPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: FormState | null,
    status = 200,
  ) => {
    const column = await getColumn(ctx, idParam(request));
    const { frame, site } = await managedSite(request, reply, column.site_id);
    const columns = await columnsOf(ctx, site.id);
    return sendPage(
      reply,
      <ColumnPage
        frame={frame}
        site={site}
        column={column}
        columns={columns}
        state={state ?? { values: columnValues(column) }}
      />,
      status,
    );
  };
  app.get("/admin/columns/:id", (request, reply) => columnPage(request, reply, null));
  app.post("/admin/columns/:id", async (request, reply) => {
    const column = await getColumn(ctx, idParam(request));
    const { frame } = await managedSite(request, reply, column.site_id);
    const form = readForm(request);
    try {
      await updateColumn(ctx, column.id, columnInput(form, column.site_id));
      await audit(ctx, frame.actor, "config.column_updated", `column:${column.id}`, { ip: request.ip });
      return reply.redirect(`/admin/columns/${column.id}?msg=updated`, 303);
    } catch (error) {
      return columnPage(request, reply, formProblem(error, formValues(form, COLUMN_FORM_KEYS)), 400);
    }
  });
  app.post("/admin/columns/:id/delete", async (request, reply) => {
    const column = await getColumn(ctx, idParam(request));
    const { frame } = await managedSite(request, reply, column.site_id);
    try {
      await deleteColumn(ctx, column.id);
      await audit(ctx, frame.actor, "config.column_deleted", `column:${column.id}`, { ip: request.ip });
      return reply.redirect(`/admin/sites/${column.site_id}/columns?msg=deleted`, 303);
    } catch (error) {
      const state = formProblem(error, columnValues(column));
      return columnPage(request, reply, state, 400);
    }
  });
}

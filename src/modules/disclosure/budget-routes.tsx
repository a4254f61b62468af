import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, Problems } from "../../core/errors.ts";
import { adminFrame } from "../../core/http/admin.ts";
import { type Form, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import type { Crumb } from "../../web/components.tsx";
import { formatDateTime } from "../../web/html.ts";
import { columnHref } from "../../web/layout.tsx";
import { buildFrame, resolveSite, siteBase } from "../sites/frame.ts";
import type { Column, Site } from "../sites/schema.ts";
import { columnsOf } from "../sites/service.ts";
import {
  type BudgetLineInput,
  type BudgetReportInput,
  budgetCsv,
  budgetEntity,
  budgetJson,
  deleteBudgetReport,
  disclosureSites,
  parseStage,
  parseYear,
  publishedBudgetYear,
  publishedYears,
  reportForEditing,
  reportsForStaff,
  requireDisclosureSite,
  SECTIONS,
  type SectionKey,
  saveBudgetReport,
  sitesWithBudgets,
} from "./budget.ts";
import { sendCsv, sendJson } from "./csv.ts";
import { centsToNumeric } from "./money.ts";
import {
  createProject,
  deleteProject,
  isProjectStatus,
  type Milestone,
  milestonesOf,
  type ProjectInput,
  projectForEditing,
  projectStatusCounts,
  projectsCsv,
  projectsForStaff,
  projectsJson,
  publishedProject,
  publishedProjects,
  updateProject,
} from "./projects.ts";
import {
  BudgetEditPage,
  type BudgetFormState,
  BudgetListPage,
  budgetEditHref,
} from "./views/budget-admin.tsx";
import { BudgetPage, type PageContext } from "./views/budget-public.tsx";
import {
  PROJECT_FORM_KEYS,
  ProjectFormPage,
  type ProjectFormState,
  ProjectsListPage,
  projectValues,
} from "./views/projects-admin.tsx";
import { ProjectPage, ProjectsPage, projectHref } from "./views/projects-public.tsx";

type SiteParams = { code?: string };

const PAGES = {
  czyjs: { path: "/czyjs/", name: "财政预决算" },
  zdxm: { path: "/zdxm/", name: "重大建设项目" },
} as const;

/**
 * The frame, breadcrumbs and column tags of a disclosure page. A site may link one of its columns
 * to the page (the portal's 法定主动公开内容 › 财政预决算 does); the crumbs and the highlighted
 * navigation then follow that column's place in the tree.
 */
async function pageContext(
  ctx: AppContext,
  request: FastifyRequest,
  site: Site,
  base: string,
  which: keyof typeof PAGES,
  tail: Crumb[] = [],
): Promise<PageContext> {
  const { path, name } = PAGES[which];
  const frame = await buildFrame(ctx, request, site, base);
  const columns = await columnsOf(ctx, site.id);
  const linked = columns.find((c) => c.type === "link" && c.link_url === `${base}${path}`);
  const byId = new Map(columns.map((c) => [c.id, c]));
  const ancestors: Column[] = [];
  for (let c = linked?.parent_id ? byId.get(linked.parent_id) : undefined; c; ) {
    ancestors.unshift(c);
    c = c.parent_id === null ? undefined : byId.get(c.parent_id);
  }
  const crumbs: Crumb[] = [
    { label: "首页", href: `${base}/` },
    ...ancestors.map((c) => ({ label: c.name, href: columnHref(base, c) })),
    { label: linked?.name ?? name, href: `${base}${path}` },
    ...tail,
  ];
  const columnName = linked?.name ?? name;
  return {
    frame,
    crumbs,
    activeColumnId: ancestors[0]?.id ?? linked?.id,
    meta: {
      column: {
        name: columnName,
        description: linked?.description || `${site.name}${columnName}`,
        keywords: linked?.keywords || `${columnName},政务公开`,
        type: linked?.column_type || "信息公开目录",
      },
    },
  };
}

const YEAR_FILE = /^(\d{4})(?:\.(csv|json))?$/;

export async function registerBudgetRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const mount = (prefix: string) => {
    const at = (path: string) => `${prefix}${path}`;
    const site = (request: FastifyRequest) => resolveSite(ctx, request, (request.params as SiteParams).code);

    const budgetPage = async (request: FastifyRequest, reply: FastifyReply, year: number | null) => {
      const { site: s, base } = await site(request);
      const years = await publishedYears(ctx, s.id);
      const shown = year ?? years[0]?.year;
      const view = shown === undefined ? undefined : await publishedBudgetYear(ctx, s.id, shown);
      if (year !== null && !view) throw new NotFoundError(`${year}年的财政预决算信息不存在或尚未公开`);
      const page = await pageContext(
        ctx,
        request,
        s,
        base,
        "czyjs",
        year === null ? [] : [{ label: `${year}年` }],
      );
      const departments =
        s.kind === "portal"
          ? (await sitesWithBudgets(ctx, s.id)).map((d) => ({ name: d.name, href: `${siteBase(d)}/czyjs/` }))
          : [];
      const entity = budgetEntity(s);
      const kindName = s.kind === "portal" ? "财政预决算" : "部门预决算";
      const heading = year === null ? `${entity}${kindName}` : `${year}年${entity}${kindName}`;
      return sendPage(
        reply,
        <BudgetPage
          page={page}
          heading={heading}
          view={view}
          years={years}
          onYearPage={year !== null}
          departments={departments}
        />,
      );
    };

    app.get(at("/czyjs"), async (request, reply) => {
      const { base } = await site(request);
      return reply.redirect(`${base}/czyjs/`, 301);
    });
    app.get(at("/czyjs/"), (request, reply) => budgetPage(request, reply, null));
    app.get(at("/czyjs/:year/"), (request, reply) => {
      const year = parseYear((request.params as { year: string }).year);
      if (year === null) throw new NotFoundError();
      return budgetPage(request, reply, year);
    });
    app.get(at("/czyjs/:file"), async (request, reply) => {
      const m = YEAR_FILE.exec((request.params as { file: string }).file);
      const year = m ? parseYear(m[1] ?? "") : null;
      if (!m || year === null) throw new NotFoundError();
      const { site: s, base } = await site(request);
      if (!m[2]) return reply.redirect(`${base}/czyjs/${year}/`, 301);
      const view = await publishedBudgetYear(ctx, s.id, year);
      if (!view) throw new NotFoundError(`${year}年的财政预决算信息不存在或尚未公开`);
      if (m[2] === "csv") return sendCsv(reply, `${s.code}-czyjs-${year}.csv`, budgetCsv(s, view));
      return sendJson(reply, budgetJson(s, view, `${ctx.config.publicUrl}${base}/czyjs/${year}/`));
    });

    const statusOf = (request: FastifyRequest) => {
      const status = (request.query as { status?: string }).status ?? "";
      return isProjectStatus(status) ? status : null;
    };
    app.get(at("/zdxm"), async (request, reply) => {
      const { base } = await site(request);
      return reply.redirect(`${base}/zdxm/`, 301);
    });
    app.get(at("/zdxm/"), async (request, reply) => {
      const { site: s, base } = await site(request);
      const status = statusOf(request);
      const [projects, counts, page] = await Promise.all([
        publishedProjects(ctx, s.id, status),
        projectStatusCounts(ctx, s.id),
        pageContext(ctx, request, s, base, "zdxm"),
      ]);
      return sendPage(
        reply,
        <ProjectsPage page={page} projects={projects} status={status} counts={counts} />,
      );
    });
    app.get(at("/zdxm.csv"), async (request, reply) => {
      const { site: s } = await site(request);
      return sendCsv(
        reply,
        `${s.code}-zdxm.csv`,
        projectsCsv(await publishedProjects(ctx, s.id, statusOf(request))),
      );
    });
    app.get(at("/zdxm.json"), async (request, reply) => {
      const { site: s, base } = await site(request);
      const projects = await publishedProjects(ctx, s.id, statusOf(request));
      const milestones = await milestonesOf(
        ctx,
        projects.map((p) => p.id),
      );
      return sendJson(
        reply,
        projectsJson(s, projects, milestones, (id) => `${ctx.config.publicUrl}${projectHref(base, id)}`),
      );
    });
    const projectId = (request: FastifyRequest) => {
      const id = (request.params as { id: string }).id;
      if (!/^\d{1,9}$/.test(id)) throw new NotFoundError("项目不存在");
      return Number(id);
    };
    app.get(at("/zdxm/:id/"), async (request, reply) => {
      const id = projectId(request);
      const { site: s, base } = await site(request);
      const found = await publishedProject(ctx, s.id, id);
      if (!found) throw new NotFoundError("项目不存在或尚未公开");
      const page = await pageContext(ctx, request, s, base, "zdxm", [{ label: found.project.name }]);
      page.meta = {
        article: {
          title: found.project.name,
          pubDate: formatDateTime(found.project.publishedAt ?? found.project.updatedAt),
          source: found.project.unit,
          keywords: "重大建设项目",
          description: found.project.description.slice(0, 120) || undefined,
        },
      };
      return sendPage(
        reply,
        <ProjectPage page={page} project={found.project} milestones={found.milestones} />,
      );
    });
    app.get(at("/zdxm/:id"), async (request, reply) => {
      const id = projectId(request);
      const { base } = await site(request);
      return reply.redirect(projectHref(base, id), 301);
    });
  };
  mount("");
  mount("/sites/:code");

  registerBudgetAdmin(app, ctx);
  registerProjectAdmin(app, ctx);
}

/* ---------------------------------------------------------------- admin: budget */

function budgetInput(form: Form): BudgetReportInput {
  const sections = {} as Record<SectionKey, BudgetLineInput[]>;
  for (const s of SECTIONS) {
    const codes = form.all(`${s.key}.code`);
    const names = form.all(`${s.key}.name`);
    const amounts = form.all(`${s.key}.amount`);
    const n = Math.max(codes.length, names.length, amounts.length);
    sections[s.key] = Array.from({ length: n }, (_, i) => ({
      code: codes[i] ?? "",
      name: names[i] ?? "",
      amount: amounts[i] ?? "",
    }));
  }
  return { note: form.text("note"), published: form.text("published") === "1", sections };
}

/** The rows as they were typed, less the blank ones, so a refused form comes back as entered. */
function typedRows(input: BudgetReportInput): Record<SectionKey, BudgetLineInput[]> {
  const out = {} as Record<SectionKey, BudgetLineInput[]>;
  for (const s of SECTIONS) {
    const rows = input.sections[s.key];
    // keep positions up to the last filled row, so error messages point at the same line numbers
    let last = rows.length - 1;
    while (last >= 0 && !`${rows[last]?.code}${rows[last]?.name}${rows[last]?.amount}`.trim()) last -= 1;
    out[s.key] = rows.slice(0, last + 1);
  }
  return out;
}

function registerBudgetAdmin(app: FastifyInstance, ctx: AppContext) {
  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    open: { values: Record<string, string>; error?: string; fields?: Record<string, string> },
    status = 200,
  ) => {
    const frame = adminFrame(request, reply);
    const sites = await disclosureSites(ctx, frame.actor);
    if (sites.length === 0) throw new ForbiddenError("您没有维护财政预决算的权限");
    const reports = await reportsForStaff(ctx, frame.actor);
    return sendPage(
      reply,
      <BudgetListPage frame={frame} sites={sites} reports={reports} open={open} />,
      status,
    );
  };
  app.get("/admin/disclosure/budget", (request, reply) =>
    listPage(request, reply, { values: { year: String(new Date().getFullYear()), stage: "budget" } }),
  );
  app.get("/admin/disclosure/budget/open", async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const values = { site: q.site ?? "", year: q.year ?? "", stage: q.stage ?? "" };
    const problems = new Problems();
    const siteId = /^\d{1,9}$/.test(values.site) ? Number(values.site) : null;
    const year = parseYear(values.year.trim());
    const stage = parseStage(values.stage);
    if (siteId === null) problems.add("site", "请选择站点");
    if (year === null) problems.add("year", "年度应为 2000—2100 之间的四位年份");
    if (stage === null) problems.add("stage", "请选择预算或决算");
    try {
      problems.throwIfAny();
      const frame = adminFrame(request, reply);
      await requireDisclosureSite(ctx, frame.actor, siteId ?? 0);
      return reply.redirect(budgetEditHref(siteId ?? 0, year ?? 0, stage ?? "budget"), 303);
    } catch (error) {
      const state = formProblem(error, values);
      return listPage(
        request,
        reply,
        { values: state.values, error: state.error, fields: state.fields },
        400,
      );
    }
  });

  const params = (request: FastifyRequest) => {
    const p = request.params as { siteId: string; year: string; stage: string };
    const siteId = /^\d{1,9}$/.test(p.siteId) ? Number(p.siteId) : null;
    const year = parseYear(p.year);
    const stage = parseStage(p.stage);
    if (siteId === null || year === null || stage === null) throw new NotFoundError();
    return { siteId, year, stage };
  };
  const editPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    typed: BudgetFormState | null,
    status = 200,
  ) => {
    const frame = adminFrame(request, reply);
    const { siteId, year, stage } = params(request);
    const { site, report } = await reportForEditing(ctx, frame.actor, siteId, year, stage);
    const sections = {} as BudgetFormState["sections"];
    for (const s of SECTIONS)
      sections[s.key] = (report?.lines ?? [])
        .filter((l) => l.fund === s.fund && l.direction === s.direction)
        .map((l) => ({ code: l.code, name: l.name, amount: centsToNumeric(l.cents) }));
    const state: BudgetFormState = typed ?? {
      sections,
      note: report?.note ?? "",
      published: report?.published ?? false,
    };
    return sendPage(
      reply,
      <BudgetEditPage
        frame={frame}
        site={site}
        year={year}
        stage={stage}
        exists={report !== undefined}
        publicHref={report?.published ? `${siteBase(site)}/czyjs/${year}/` : null}
        state={state}
      />,
      status,
    );
  };
  const EDIT = "/admin/disclosure/budget/:siteId/:year/:stage";
  app.get(EDIT, (request, reply) => editPage(request, reply, null));
  app.post(EDIT, async (request, reply) => {
    const frame = adminFrame(request, reply);
    const { siteId, year, stage } = params(request);
    const input = budgetInput(readForm(request));
    try {
      await saveBudgetReport(ctx, frame.actor, siteId, year, stage, input);
      return reply.redirect(`${budgetEditHref(siteId, year, stage)}?msg=updated`, 303);
    } catch (error) {
      const state = formProblem(error, {});
      return editPage(
        request,
        reply,
        {
          sections: typedRows(input),
          note: input.note,
          published: input.published,
          error: state.error,
          fields: state.fields,
        },
        400,
      );
    }
  });
  app.post(`${EDIT}/delete`, async (request, reply) => {
    const frame = adminFrame(request, reply);
    const { siteId, year, stage } = params(request);
    await deleteBudgetReport(ctx, frame.actor, siteId, year, stage);
    return reply.redirect("/admin/disclosure/budget?msg=deleted", 303);
  });
}

/* ---------------------------------------------------------------- admin: projects */

function projectInput(form: Form): ProjectInput {
  const dates = form.all("ms.date");
  const texts = form.all("ms.text");
  const milestones: Milestone[] = Array.from({ length: Math.max(dates.length, texts.length) }, (_, i) => ({
    date: dates[i] ?? "",
    text: texts[i] ?? "",
  }));
  return {
    name: form.text("name"),
    unit: form.text("unit"),
    location: form.text("location"),
    status: form.text("status"),
    total: form.text("total"),
    planYear: form.text("planYear"),
    annual: form.text("annual"),
    completed: form.text("completed"),
    startDate: form.text("startDate"),
    endDate: form.text("endDate"),
    description: form.text("description"),
    published: form.text("published") === "1",
    milestones,
  };
}

function typedMilestones(list: Milestone[]): Milestone[] {
  let last = list.length - 1;
  while (last >= 0 && !`${list[last]?.date}${list[last]?.text}`.trim()) last -= 1;
  return list.slice(0, last + 1);
}

function registerProjectAdmin(app: FastifyInstance, ctx: AppContext) {
  const idParam = (request: FastifyRequest) => {
    const id = (request.params as { id: string }).id;
    if (!/^\d{1,9}$/.test(id)) throw new NotFoundError("项目不存在");
    return Number(id);
  };

  app.get("/admin/disclosure/projects", async (request, reply) => {
    const frame = adminFrame(request, reply);
    if ((await disclosureSites(ctx, frame.actor)).length === 0)
      throw new ForbiddenError("您没有维护重大建设项目的权限");
    return sendPage(
      reply,
      <ProjectsListPage frame={frame} projects={await projectsForStaff(ctx, frame.actor)} />,
    );
  });

  const newPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: ProjectFormState,
    status = 200,
  ) => {
    const frame = adminFrame(request, reply);
    const sites = await disclosureSites(ctx, frame.actor);
    if (sites.length === 0) throw new ForbiddenError("您没有维护重大建设项目的权限");
    return sendPage(
      reply,
      <ProjectFormPage
        frame={frame}
        title="新建重大建设项目"
        action="/admin/disclosure/projects/new"
        sites={sites.map((s) => ({ id: s.id, name: s.name }))}
        state={state}
      />,
      status,
    );
  };
  app.get("/admin/disclosure/projects/new", (request, reply) =>
    newPage(request, reply, {
      values: { status: "building", planYear: String(new Date().getFullYear()) },
      milestones: [],
    }),
  );
  app.post("/admin/disclosure/projects/new", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const form = readForm(request);
    const input = projectInput(form);
    const siteId = /^\d{1,9}$/.test(form.text("siteId")) ? Number(form.text("siteId")) : null;
    try {
      const id = await createProject(ctx, frame.actor, siteId, input);
      return reply.redirect(`/admin/disclosure/projects/${id}?msg=created`, 303);
    } catch (error) {
      const values = Object.fromEntries(PROJECT_FORM_KEYS.map((k) => [k, form.text(k)]));
      const state = formProblem(error, values);
      return newPage(request, reply, { ...state, milestones: typedMilestones(input.milestones) }, 400);
    }
  });

  const editPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    typed: ProjectFormState | null,
    status = 200,
  ) => {
    const frame = adminFrame(request, reply);
    const { site, project, milestones } = await projectForEditing(ctx, frame.actor, idParam(request));
    return sendPage(
      reply,
      <ProjectFormPage
        frame={frame}
        title={`项目：${project.name}`}
        action={`/admin/disclosure/projects/${project.id}`}
        sites={null}
        state={typed ?? { values: projectValues(project), milestones }}
        deleteAction={`/admin/disclosure/projects/${project.id}/delete`}
        publicHref={project.published ? projectHref(siteBase(site), project.id) : undefined}
      />,
      status,
    );
  };
  app.get("/admin/disclosure/projects/:id", (request, reply) => editPage(request, reply, null));
  app.post("/admin/disclosure/projects/:id", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const id = idParam(request);
    const form = readForm(request);
    const input = projectInput(form);
    try {
      await updateProject(ctx, frame.actor, id, input);
      return reply.redirect(`/admin/disclosure/projects/${id}?msg=updated`, 303);
    } catch (error) {
      const values = Object.fromEntries(PROJECT_FORM_KEYS.map((k) => [k, form.text(k)]));
      const state = formProblem(error, values);
      return editPage(request, reply, { ...state, milestones: typedMilestones(input.milestones) }, 400);
    }
  });
  app.post("/admin/disclosure/projects/:id/delete", async (request, reply) => {
    const frame = adminFrame(request, reply);
    await deleteProject(ctx, frame.actor, idParam(request));
    return reply.redirect("/admin/disclosure/projects?msg=deleted", 303);
  });
}

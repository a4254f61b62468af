import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { scopeFor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError } from "../../core/errors.ts";
import { adminFrame } from "../../core/http/admin.ts";
import { type FormState, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import { page } from "../../web/html.ts";
import { liveTitlesByRef } from "../content/public.ts";
import { buildFrame, resolveSite, siteBase } from "../sites/frame.ts";
import { registerCaseRoutes } from "./case-routes.tsx";
import {
  checkAnswers,
  getRule,
  managedRules,
  matchPolicies,
  RULE_FORM_FIELDS,
  type RuleForm,
  ruleToForm,
  saveRule,
} from "./matching.ts";
import {
  bundlesOfItem,
  catalogueFacets,
  completenessReport,
  deleteItem,
  getItem,
  ITEM_FORM_FIELDS,
  type ItemForm,
  itemByCode,
  itemRatingSummary,
  itemSitesFor,
  itemToForm,
  itemVersions,
  listItems,
  managedItems,
  saveItem,
} from "./service.ts";
import { CompletenessPage, ItemFormPage, ItemListPage } from "./views/admin-items.tsx";
import { CataloguePage, GuidePage, GuidePrintPage } from "./views/catalogue.tsx";
import { MatchingPage, RuleFormPage, RuleListPage } from "./views/matching.tsx";

const NEW_ITEM_DEFAULTS: Record<string, string> = {
  type: "公共服务",
  audience: "个人",
  onlineLevel: "全程网办",
  statutoryDays: "20",
  promisedDays: "10",
  visible: "1",
  formFields: [
    "applicantName | 申请人姓名 | text | 必填 |  | name | ",
    "idNumber | 居民身份证号码 | idnumber | 必填 |  |  | ",
    "phone | 联系电话 | phone | 必填 |  | phone | ",
  ].join("\n"),
};

/** 办事服务 on the portal and on every department site, and the catalogue desk in the admin. */
export async function registerServiceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const mount = (prefix: string) => {
    const site = (request: FastifyRequest) =>
      resolveSite(ctx, request, (request.params as { code?: string }).code);

    app.get(`${prefix}/bsfw/`, async (request, reply) => {
      const { site: s, base } = await site(request);
      const query = request.query as { dx?: string; bm?: string; zt?: string; q?: string };
      const onDepartmentSite = s.kind === "department";
      const filter = {
        audience: query.dx === "个人" || query.dx === "法人" ? query.dx : "",
        departmentId: /^\d{1,9}$/.test(query.bm ?? "") ? Number(query.bm) : null,
        lifeEvent: (query.zt ?? "").slice(0, 20),
        q: (query.q ?? "").slice(0, 50),
      };
      const [items, facets] = await Promise.all([
        listItems(ctx, {
          audience: filter.audience,
          departmentId: filter.departmentId ?? undefined,
          lifeEvent: filter.lifeEvent || undefined,
          q: filter.q,
          siteId: onDepartmentSite ? s.id : undefined,
        }),
        catalogueFacets(ctx, onDepartmentSite ? s.id : undefined),
      ]);
      const frame = await buildFrame(ctx, request, s, base);
      return sendPage(
        reply,
        <CataloguePage
          frame={frame}
          items={items}
          departments={onDepartmentSite ? [] : facets.departments}
          lifeEvents={facets.lifeEvents}
          filter={filter}
        />,
      );
    });

    const guide = async (request: FastifyRequest) => {
      const { site: s, base } = await site(request);
      const item = await itemByCode(ctx, (request.params as { itemCode: string }).itemCode);
      if (!item.visible) throw new NotFoundError("该服务事项不存在或已下线");
      const [frame, bundles, ratings, policies] = await Promise.all([
        buildFrame(ctx, request, s, base),
        bundlesOfItem(ctx, item.id),
        itemRatingSummary(ctx, item.id),
        liveTitlesByRef(ctx, item.related_policies),
      ]);
      return { frame, item, bundles, ratings, policies };
    };
    app.get(`${prefix}/bsfw/item/:itemCode`, async (request, reply) =>
      sendPage(reply, <GuidePage {...(await guide(request))} />),
    );
    app.get(`${prefix}/bsfw/item/:itemCode/print`, async (request, reply) =>
      reply.type("text/html; charset=utf-8").send(page(<GuidePrintPage {...(await guide(request))} />)),
    );

    app.get(`${prefix}/bsfw/zcjsq/`, async (request, reply) => {
      const { site: s, base } = await site(request);
      const frame = await buildFrame(ctx, request, s, base);
      const query = request.query as Record<string, string | undefined>;
      const audience = query.dx === "法人" ? "法人" : "个人";
      const values = Object.fromEntries(
        Object.entries(query).flatMap(([k, v]) => (typeof v === "string" ? [[k, v.slice(0, 40)]] : [])),
      );
      let matches = null;
      let state: FormState = { values };
      if (query.run === "1") {
        try {
          matches = await matchPolicies(ctx, audience, checkAnswers(audience, values));
        } catch (error) {
          state = formProblem(error, values);
        }
      }
      return sendPage(
        reply,
        <MatchingPage frame={frame} audience={audience} state={state} matches={matches} />,
        state.error ? 400 : 200,
      );
    });
  };
  mount("");
  mount("/sites/:code");
  await registerCaseRoutes(app, ctx);

  // corpus ids resolve to the guide on the implementing department's site
  app.get("/ref/svc-:number", async (request, reply) => {
    const ref = `svc-${(request.params as { number: string }).number}`;
    const item = await ctx.db
      .selectFrom("service_items as i")
      .innerJoin("sites as s", "s.id", "i.site_id")
      .select(["i.code", "s.kind", "s.code as site_code"])
      .where("i.ref", "=", ref)
      .executeTakeFirst();
    if (!item) throw new NotFoundError("未找到该编号对应的服务事项");
    return reply.redirect(
      `${siteBase({ kind: item.kind, code: item.site_code })}/bsfw/item/${encodeURIComponent(item.code)}`,
      302,
    );
  });

  app.get("/ref/yjs-:number", async (request, reply) => {
    const ref = `yjs-${(request.params as { number: string }).number}`;
    const bundle = await ctx.db
      .selectFrom("service_bundles")
      .select("id")
      .where("ref", "=", ref)
      .executeTakeFirst();
    if (!bundle) throw new NotFoundError("未找到该编号对应的“一件事”");
    return reply.redirect(`/bsfw/yjs/${bundle.id}`, 302);
  });

  /* ---------------------------------------------------------- catalogue administration */
  const maintainer = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    const scope = scopeFor(frame.actor, "service.manage");
    if (!scope.all && scope.siteIds.length === 0) throw new ForbiddenError("您没有维护服务事项的权限");
    return frame;
  };
  app.get("/admin/services/items", async (request, reply) => {
    const frame = maintainer(request, reply);
    return sendPage(reply, <ItemListPage frame={frame} items={await managedItems(ctx, frame.actor)} />);
  });
  app.get("/admin/services/completeness", async (request, reply) => {
    const frame = maintainer(request, reply);
    return sendPage(
      reply,
      <CompletenessPage frame={frame} report={await completenessReport(ctx, frame.actor)} />,
    );
  });
  const itemPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number | null,
    state: FormState | null,
    status = 200,
  ) => {
    const frame = maintainer(request, reply);
    const item = id === null ? null : await getItem(ctx, id);
    const sites = await itemSitesFor(ctx, frame.actor);
    if (item && !sites.some((s) => s.id === item.site_id))
      throw new ForbiddenError("您不能维护该部门的服务事项");
    const values = state?.values ?? (item ? { ...itemToForm(item) } : { ...NEW_ITEM_DEFAULTS });
    const site = item
      ? await ctx.db
          .selectFrom("sites")
          .select(["kind", "code"])
          .where("id", "=", item.site_id)
          .executeTakeFirst()
      : undefined;
    return sendPage(
      reply,
      <ItemFormPage
        frame={frame}
        id={id}
        sites={sites}
        state={{ ...state, values }}
        versions={item ? await itemVersions(ctx, item.id) : []}
        publicHref={
          item && site && item.visible ? `${siteBase(site)}/bsfw/item/${encodeURIComponent(item.code)}` : null
        }
      />,
      status,
    );
  };
  const itemForm = (request: FastifyRequest): ItemForm => {
    const form = readForm(request);
    return Object.fromEntries(ITEM_FORM_FIELDS.map((k) => [k, form.text(k)])) as unknown as ItemForm;
  };
  const itemId = (request: FastifyRequest) => Number((request.params as { id: string }).id) || 0;
  app.get("/admin/services/items/new", (request, reply) => itemPage(request, reply, null, null));
  app.post("/admin/services/items/new", async (request, reply) => {
    const frame = maintainer(request, reply);
    const values = itemForm(request);
    try {
      const id = await saveItem(ctx, frame.actor, null, values);
      return reply.redirect(`/admin/services/items/${id}?msg=created`, 303);
    } catch (error) {
      return itemPage(request, reply, null, formProblem(error, { ...values }), 400);
    }
  });
  app.get("/admin/services/items/:id", (request, reply) => itemPage(request, reply, itemId(request), null));
  app.post("/admin/services/items/:id", async (request, reply) => {
    const frame = maintainer(request, reply);
    const values = itemForm(request);
    try {
      await saveItem(ctx, frame.actor, itemId(request), values);
      return reply.redirect(`/admin/services/items/${itemId(request)}?msg=saved`, 303);
    } catch (error) {
      return itemPage(request, reply, itemId(request), formProblem(error, { ...values }), 400);
    }
  });
  app.get("/admin/services/rules", async (request, reply) => {
    const frame = maintainer(request, reply);
    return sendPage(reply, <RuleListPage frame={frame} rules={await managedRules(ctx, frame.actor)} />);
  });
  const rulePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number | null,
    state: FormState | null,
    status = 200,
  ) => {
    const frame = maintainer(request, reply);
    const sites = await itemSitesFor(ctx, frame.actor);
    const rule = id === null ? null : await getRule(ctx, id);
    if (rule && !sites.some((s) => s.id === rule.site_id)) throw new ForbiddenError("您不能维护该规则");
    const values = state?.values ?? (rule ? { ...ruleToForm(rule) } : { audience: "个人", active: "1" });
    return sendPage(
      reply,
      <RuleFormPage frame={frame} id={id} sites={sites} state={{ ...state, values }} />,
      status,
    );
  };
  const ruleForm = (request: FastifyRequest): RuleForm => {
    const form = readForm(request);
    return Object.fromEntries(RULE_FORM_FIELDS.map((k) => [k, form.text(k)])) as unknown as RuleForm;
  };
  app.get("/admin/services/rules/new", (request, reply) => rulePage(request, reply, null, null));
  app.get("/admin/services/rules/:id", (request, reply) => rulePage(request, reply, itemId(request), null));
  for (const path of ["/admin/services/rules/new", "/admin/services/rules/:id"]) {
    app.post(path, async (request, reply) => {
      const frame = maintainer(request, reply);
      const id = path.endsWith("new") ? null : itemId(request);
      const values = ruleForm(request);
      try {
        const saved = await saveRule(ctx, frame.actor, id, values);
        return reply.redirect(`/admin/services/rules/${saved}?msg=saved`, 303);
      } catch (error) {
        return rulePage(request, reply, id, formProblem(error, { ...values }), 400);
      }
    });
  }
  app.post("/admin/services/items/:id/delete", async (request, reply) => {
    const frame = maintainer(request, reply);
    await deleteItem(ctx, frame.actor, itemId(request));
    return reply.redirect("/admin/services/items?msg=deleted", 303);
  });
}

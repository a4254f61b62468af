import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type Actor, can, scopeFor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, UserError } from "../../core/errors.ts";
import { adminFrame, RedirectToLogin } from "../../core/http/admin.ts";
import { type FormState, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import { isInlineType } from "../../core/storage.ts";
import { citizenPhone } from "../identity/service.ts";
import { buildFrame, resolveSite } from "../sites/frame.ts";
import {
  type ApplicationAction,
  act,
  applicationByNumber,
  applicationDetail,
  applicationFile,
  applicationMachine,
  applicationsOfCitizen,
  applicationsOpen,
  correctionMaterials,
  EVENT_LABELS,
  lookupByPhone,
  materialKeys,
  revealForm,
  staffApplications,
  submitApplication,
} from "./applications.ts";
import {
  bundleApplicationsOfCitizen,
  bundleDetail,
  bundleSlots,
  bundleStatusById,
  bundleStatusByNumber,
  listBundles,
  mergedFormFields,
  submitBundle,
} from "./bundles.ts";
import {
  licencesOf,
  normalName,
  reusableLicences,
  revokeLicence,
  verificationQr,
  verifyLicence,
} from "./licences.ts";
import { closeFollowup, followupsFor, rateApplication, ratingOf, ratingStatistics } from "./ratings.ts";
import { itemByCode } from "./service.ts";
import { LicencesPage, RatingStatsPage, VerifyPage } from "./views/account.tsx";
import { CaseDetailPage, CaseListPage, FollowupPage, FollowupsPage } from "./views/admin-cases.tsx";
import {
  ApplyPage,
  LookupPage,
  LookupResultPage,
  type MaterialSlot,
  MyCasePage,
  MyCasesPage,
  ReceiptPage,
} from "./views/apply.tsx";
import { BundleApplyPage, BundleListPage, BundlePage, BundleStatusPage } from "./views/bundles.tsx";

export const APPLY_LIMIT = { rateLimit: { max: 10, timeWindow: "1 minute" } };

/** Sends a stored case file without letting the browser run it. */
export function sendStoredFile(
  ctx: AppContext,
  reply: FastifyReply,
  file: { mime: string; size: number; filename: string; storage_key: string },
) {
  const disposition = isInlineType(file.mime) ? "inline" : "attachment";
  return reply
    .header("Content-Type", file.mime)
    .header("Content-Length", String(file.size))
    .header("Content-Disposition", `${disposition}; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
    .header("X-Content-Type-Options", "nosniff")
    .header("Content-Security-Policy", "default-src 'none'; sandbox")
    .header("Cache-Control", "private, no-store")
    .send(ctx.files.open(file.storage_key));
}

export const requireCitizen = (request: FastifyRequest): Actor => {
  if (!request.actor) throw new RedirectToLogin(request.url);
  if (request.actor.kind !== "citizen") throw new ForbiddenError("请使用个人或法人账号登录后办理");
  return request.actor;
};

/** Form values with the signed-in citizen's profile filled in where the form asks for it. */
export async function profileValues(
  ctx: AppContext,
  actor: Actor,
  fields: { name: string; profile?: string }[],
) {
  const phone = await citizenPhone(ctx, actor.id);
  return Object.fromEntries(
    fields.flatMap((f) =>
      f.profile === "name" ? [[f.name, actor.name]] : f.profile === "phone" && phone ? [[f.name, phone]] : [],
    ),
  ) as Record<string, string>;
}

/** Online applications: the citizen side on every site, 我的办件 and 我的证照, and the officers' desk. */
export async function registerCaseRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const mount = (prefix: string) => {
    const site = (request: FastifyRequest) =>
      resolveSite(ctx, request, (request.params as { code?: string }).code);

    const applyPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      state: FormState | null,
      status = 200,
    ) => {
      const citizen = requireCitizen(request);
      const { site: s, base } = await site(request);
      const item = await itemByCode(ctx, (request.params as { itemCode: string }).itemCode);
      if (!applicationsOpen(item)) throw new NotFoundError("该事项暂不支持网上申请，请到办理地点窗口办理");
      const held = await reusableLicences(ctx, citizen.id);
      const slots: MaterialSlot[] = materialKeys(item).map(({ key, material }) => ({
        key,
        material,
        licence: held.get(normalName(material.name)),
      }));
      const frame = await buildFrame(ctx, request, s, base);
      const values = state?.values ?? (await profileValues(ctx, citizen, item.form_fields));
      return sendPage(
        reply.header("Cache-Control", "no-store"),
        <ApplyPage
          frame={frame}
          csrf={reply.generateCsrf()}
          item={item}
          slots={slots}
          state={{ ...state, values }}
        />,
        status,
      );
    };
    app.get(`${prefix}/bsfw/item/:itemCode/apply`, (request, reply) => applyPage(request, reply, null));
    app.post(`${prefix}/bsfw/item/:itemCode/apply`, { config: APPLY_LIMIT }, async (request, reply) => {
      const citizen = requireCitizen(request);
      const item = await itemByCode(ctx, (request.params as { itemCode: string }).itemCode);
      const form = readForm(request);
      const values = Object.fromEntries(item.form_fields.map((f) => [f.name, form.text(f.name)]));
      try {
        const receipt = await submitApplication(ctx, citizen, {
          itemId: item.id,
          values,
          uploads: (key) => form.files(key),
          accountPhone: await citizenPhone(ctx, citizen.id),
        });
        const { site: s, base } = await site(request);
        const frame = await buildFrame(ctx, request, s, base);
        return sendPage(
          reply.header("Cache-Control", "no-store"),
          <ReceiptPage
            frame={frame}
            number={receipt.number}
            title={`“${item.name}”申请已提交，等待部门预审。`}
          />,
        );
      } catch (error) {
        return applyPage(request, reply, formProblem(error, values), 400);
      }
    });

    const lookupPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      state: FormState,
      status = 200,
    ) => {
      const { site: s, base } = await site(request);
      const frame = await buildFrame(ctx, request, s, base);
      return sendPage(reply, <LookupPage frame={frame} csrf={reply.generateCsrf()} state={state} />, status);
    };
    app.get(`${prefix}/bsfw/cx/`, (request, reply) => lookupPage(request, reply, { values: {} }));
    app.post(`${prefix}/bsfw/cx/`, { config: APPLY_LIMIT }, async (request, reply) => {
      const form = readForm(request);
      const number = form.text("number");
      try {
        const found = await lookupByPhone(ctx, number, form.text("phone"));
        const { site: s, base } = await site(request);
        const frame = await buildFrame(ctx, request, s, base);
        reply.header("Cache-Control", "no-store");
        if (found.kind === "bundle")
          return sendPage(
            reply,
            <BundleStatusPage frame={frame} status={await bundleStatusById(ctx, found.id)} own={false} />,
          );
        const data = await applicationDetail(ctx, found.id);
        return sendPage(reply, <LookupResultPage frame={frame} data={data} labels={EVENT_LABELS} />);
      } catch (error) {
        if (error instanceof UserError && error.statusCode === 404)
          return lookupPage(request, reply, { values: { number }, error: error.message }, 404);
        throw error;
      }
    });

    /* 一件事一次办 */
    app.get(`${prefix}/bsfw/yjs/`, async (request, reply) => {
      const { site: s, base } = await site(request);
      const frame = await buildFrame(ctx, request, s, base);
      return sendPage(reply, <BundleListPage frame={frame} bundles={await listBundles(ctx)} />);
    });
    const bundleId = (request: FastifyRequest) => Number((request.params as { id: string }).id) || 0;
    app.get(`${prefix}/bsfw/yjs/:id`, async (request, reply) => {
      const { site: s, base } = await site(request);
      const frame = await buildFrame(ctx, request, s, base);
      const { bundle, members, leadDepartment } = await bundleDetail(ctx, bundleId(request));
      return sendPage(
        reply,
        <BundlePage
          frame={frame}
          bundle={bundle}
          members={members}
          leadDepartment={leadDepartment}
          slots={bundleSlots(bundle, members)}
        />,
      );
    });
    const bundleApplyPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      state: FormState | null,
      status = 200,
    ) => {
      const citizen = requireCitizen(request);
      const { site: s, base } = await site(request);
      const frame = await buildFrame(ctx, request, s, base);
      const { bundle, members } = await bundleDetail(ctx, bundleId(request));
      const fields = mergedFormFields(members);
      const held = await reusableLicences(ctx, citizen.id);
      const slots = bundleSlots(bundle, members).map((slot) => ({
        ...slot,
        licence: held.get(normalName(slot.material.name)),
      }));
      const values = state?.values ?? (await profileValues(ctx, citizen, fields));
      return sendPage(
        reply.header("Cache-Control", "no-store"),
        <BundleApplyPage
          frame={frame}
          csrf={reply.generateCsrf()}
          bundle={bundle}
          fields={fields}
          slots={slots}
          optional={members.filter((m) => m.optional)}
          state={{ ...state, values }}
        />,
        status,
      );
    };
    app.get(`${prefix}/bsfw/yjs/:id/apply`, (request, reply) => bundleApplyPage(request, reply, null));
    app.post(`${prefix}/bsfw/yjs/:id/apply`, { config: APPLY_LIMIT }, async (request, reply) => {
      const citizen = requireCitizen(request);
      const { members } = await bundleDetail(ctx, bundleId(request));
      const form = readForm(request);
      const values: Record<string, string> = Object.fromEntries(
        mergedFormFields(members).map((f) => [f.name, form.text(f.name)]),
      );
      const optional = form.all("optional").map(Number).filter(Number.isInteger);
      values.optional = optional.join(",");
      try {
        const receipt = await submitBundle(ctx, citizen, {
          bundleId: bundleId(request),
          values,
          uploads: (key) => form.files(key),
          accountPhone: await citizenPhone(ctx, citizen.id),
          optional,
        });
        const { site: s, base } = await site(request);
        const frame = await buildFrame(ctx, request, s, base);
        return sendPage(
          reply.header("Cache-Control", "no-store"),
          <ReceiptPage
            frame={frame}
            number={receipt.number}
            title={`已一次提交 ${receipt.cases} 个事项，各部门将同步办理。`}
            href={`/account/bsfw/yjs/${receipt.number}`}
          />,
        );
      } catch (error) {
        return bundleApplyPage(request, reply, formProblem(error, values), 400);
      }
    });

    app.get(`${prefix}/bsfw/hcp/`, async (request, reply) => {
      const { site: s, base } = await site(request);
      const frame = await buildFrame(ctx, request, s, base);
      return sendPage(reply, <RatingStatsPage frame={frame} stats={await ratingStatistics(ctx)} />);
    });
  };
  mount("");
  mount("/sites/:code");

  /* ---------------------------------------------------------- licences: verification for anyone */
  app.get("/bsfw/zz/:number", async (request, reply) => {
    const { number } = request.params as { number: string };
    const { licence, verdict } = await verifyLicence(ctx, number);
    const { site, base } = await resolveSite(ctx, request);
    const frame = await buildFrame(ctx, request, site, base);
    const url = `${ctx.config.publicUrl}/bsfw/zz/${licence.number}`;
    return sendPage(
      reply.header("Cache-Control", "no-store"),
      <VerifyPage frame={frame} licence={licence} verdict={verdict} qr={verificationQr(url)} url={url} />,
    );
  });

  /* ---------------------------------------------------------- the citizen's own cases */
  const portalFrame = async (request: FastifyRequest) => {
    const { site, base } = await resolveSite(ctx, request);
    return buildFrame(ctx, request, site, base);
  };
  app.get("/account/bsfw/", async (request, reply) => {
    const citizen = requireCitizen(request);
    const [cases, bundles] = await Promise.all([
      applicationsOfCitizen(ctx, citizen.id),
      bundleApplicationsOfCitizen(ctx, citizen.id),
    ]);
    return sendPage(
      reply.header("Cache-Control", "no-store"),
      <MyCasesPage frame={await portalFrame(request)} cases={cases} bundles={bundles} />,
    );
  });
  app.get("/account/bsfw/yjs/:number", async (request, reply) => {
    const citizen = requireCitizen(request);
    const status = await bundleStatusByNumber(ctx, (request.params as { number: string }).number);
    if (status.citizen_id !== citizen.id) throw new NotFoundError("办件不存在");
    return sendPage(
      reply.header("Cache-Control", "no-store"),
      <BundleStatusPage frame={await portalFrame(request)} status={status} own />,
    );
  });
  app.get("/account/licences", async (request, reply) => {
    const citizen = requireCitizen(request);
    return sendPage(
      reply.header("Cache-Control", "no-store"),
      <LicencesPage frame={await portalFrame(request)} licences={await licencesOf(ctx, citizen.id)} />,
    );
  });

  const ownCase = async (request: FastifyRequest) => {
    const citizen = requireCitizen(request);
    const data = await applicationByNumber(ctx, (request.params as { number: string }).number);
    if (data.application.citizen_id !== citizen.id) throw new NotFoundError("办件不存在");
    return { citizen, data };
  };
  const myCasePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: FormState,
    form?: "correction" | "rating",
    status = 200,
  ) => {
    const { citizen, data } = await ownCase(request);
    const rating = await ratingOf(ctx, data.application.id);
    const ended = data.application.state === "completed" || data.application.state === "not_accepted";
    const held = await reusableLicences(ctx, citizen.id);
    const correction =
      data.application.state === "correction"
        ? correctionMaterials(data.item, data.application.correction_items).map((s) => ({
            ...s,
            licence: held.get(normalName(s.material.name)),
          }))
        : null;
    return sendPage(
      reply.header("Cache-Control", "no-store"),
      <MyCasePage
        frame={await portalFrame(request)}
        csrf={reply.generateCsrf()}
        data={data}
        labels={EVENT_LABELS}
        correction={correction}
        rating={rating ?? null}
        canRate={ended && !rating}
        state={state}
        form={form}
      />,
      status,
    );
  };
  app.get("/account/bsfw/:number", (request, reply) => myCasePage(request, reply, { values: {} }));
  app.post("/account/bsfw/:number/resubmit", { config: APPLY_LIMIT }, async (request, reply) => {
    const { citizen, data } = await ownCase(request);
    const form = readForm(request);
    try {
      await act(ctx, citizen, data.application.id, "resubmit", {
        comment: form.text("comment"),
        uploads: (key) => form.files(key),
      });
      return reply.redirect(`/account/bsfw/${data.application.number}`, 303);
    } catch (error) {
      return myCasePage(
        request,
        reply,
        formProblem(error, { comment: form.text("comment") }),
        "correction",
        400,
      );
    }
  });
  app.post("/account/bsfw/:number/rate", async (request, reply) => {
    const { citizen, data } = await ownCase(request);
    const form = readForm(request);
    const values = Object.fromEntries(
      ["score", "d0", "d1", "d2", "d3", "comment"].map((k) => [k, form.text(k)]),
    );
    try {
      await rateApplication(ctx, citizen, data.application.id, {
        score: values.score ?? "",
        dimensions: [values.d0 ?? "", values.d1 ?? "", values.d2 ?? "", values.d3 ?? ""],
        comment: values.comment ?? "",
      });
      return reply.redirect(`/account/bsfw/${data.application.number}`, 303);
    } catch (error) {
      return myCasePage(request, reply, formProblem(error, values), "rating", 400);
    }
  });
  app.get("/account/bsfw/:number/files/:fileId", async (request, reply) => {
    const { data } = await ownCase(request);
    const file = await applicationFile(
      ctx,
      data.application.id,
      Number((request.params as { fileId: string }).fileId) || 0,
    );
    return sendStoredFile(ctx, reply, file);
  });

  /* ---------------------------------------------------------- officers */
  const officer = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    const scope = scopeFor(frame.actor, "case.handle");
    if (!scope.all && scope.siteIds.length === 0) {
      const manage = scopeFor(frame.actor, "service.manage");
      if (manage.all || manage.siteIds.length > 0) throw new RedirectToItems();
      throw new ForbiddenError("您没有办理政务服务事项的权限");
    }
    return frame;
  };
  app.get("/admin/services", async (request, reply) => {
    let frame: ReturnType<typeof officer>;
    try {
      frame = officer(request, reply);
    } catch (error) {
      if (error instanceof RedirectToItems) return reply.redirect("/admin/services/items", 303);
      throw error;
    }
    const query = request.query as { state?: string; overdue?: string };
    const rows = await staffApplications(ctx, frame.actor, {
      state: query.state,
      overdue: query.overdue === "1",
    });
    return sendPage(
      reply,
      <CaseListPage frame={frame} rows={rows} state={query.state ?? ""} overdue={query.overdue === "1"} />,
    );
  });
  const handledCase = async (request: FastifyRequest, reply: FastifyReply) => {
    const frame = officer(request, reply);
    const data = await applicationDetail(ctx, Number((request.params as { id: string }).id) || 0);
    if (!can(frame.actor, "case.handle", { siteId: data.application.site_id }))
      throw new ForbiddenError("您没有办理该办件的权限");
    return { frame, data };
  };
  const casePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: FormState & { action?: string },
    status = 200,
  ) => {
    const { frame, data } = await handledCase(request, reply);
    const revealed = revealForm(ctx, data.application.form_data);
    const form = data.item.form_fields.map((f) => ({
      label: f.label,
      value: revealed[f.name] ?? "",
      masked: data.application.form_data.masked[f.name] ?? "",
    }));
    const actions = data
      .available(frame.actor)
      .map((action) => ({ action, label: applicationMachine.actions[action].label }));
    return sendPage(
      reply,
      <CaseDetailPage
        frame={frame}
        data={data}
        form={form}
        clockState={(data.clock?.state as never) ?? null}
        actions={actions}
        labels={EVENT_LABELS}
        state={state}
        canRevoke={can(frame.actor, "case.approve", { siteId: data.application.site_id })}
      />,
      status,
    );
  };
  app.get("/admin/services/cases/:id", (request, reply) => casePage(request, reply, { values: {} }));
  app.post("/admin/services/cases/:id/act", async (request, reply) => {
    const { frame, data } = await handledCase(request, reply);
    const form = readForm(request);
    const action = form.text("action") as ApplicationAction;
    if (!(action in applicationMachine.actions) || action === "resubmit")
      throw new UserError("未知的办理操作");
    const values = Object.fromEntries(["comment", "reason", "items"].map((k) => [k, form.text(k)]));
    try {
      await act(ctx, frame.actor, data.application.id, action, {
        comment: values.comment ?? "",
        reason: values.reason ?? "",
        items: values.items ?? "",
        result: form.files("result"),
      });
      return reply.redirect(`/admin/services/cases/${data.application.id}?msg=updated`, 303);
    } catch (error) {
      return casePage(request, reply, { ...formProblem(error, values), action }, 400);
    }
  });
  app.get("/admin/services/cases/:id/files/:fileId", async (request, reply) => {
    const { data } = await handledCase(request, reply);
    const file = await applicationFile(
      ctx,
      data.application.id,
      Number((request.params as { fileId: string }).fileId) || 0,
    );
    return sendStoredFile(ctx, reply, file);
  });
  app.post("/admin/services/licences/:number/revoke", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const { number } = request.params as { number: string };
    await revokeLicence(ctx, frame.actor, number, readForm(request).text("reason"));
    return reply.redirect(`/bsfw/zz/${encodeURIComponent(number)}`, 303);
  });

  app.get("/admin/services/followups", async (request, reply) => {
    const frame = officer(request, reply);
    return sendPage(reply, <FollowupsPage frame={frame} rows={await followupsFor(ctx, frame.actor)} />);
  });
  const followupPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: FormState,
    status = 200,
  ) => {
    const frame = officer(request, reply);
    const id = Number((request.params as { id: string }).id) || 0;
    const row = (await followupsFor(ctx, frame.actor)).find((f) => f.id === id);
    if (!row) throw new NotFoundError("整改任务不存在");
    return sendPage(reply, <FollowupPage frame={frame} row={row} state={state} />, status);
  };
  app.get("/admin/services/followups/:id", (request, reply) => followupPage(request, reply, { values: {} }));
  app.post("/admin/services/followups/:id", async (request, reply) => {
    const frame = officer(request, reply);
    const form = readForm(request);
    const values = { handling: form.text("handling"), response: form.text("response") };
    try {
      await closeFollowup(ctx, frame.actor, Number((request.params as { id: string }).id) || 0, values);
      return reply.redirect("/admin/services/followups?msg=updated", 303);
    } catch (error) {
      return followupPage(request, reply, formProblem(error, values), 400);
    }
  });
}

class RedirectToItems extends Error {}

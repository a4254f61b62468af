import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { can, scopeFor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError } from "../../core/errors.ts";
import { adminFrame, RedirectToLogin, requireStaff } from "../../core/http/admin.ts";
import { type FormState, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import { buildFrame, resolveSite } from "../sites/frame.ts";
import { listSites, portalSite } from "../sites/service.ts";
import {
  commentOn,
  consultationForStaff,
  consultationPage,
  consultationTotals,
  publicConsultations,
  publishAdoption,
  publishConsultation,
  saveConsultation,
  sectionsText,
  staffConsultations,
  voteOnSection,
} from "./consultations.ts";
import { perSubmitter } from "./limits.ts";
import { moderateComment, moderationQueue, saveSensitiveWords, sensitiveWords } from "./moderation.ts";
import {
  ConsultationAdminListPage,
  ConsultationEditPage,
  ConsultationListPage,
  ConsultationPage,
  ModerationPage,
} from "./views/consultations.tsx";

const SUBMIT_LIMIT = perSubmitter(10);
const NOTICES: Record<string, string> = {
  voted: "已记录您的态度。",
  commented: "意见已发表，感谢您的参与。",
  held: "意见已提交，含需审核的内容，审核通过后公开显示。",
};

/** 民意征集 on every site; staff drafting, publishing, 意见采纳情况 and moderation in the admin. */
export async function registerConsultationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const mount = (prefix: string) => {
    const frameFor = async (request: FastifyRequest) => {
      const { site, base } = await resolveSite(ctx, request, (request.params as { code?: string }).code);
      return { site, frame: await buildFrame(ctx, request, site, base) };
    };
    const scopeOf = (site: { id: number; kind: string }) => (site.kind === "portal" ? undefined : site.id);
    const idOf = (request: FastifyRequest) => {
      const id = Number((request.params as { id: string }).id);
      if (!Number.isInteger(id) || id <= 0) throw new NotFoundError();
      return id;
    };
    const citizenOf = (request: FastifyRequest) => {
      if (request.actor?.kind !== "citizen")
        throw new RedirectToLogin(request.url.replace(/\/(vote|comment)$/, ""));
      return request.actor.id;
    };

    app.get(`${prefix}/myzj/`, async (request, reply) => {
      const { site, frame } = await frameFor(request);
      return sendPage(
        reply,
        <ConsultationListPage frame={frame} rows={await publicConsultations(ctx, scopeOf(site))} />,
      );
    });
    const page = async (request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) => {
      const { site, frame } = await frameFor(request);
      const citizen = request.actor?.kind === "citizen" ? request.actor.id : null;
      const data = await consultationPage(ctx, idOf(request), citizen, scopeOf(site));
      const notice = NOTICES[(request.query as { msg?: string }).msg ?? ""];
      return sendPage(
        reply,
        <ConsultationPage
          frame={frame}
          csrf={reply.generateCsrf()}
          data={data}
          signedIn={citizen !== null}
          state={state}
          notice={notice}
        />,
        status,
      );
    };
    app.get(`${prefix}/myzj/:id`, (request, reply) => page(request, reply, { values: {} }));
    app.post(`${prefix}/myzj/:id/vote`, { config: SUBMIT_LIMIT }, async (request, reply) => {
      const citizen = citizenOf(request);
      const form = readForm(request);
      const id = idOf(request);
      try {
        await voteOnSection(ctx, citizen, id, form.int("sectionId") ?? 0, form.text("stance"));
      } catch (error) {
        return page(request, reply, formProblem(error, {}), 400);
      }
      const { frame } = await frameFor(request);
      return reply.redirect(`${frame.base}/myzj/${id}?msg=voted#s-${form.int("sectionId") ?? 0}`, 303);
    });
    app.post(`${prefix}/myzj/:id/comment`, { config: SUBMIT_LIMIT }, async (request, reply) => {
      const citizen = citizenOf(request);
      const form = readForm(request);
      const id = idOf(request);
      const values = { sectionId: form.text("sectionId"), body: form.text("body") };
      try {
        const section = form.int("sectionId");
        const { held } = await commentOn(ctx, citizen, id, section ? section : null, values.body);
        const { frame } = await frameFor(request);
        return reply.redirect(`${frame.base}/myzj/${id}?msg=${held ? "held" : "commented"}`, 303);
      } catch (error) {
        return page(request, reply, formProblem(error, values), 400);
      }
    });
  };
  mount("");
  mount("/sites/:code");

  /* ---------------------------------------------------------- staff */
  const editor = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    const scope = scopeFor(frame.actor, "document.edit");
    if (!scope.all && scope.siteIds.length === 0) throw new ForbiddenError("您没有发起民意征集的权限");
    return frame;
  };
  const editableSites = async (request: FastifyRequest) => {
    const actor = requireStaff(request);
    return (await listSites(ctx)).filter((s) => can(actor, "document.edit", { siteId: s.id }));
  };
  app.get("/admin/consultations", async (request, reply) => {
    const frame = editor(request, reply);
    return sendPage(
      reply,
      <ConsultationAdminListPage frame={frame} rows={await staffConsultations(ctx, frame.actor)} />,
    );
  });
  const editPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number | null,
    state: FormState | null,
    status = 200,
  ) => {
    const frame = editor(request, reply);
    const sites = await editableSites(request);
    if (id === null)
      return sendPage(
        reply,
        <ConsultationEditPage
          frame={frame}
          id={null}
          sites={sites}
          phase="draft"
          totals={null}
          adoptionReport=""
          state={state ?? { values: { siteId: String(sites[0]?.id ?? "") } }}
        />,
        status,
      );
    const { consultation: c, sections, phase } = await consultationForStaff(ctx, frame.actor, id);
    const values = {
      siteId: String(c.site_id),
      title: c.title,
      summary: c.summary,
      opensOn: c.opens_on,
      closesOn: c.closes_on,
      sections: sectionsText(sections),
    };
    return sendPage(
      reply,
      <ConsultationEditPage
        frame={frame}
        id={id}
        sites={sites}
        phase={phase}
        totals={await consultationTotals(ctx, id)}
        adoptionReport={c.adoption_report}
        state={state ? { ...state, values: { ...values, ...state.values } } : { values }}
      />,
      status,
    );
  };
  const formValues = (request: FastifyRequest) => {
    const form = readForm(request);
    return Object.fromEntries(
      ["siteId", "title", "summary", "opensOn", "closesOn", "sections"].map((k) => [k, form.text(k)]),
    );
  };
  const input = (v: Record<string, string>) => ({
    siteId: Number(v.siteId) || 0,
    title: v.title ?? "",
    summary: v.summary ?? "",
    opensOn: v.opensOn ?? "",
    closesOn: v.closesOn ?? "",
    sections: v.sections ?? "",
  });
  app.get("/admin/consultations/new", (request, reply) => editPage(request, reply, null, null));
  app.post("/admin/consultations/new", async (request, reply) => {
    const frame = editor(request, reply);
    const values = formValues(request);
    try {
      const id = await saveConsultation(ctx, frame.actor, null, input(values));
      return reply.redirect(`/admin/consultations/${id}?msg=created`, 303);
    } catch (error) {
      return editPage(request, reply, null, formProblem(error, values), 400);
    }
  });
  const idParam = (request: FastifyRequest) => Number((request.params as { id: string }).id) || 0;
  app.get("/admin/consultations/:id", (request, reply) => editPage(request, reply, idParam(request), null));
  app.post("/admin/consultations/:id", async (request, reply) => {
    const frame = editor(request, reply);
    const values = formValues(request);
    try {
      await saveConsultation(ctx, frame.actor, idParam(request), input(values));
      return reply.redirect(`/admin/consultations/${idParam(request)}?msg=saved`, 303);
    } catch (error) {
      return editPage(request, reply, idParam(request), formProblem(error, values), 400);
    }
  });
  app.post("/admin/consultations/:id/publish", async (request, reply) => {
    const frame = editor(request, reply);
    await publishConsultation(ctx, frame.actor, idParam(request));
    return reply.redirect(`/admin/consultations/${idParam(request)}?msg=published`, 303);
  });
  app.post("/admin/consultations/:id/adoption", async (request, reply) => {
    const frame = editor(request, reply);
    const report = readForm(request).text("report");
    try {
      await publishAdoption(ctx, frame.actor, idParam(request), report);
      return reply.redirect(`/admin/consultations/${idParam(request)}?msg=published`, 303);
    } catch (error) {
      return editPage(request, reply, idParam(request), formProblem(error, { report }), 400);
    }
  });

  const moderationPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: FormState,
    status = 200,
  ) => {
    const frame = adminFrame(request, reply);
    const review = scopeFor(frame.actor, "document.review");
    const portal = await portalSite(ctx);
    const canEditWords = !!portal && can(frame.actor, "site.manage", { siteId: portal.id });
    if (!review.all && review.siteIds.length === 0 && !canEditWords)
      throw new ForbiddenError("您没有审核意见的权限");
    return sendPage(
      reply,
      <ModerationPage
        frame={frame}
        queue={await moderationQueue(ctx, frame.actor)}
        words={await sensitiveWords(ctx)}
        canEditWords={canEditWords}
        state={state}
      />,
      status,
    );
  };
  app.get("/admin/moderation", (request, reply) => moderationPage(request, reply, { values: {} }));
  app.post("/admin/moderation/words", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const words = readForm(request).text("words");
    try {
      await saveSensitiveWords(ctx, frame.actor, words);
      return reply.redirect("/admin/moderation?msg=saved", 303);
    } catch (error) {
      return moderationPage(request, reply, formProblem(error, { words }), 400);
    }
  });
  app.post("/admin/moderation/comments/:id", async (request, reply) => {
    const frame = adminFrame(request, reply);
    const form = readForm(request);
    try {
      await moderateComment(
        ctx,
        frame.actor,
        idParam(request),
        form.text("decision") === "approve" ? "approve" : "reject",
        form.text("reason"),
      );
      return reply.redirect("/admin/moderation?msg=updated", 303);
    } catch (error) {
      return moderationPage(request, reply, formProblem(error, {}), 400);
    }
  });
}

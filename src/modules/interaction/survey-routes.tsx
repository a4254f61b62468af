import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { can, scopeFor } from "../../core/auth/permissions.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, UserError } from "../../core/errors.ts";
import { adminFrame, requireStaff } from "../../core/http/admin.ts";
import { type FormState, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import { barChartSvg } from "../disclosure/charts.ts";
import { toCsv } from "../disclosure/csv.ts";
import { buildFrame, resolveSite } from "../sites/frame.ts";
import { listSites } from "../sites/service.ts";
import { perSubmitter } from "./limits.ts";
import type { SurveyQuestion } from "./schema.ts";
import {
  hasResponded,
  publicSurvey,
  publicSurveys,
  publishSurvey,
  RATING_SCALE,
  type Respondent,
  responseTable,
  saveSurvey,
  staffSurveys,
  submitResponse,
  surveyForStaff,
  surveyResults,
} from "./surveys.ts";
import {
  SurveyAdminListPage,
  SurveyEditPage,
  SurveyListPage,
  SurveyPage,
  SurveyResultsPage,
} from "./views/surveys.tsx";

const SUBMIT_LIMIT = perSubmitter(10);
/** Identifies a browser for anonymous surveys; random, carries nothing about the person. */
const BROWSER_COOKIE = "zw_sv";

/** What a re-rendered survey form needs to keep: every answer as typed. */
function typedValues(questions: SurveyQuestion[], form: ReturnType<typeof readForm>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const q of questions) {
    const name = `q${q.id}`;
    if (q.kind === "multiple") values[name] = form.all(name).join(",");
    else if (q.kind === "matrix")
      for (const [r] of q.rows.entries()) values[`${name}.${r}`] = form.text(`${name}.${r}`);
    else values[name] = form.text(name);
  }
  return values;
}

/** 调查问卷 on every site; the builder, publishing, live results and CSV export. */
export async function registerSurveyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
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
    const respondent = (request: FastifyRequest): Respondent => ({
      citizenId: request.actor?.kind === "citizen" ? request.actor.id : null,
      browserToken: request.cookies[BROWSER_COOKIE] ?? null,
    });

    app.get(`${prefix}/dcwj/`, async (request, reply) => {
      const { site, frame } = await frameFor(request);
      return sendPage(reply, <SurveyListPage frame={frame} rows={await publicSurveys(ctx, scopeOf(site))} />);
    });
    const page = async (request: FastifyRequest, reply: FastifyReply, state: FormState, status = 200) => {
      const { site, frame } = await frameFor(request);
      const { survey, questions, phase } = await publicSurvey(ctx, idOf(request), scopeOf(site));
      if (survey.response_rule === "browser" && !request.cookies[BROWSER_COOKIE])
        reply.setCookie(BROWSER_COOKIE, randomBytes(18).toString("base64url"), {
          path: "/",
          httpOnly: true,
          sameSite: "lax",
          secure: ctx.config.publicUrl.startsWith("https://"),
          maxAge: 366 * 86_400,
        });
      const who = respondent(request);
      const blocked =
        phase === "closed"
          ? "closed"
          : phase === "upcoming"
            ? "upcoming"
            : survey.response_rule === "account" && who.citizenId === null
              ? "login"
              : (await hasResponded(ctx, survey, who))
                ? "answered"
                : null;
      return sendPage(
        reply.header("Cache-Control", "no-store"),
        <SurveyPage
          frame={frame}
          csrf={reply.generateCsrf()}
          survey={survey}
          questions={questions}
          phase={phase}
          blocked={blocked}
          state={state}
        />,
        status,
      );
    };
    app.get(`${prefix}/dcwj/:id`, (request, reply) => page(request, reply, { values: {} }));
    app.post(`${prefix}/dcwj/:id`, { config: SUBMIT_LIMIT }, async (request, reply) => {
      const { site, frame } = await frameFor(request);
      const id = idOf(request);
      const form = readForm(request);
      const { questions } = await publicSurvey(ctx, id, scopeOf(site));
      try {
        await submitResponse(ctx, id, respondent(request), (name) => form.all(name), scopeOf(site));
        return reply.redirect(`${frame.base}/dcwj/${id}/jg?thanks=1`, 303);
      } catch (error) {
        if (error instanceof UserError && error.statusCode === 409)
          return page(request, reply, { values: {} }, 409);
        return page(request, reply, formProblem(error, typedValues(questions, form)), 400);
      }
    });
    app.get(`${prefix}/dcwj/:id/jg`, async (request, reply) => {
      const { site, frame } = await frameFor(request);
      const { survey } = await publicSurvey(ctx, idOf(request), scopeOf(site));
      if (!survey.results_public) throw new NotFoundError("该问卷的调查结果不公开");
      const { results, responses } = await surveyResults(ctx, survey.id);
      const charts: Record<number, string> = {};
      for (const r of results) {
        const q = r.question;
        if (q.kind === "text" || r.answered === 0) continue;
        charts[q.id] =
          q.kind === "matrix"
            ? barChartSvg({
                label: q.prompt,
                unit: "人",
                categories: q.rows,
                series: q.options.map((c, j) => ({ name: c, values: r.matrix.map((row) => row[j] ?? 0) })),
              })
            : barChartSvg({
                label: q.prompt,
                unit: "人",
                categories: q.kind === "rating" ? RATING_SCALE.map((n) => `${n} 分`) : q.options,
                series: [{ name: "人数", values: r.counts }],
              });
      }
      return sendPage(
        reply.header("Cache-Control", "no-store"),
        <SurveyResultsPage
          frame={frame}
          survey={survey}
          total={responses.length}
          results={results}
          charts={charts}
          thanks={(request.query as { thanks?: string }).thanks === "1"}
        />,
      );
    });
  };
  mount("");
  mount("/sites/:code");

  /* ---------------------------------------------------------- staff */
  const editor = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    const scope = scopeFor(frame.actor, "document.edit");
    if (!scope.all && scope.siteIds.length === 0) throw new ForbiddenError("您没有管理调查问卷的权限");
    return frame;
  };
  const idParam = (request: FastifyRequest) => Number((request.params as { id: string }).id) || 0;
  app.get("/admin/surveys", async (request, reply) => {
    const frame = editor(request, reply);
    return sendPage(reply, <SurveyAdminListPage frame={frame} rows={await staffSurveys(ctx, frame.actor)} />);
  });
  const editPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number | null,
    state: FormState | null,
    status = 200,
  ) => {
    const frame = editor(request, reply);
    const actor = requireStaff(request);
    const sites = (await listSites(ctx)).filter((s) => can(actor, "document.edit", { siteId: s.id }));
    if (id === null)
      return sendPage(
        reply,
        <SurveyEditPage
          frame={frame}
          id={null}
          sites={sites}
          phase="draft"
          responses={0}
          state={state ?? { values: { siteId: String(sites[0]?.id ?? ""), responseRule: "browser" } }}
        />,
        status,
      );
    const { survey: s, phase } = await surveyForStaff(ctx, frame.actor, id);
    const { responses } = await surveyResults(ctx, id);
    const values = {
      siteId: String(s.site_id),
      title: s.title,
      intro: s.intro,
      opensOn: s.opens_on,
      closesOn: s.closes_on,
      responseRule: s.response_rule,
      resultsPublic: s.results_public ? "1" : "0",
      source: s.source,
    };
    return sendPage(
      reply,
      <SurveyEditPage
        frame={frame}
        id={id}
        sites={sites}
        phase={phase}
        responses={responses.length}
        state={state ? { ...state, values: { ...values, ...state.values } } : { values }}
      />,
      status,
    );
  };
  const save = async (request: FastifyRequest, reply: FastifyReply, id: number | null) => {
    const frame = editor(request, reply);
    const form = readForm(request);
    const values = Object.fromEntries(
      ["siteId", "title", "intro", "opensOn", "closesOn", "responseRule", "source"].map((k) => [
        k,
        form.text(k),
      ]),
    );
    values.resultsPublic = form.text("resultsPublic") === "1" ? "1" : "0";
    try {
      const saved = await saveSurvey(ctx, frame.actor, id, {
        siteId: Number(values.siteId) || 0,
        title: values.title ?? "",
        intro: values.intro ?? "",
        opensOn: values.opensOn ?? "",
        closesOn: values.closesOn ?? "",
        responseRule: values.responseRule ?? "",
        resultsPublic: values.resultsPublic === "1",
        source: values.source ?? "",
      });
      return reply.redirect(`/admin/surveys/${saved}?msg=saved`, 303);
    } catch (error) {
      return editPage(request, reply, id, formProblem(error, values), 400);
    }
  };
  app.get("/admin/surveys/new", (request, reply) => editPage(request, reply, null, null));
  app.post("/admin/surveys/new", (request, reply) => save(request, reply, null));
  app.get("/admin/surveys/:id", (request, reply) => editPage(request, reply, idParam(request), null));
  app.post("/admin/surveys/:id", (request, reply) => save(request, reply, idParam(request)));
  app.post("/admin/surveys/:id/publish", async (request, reply) => {
    const frame = editor(request, reply);
    await publishSurvey(ctx, frame.actor, idParam(request));
    return reply.redirect(`/admin/surveys/${idParam(request)}?msg=published`, 303);
  });
  app.get("/admin/surveys/:id/responses.csv", async (request, reply) => {
    const frame = editor(request, reply);
    const { questions } = await surveyForStaff(ctx, frame.actor, idParam(request));
    const { responses } = await surveyResults(ctx, idParam(request));
    const table = responseTable(questions, responses);
    return reply
      .type("text/csv; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="survey-${idParam(request)}.csv"`)
      .header("Cache-Control", "no-store")
      .send(toCsv(table.header, table.rows));
  });
}

import { createHash } from "node:crypto";
import { type Actor, can } from "../../core/auth/permissions.ts";
import { chinaDay } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, NotFoundError, Problems, UserError } from "../../core/errors.ts";
import { type ConsultationPhase, phaseOf } from "./consultations.ts";
import {
  QUESTION_KINDS,
  type QuestionKind,
  type Survey,
  type SurveyAnswer,
  type SurveyQuestion,
} from "./schema.ts";

/**
 * 调查问卷. Staff write the questions as plain text (no script needed to build one):
 *
 *   # 您多大年龄？ [单选] *
 *   - 18—59 岁
 *   - 60 岁以上 -> 4          (choosing it skips to question 4)
 *   # 您常用哪些办事渠道？ [多选]
 *   # 您对窗口服务打几分？ [评分] *
 *   # 请评价以下方面 [矩阵]
 *   - 行：办事效率
 *   - 列：满意
 *   # 还有什么建议？ [填空]
 *
 * "*" marks a required question. Skip logic: a skipped question is neither required nor recorded,
 * so the form works as one plain page without JavaScript. Rating is 1–5.
 */
export const RATING_SCALE = [1, 2, 3, 4, 5] as const;
const KIND_BY_LABEL = Object.fromEntries(Object.entries(QUESTION_KINDS).map(([k, v]) => [v, k])) as Record<
  string,
  QuestionKind
>;

export interface ParsedQuestion {
  kind: QuestionKind;
  prompt: string;
  required: boolean;
  options: string[];
  rows: string[];
  jumps: (number | null)[];
}

export function parseQuestions(source: string): { questions: ParsedQuestion[]; errors: string[] } {
  const questions: ParsedQuestion[] = [];
  const errors: string[] = [];
  for (const raw of source.replace(/\r\n/g, "\n").split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const head = /^#\s*(.+?)\s*[[［](单选|多选|填空|评分|矩阵)[\]］]\s*(\*)?$/.exec(line);
    if (head) {
      questions.push({
        kind: KIND_BY_LABEL[head[2] as string] as QuestionKind,
        prompt: (head[1] as string).slice(0, 200),
        required: head[3] === "*",
        options: [],
        rows: [],
        jumps: [],
      });
      continue;
    }
    const q = questions.at(-1);
    const item = /^[-－]\s*(.+)$/.exec(line)?.[1]?.trim();
    if (!q || !item) {
      errors.push(`无法识别“${line.slice(0, 30)}”：题目以“# 题目 [单选]”开头，选项以“- ”开头`);
      continue;
    }
    if (q.kind === "matrix") {
      const part = /^(行|列)[:：]\s*(.+)$/.exec(item);
      if (!part) errors.push(`矩阵题“${q.prompt}”的选项须写成“- 行：…”或“- 列：…”`);
      else if (part[1] === "行") q.rows.push((part[2] as string).slice(0, 100));
      else q.options.push((part[2] as string).slice(0, 100));
      continue;
    }
    const jump = /^(.+?)\s*->\s*(\d+|结束)$/.exec(item);
    q.options.push((jump ? (jump[1] as string) : item).slice(0, 100));
    q.jumps.push(jump ? (jump[2] === "结束" ? 0 : Number(jump[2])) : null);
  }
  for (const [i, q] of questions.entries()) {
    const n = i + 1;
    if ((q.kind === "single" || q.kind === "multiple") && q.options.length < 2)
      errors.push(`第 ${n} 题至少要有 2 个选项`);
    if ((q.kind === "text" || q.kind === "rating") && q.options.length)
      errors.push(`第 ${n} 题（${QUESTION_KINDS[q.kind]}）不需要选项`);
    if (q.kind === "matrix" && (q.rows.length < 1 || q.options.length < 2))
      errors.push(`第 ${n} 题（矩阵）至少要有 1 行、2 列`);
    if (q.kind !== "single" && q.jumps.some((j) => j !== null))
      errors.push(`第 ${n} 题：只有单选题可以设置跳题`);
    for (const j of q.jumps)
      if (j !== null && j !== 0 && (j <= n || j > questions.length))
        errors.push(`第 ${n} 题的跳题目标须是后面的题号（${n + 1}—${questions.length}）或“结束”`);
  }
  if (questions.length === 0) errors.push("请至少写一道题");
  if (questions.length > 60) errors.push("最多 60 道题");
  return { questions, errors };
}

export interface SurveyInput {
  siteId: number;
  title: string;
  intro: string;
  opensOn: string;
  closesOn: string;
  responseRule: string;
  resultsPublic: boolean;
  source: string;
}

const isDay = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d));

export async function saveSurvey(
  ctx: AppContext,
  actor: Actor,
  id: number | null,
  input: SurveyInput,
): Promise<number> {
  if (!can(actor, "document.edit", { siteId: input.siteId }))
    throw new ForbiddenError("您没有在该网站发起问卷调查的权限");
  const p = new Problems();
  const title = input.title.trim();
  if (title.length < 4 || title.length > 100) p.add("title", "标题为 4—100 个字");
  if (!isDay(input.opensOn)) p.add("opensOn", "请填写开始日期");
  if (!isDay(input.closesOn)) p.add("closesOn", "请填写截止日期");
  else if (isDay(input.opensOn) && input.closesOn < input.opensOn)
    p.add("closesOn", "截止日期不能早于开始日期");
  if (input.responseRule !== "account" && input.responseRule !== "browser")
    p.add("responseRule", "请选择填写方式");
  const { questions, errors } = parseQuestions(input.source);
  if (errors.length) p.add("source", errors.slice(0, 3).join("；"));
  p.throwIfAny();
  return ctx.db.transaction().execute(async (trx) => {
    const values = {
      site_id: input.siteId,
      title,
      intro: input.intro.trim().slice(0, 2000),
      opens_on: input.opensOn,
      closes_on: input.closesOn,
      response_rule: input.responseRule as "account" | "browser",
      results_public: input.resultsPublic,
      source: input.source.trim(),
    };
    let surveyId = id;
    if (surveyId === null) {
      surveyId = (
        await trx
          .insertInto("surveys")
          .values({ ...values, created_by: actor.id })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id;
    } else {
      const existing = await trx
        .selectFrom("surveys")
        .selectAll()
        .where("id", "=", surveyId)
        .forUpdate()
        .executeTakeFirst();
      if (!existing) throw new NotFoundError("问卷不存在");
      if (!can(actor, "document.edit", { siteId: existing.site_id }))
        throw new ForbiddenError("您没有修改该问卷的权限");
      if (existing.published_at) throw new UserError("已发布的问卷不能修改题目，以免答卷对应不上");
      await trx.updateTable("surveys").set(values).where("id", "=", surveyId).execute();
      await trx.deleteFrom("survey_questions").where("survey_id", "=", surveyId).execute();
    }
    const sid = surveyId;
    await trx
      .insertInto("survey_questions")
      .values(questions.map((q, i) => ({ survey_id: sid, position: i + 1, ...q })))
      .execute();
    return sid;
  });
}

async function loadSurvey(ctx: AppContext, id: number) {
  const survey = await ctx.db.selectFrom("surveys").selectAll().where("id", "=", id).executeTakeFirst();
  if (!survey) throw new NotFoundError("问卷不存在");
  const questions = await ctx.db
    .selectFrom("survey_questions")
    .selectAll()
    .where("survey_id", "=", id)
    .orderBy("position")
    .execute();
  return { survey, questions };
}

export async function publishSurvey(ctx: AppContext, actor: Actor, id: number): Promise<void> {
  const { survey } = await loadSurvey(ctx, id);
  if (!can(actor, "document.publish", { siteId: survey.site_id }))
    throw new ForbiddenError("发布问卷须经审核人同意");
  if (!survey.published_at)
    await ctx.db.updateTable("surveys").set({ published_at: new Date() }).where("id", "=", id).execute();
}

export async function surveyForStaff(ctx: AppContext, actor: Actor, id: number) {
  const loaded = await loadSurvey(ctx, id);
  if (!can(actor, "document.edit", { siteId: loaded.survey.site_id }))
    throw new ForbiddenError("您没有管理该问卷的权限");
  return { ...loaded, phase: phaseOf(loaded.survey) };
}

export async function staffSurveys(ctx: AppContext, actor: Actor) {
  const rows = await ctx.db
    .selectFrom("surveys as v")
    .innerJoin("sites as s", "s.id", "v.site_id")
    .selectAll("v")
    .select("s.name as site_name")
    .orderBy("v.id", "desc")
    .execute();
  const counts = await responseCounts(ctx);
  return rows
    .filter((v) => can(actor, "document.edit", { siteId: v.site_id }))
    .map((v) => ({ ...v, phase: phaseOf(v), responses: counts.get(v.id) ?? 0 }));
}

async function responseCounts(ctx: AppContext) {
  const rows = await ctx.db
    .selectFrom("survey_responses")
    .select(["survey_id", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy("survey_id")
    .execute();
  return new Map(rows.map((r) => [r.survey_id, Number(r.n)]));
}

export async function publicSurveys(ctx: AppContext, siteId?: number) {
  let q = ctx.db.selectFrom("surveys").selectAll().where("published_at", "is not", null);
  if (siteId !== undefined) q = q.where("site_id", "=", siteId);
  const rows = await q.orderBy("opens_on", "desc").orderBy("id", "desc").limit(200).execute();
  const counts = await responseCounts(ctx);
  return rows.map((v) => ({ ...v, phase: phaseOf(v), responses: counts.get(v.id) ?? 0 }));
}

export async function publicSurvey(ctx: AppContext, id: number, siteId?: number) {
  const loaded = await loadSurvey(ctx, id);
  if (!loaded.survey.published_at || (siteId !== undefined && loaded.survey.site_id !== siteId))
    throw new NotFoundError("问卷不存在");
  return { ...loaded, phase: phaseOf(loaded.survey) as ConsultationPhase };
}

export function browserHash(token: string): Buffer {
  return createHash("sha256").update(`survey-browser:${token}`).digest();
}

/** Who is answering: a citizen account, or a browser's random token (anonymous surveys). */
export interface Respondent {
  citizenId: number | null;
  browserToken: string | null;
}

export async function hasResponded(ctx: AppContext, survey: Survey, who: Respondent): Promise<boolean> {
  let q = ctx.db.selectFrom("survey_responses").select("id").where("survey_id", "=", survey.id);
  if (survey.response_rule === "account") {
    if (who.citizenId === null) return false;
    q = q.where("citizen_id", "=", who.citizenId);
  } else {
    if (!who.browserToken) return false;
    q = q.where("browser_hash", "=", browserHash(who.browserToken));
  }
  return (await q.executeTakeFirst()) !== undefined;
}

/** The raw form: field name → values, as posted (q12, q12.3 for matrix rows). */
export type PostedAnswers = (name: string) => string[];

/**
 * Checks a filled form along the path the skip logic takes and returns the answers to record;
 * questions skipped over are neither required nor recorded.
 */
export function readAnswers(questions: SurveyQuestion[], posted: PostedAnswers) {
  const problems = new Problems();
  const answers: Record<string, SurveyAnswer> = {};
  const index = (v: string | undefined, max: number) => {
    if (v === undefined || !/^\d{1,3}$/.test(v)) return null;
    const n = Number(v);
    return n < max ? n : null;
  };
  let next = 1;
  for (const q of questions) {
    if (next === 0) break;
    if (q.position < next) continue;
    const field = `q${q.id}`;
    const label = `第 ${q.position} 题`;
    let answer: SurveyAnswer | null = null;
    switch (q.kind) {
      case "single":
        answer = index(posted(field)[0], q.options.length);
        break;
      case "multiple": {
        const picked = [...new Set(posted(field).map((v) => index(v, q.options.length)))].filter(
          (n): n is number => n !== null,
        );
        answer = picked.length ? picked.sort((a, b) => a - b) : null;
        break;
      }
      case "text": {
        const text = (posted(field)[0] ?? "").trim();
        if (text.length > 1000) problems.add(field, `${label}不超过 1000 字`);
        answer = text ? text.slice(0, 1000) : null;
        break;
      }
      case "rating": {
        const n = Number(posted(field)[0]);
        answer = (RATING_SCALE as readonly number[]).includes(n) ? n : null;
        break;
      }
      case "matrix": {
        const rows: Record<string, number> = {};
        for (const [r] of q.rows.entries()) {
          const c = index(posted(`${field}.${r}`)[0], q.options.length);
          if (c !== null) rows[String(r)] = c;
        }
        const complete = Object.keys(rows).length === q.rows.length;
        if (q.required && !complete && Object.keys(rows).length > 0)
          problems.add(`${field}.0`, `${label}请每一行都作答`);
        answer = Object.keys(rows).length ? rows : null;
        break;
      }
    }
    if (answer === null) {
      if (q.required) problems.add(q.kind === "matrix" ? `${field}.0` : field, `${label}为必答题`);
    } else answers[String(q.id)] = answer;
    next = q.position + 1;
    if (q.kind === "single" && typeof answer === "number") {
      const jump = q.jumps[answer];
      if (jump !== null && jump !== undefined) next = jump;
    }
  }
  problems.throwIfAny("问卷有未完成或填写有误的题目，请按提示修改");
  return answers;
}

/** Records a response once per account or per browser, as the survey states. */
export async function submitResponse(
  ctx: AppContext,
  id: number,
  who: Respondent,
  posted: PostedAnswers,
  siteId?: number,
  today = chinaDay(),
): Promise<void> {
  const { survey, questions } = await publicSurvey(ctx, id, siteId);
  if (phaseOf(survey, today) !== "open") throw new UserError("该问卷不在填写期内");
  if (survey.response_rule === "account" && who.citizenId === null)
    throw new UserError("本问卷需要登录后填写", 401);
  if (survey.response_rule === "browser" && !who.browserToken)
    throw new UserError("请允许浏览器保存 Cookie 后填写");
  const answers = readAnswers(questions, posted);
  try {
    await ctx.db
      .insertInto("survey_responses")
      .values({
        survey_id: survey.id,
        citizen_id: survey.response_rule === "account" ? who.citizenId : null,
        browser_hash:
          survey.response_rule === "browser" && who.browserToken ? browserHash(who.browserToken) : null,
        answers: JSON.stringify(answers) as never,
      })
      .execute();
  } catch (error) {
    if ((error as { code?: string }).code === "23505")
      throw new UserError("您已经填写过本问卷，感谢参与", 409);
    throw error;
  }
}

export interface QuestionResult {
  question: SurveyQuestion;
  answered: number;
  /** Per option (single, multiple), per score (rating), per row × column (matrix). */
  counts: number[];
  matrix: number[][];
  average: number | null;
  texts: string[];
}

/** Results as they stand now. */
export async function surveyResults(ctx: AppContext, id: number) {
  const { survey, questions } = await loadSurvey(ctx, id);
  const responses = await ctx.db
    .selectFrom("survey_responses")
    .select(["id", "answers", "created_at"])
    .where("survey_id", "=", id)
    .orderBy("id")
    .execute();
  const results: QuestionResult[] = questions.map((q) => {
    const size = q.kind === "rating" ? RATING_SCALE.length : q.options.length;
    const r: QuestionResult = {
      question: q,
      answered: 0,
      counts: Array(size).fill(0),
      matrix: q.rows.map(() => Array(q.options.length).fill(0)),
      average: null,
      texts: [],
    };
    let sum = 0;
    for (const response of responses) {
      const a = response.answers[String(q.id)];
      if (a === undefined) continue;
      r.answered += 1;
      if (q.kind === "single" && typeof a === "number") r.counts[a] = (r.counts[a] ?? 0) + 1;
      if (q.kind === "multiple" && Array.isArray(a)) for (const i of a) r.counts[i] = (r.counts[i] ?? 0) + 1;
      if (q.kind === "rating" && typeof a === "number") {
        r.counts[a - 1] = (r.counts[a - 1] ?? 0) + 1;
        sum += a;
      }
      if (q.kind === "text" && typeof a === "string") r.texts.push(a);
      if (q.kind === "matrix" && a && typeof a === "object" && !Array.isArray(a))
        for (const [row, col] of Object.entries(a)) {
          const line = r.matrix[Number(row)];
          if (line) line[col] = (line[col] ?? 0) + 1;
        }
    }
    if (q.kind === "rating" && r.answered) r.average = Math.round((sum / r.answered) * 10) / 10;
    return r;
  });
  return { survey, questions, results, responses };
}

/** One row per response, one column per question (matrix: one per row), for CSV export. */
export function responseTable(
  questions: SurveyQuestion[],
  responses: { answers: Record<string, SurveyAnswer>; created_at: Date }[],
) {
  const header = ["提交时间"];
  for (const q of questions) {
    if (q.kind === "matrix") for (const row of q.rows) header.push(`${q.position}. ${q.prompt}——${row}`);
    else header.push(`${q.position}. ${q.prompt}`);
  }
  const rows = responses.map((r) => {
    const line: (string | number | null)[] = [r.created_at.toISOString()];
    for (const q of questions) {
      const a = r.answers[String(q.id)];
      if (q.kind === "matrix") {
        for (const [i] of q.rows.entries()) {
          const col = a && typeof a === "object" && !Array.isArray(a) ? a[String(i)] : undefined;
          line.push(col === undefined ? null : (q.options[col] ?? null));
        }
      } else if (a === undefined) line.push(null);
      else if (q.kind === "single" && typeof a === "number") line.push(q.options[a] ?? null);
      else if (q.kind === "multiple" && Array.isArray(a)) line.push(a.map((i) => q.options[i]).join("；"));
      else if (typeof a === "number" || typeof a === "string") line.push(a);
      else line.push(null);
    }
    return line;
  });
  return { header, rows };
}

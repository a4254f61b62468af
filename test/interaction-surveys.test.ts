import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addCalendarDays, chinaDay } from "../src/core/calendar.ts";
import { parseQuestions } from "../src/modules/interaction/surveys.ts";
import type { HttpClient } from "./support/http.ts";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";

const QUESTIONS = `# 您的年龄段 [单选] *
- 18—59 岁
- 60 岁及以上
# 您近一年是否到政务服务大厅办过事？ [单选] *
- 是
- 否 -> 5
# 您对窗口服务打几分？ [评分] *
# 请评价以下方面 [矩阵] *
- 行：办事效率
- 行：服务态度
- 列：满意
- 列：一般
- 列：不满意
# 您常用哪些办事渠道？ [多选]
- 政务服务大厅
- 禾易办 App
- 政务服务网
# 您还有什么建议？ [填空]`;

describe("调查问卷: builder, skip logic, one response per browser or account, live results, CSV", () => {
  let p: TestPlatform;
  let staff: HttpClient;
  let portal: number;
  const qid: number[] = [];

  before(async () => {
    p = await startTestPlatform("demo");
    portal = await siteId(p.ctx, "www");
    staff = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "site_admin", siteId: portal }], "survey")).username,
    );
  });
  after(() => p.close());

  const create = async (rule: "browser" | "account") => {
    const r = await staff.submit("/admin/surveys/new", "/admin/surveys/new", {
      siteId: String(portal),
      title: `政务服务满意度调查（${rule}）`,
      intro: "",
      opensOn: chinaDay(),
      closesOn: addCalendarDays(chinaDay(), 10),
      responseRule: rule,
      resultsPublic: "1",
      source: QUESTIONS,
    });
    assert.equal(r.status, 303, r.text.slice(0, 500));
    const id = Number(/\/admin\/surveys\/(\d+)/.exec(r.location)?.[1]);
    assert.equal(
      (await staff.submit(`/admin/surveys/${id}`, `/admin/surveys/${id}/publish`, {})).status,
      303,
    );
    return id;
  };

  it("explains mistakes in the question text", async () => {
    const { errors } = parseQuestions("# 只有一个选项 [单选]\n- 是 -> 1\n# 评分 [评分]\n- 多余");
    assert.ok(errors.some((e) => e.includes("至少要有 2 个选项")));
    assert.ok(errors.some((e) => e.includes("跳题目标须是后面的题号")));
    assert.ok(errors.some((e) => e.includes("不需要选项")));
    const bad = await staff.submit("/admin/surveys/new", "/admin/surveys/new", {
      siteId: String(portal),
      title: "满意度调查",
      opensOn: chinaDay(),
      closesOn: chinaDay(),
      responseRule: "browser",
      source: "随便写的一行",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /无法识别/);
    assert.match(bad.text, /随便写的一行/, "the text typed is kept");
  });

  it("anonymous survey: required answers, skip logic, one response per browser, live results and CSV", async () => {
    const id = await create("browser");
    const rows = await p.ctx.db
      .selectFrom("survey_questions")
      .select("id")
      .where("survey_id", "=", id)
      .orderBy("position")
      .execute();
    qid.push(...rows.map((r) => r.id));
    const page = `/dcwj/${id}`;
    const a = p.client();
    const form = await a.get(page);
    assert.match(form.text, /每个浏览器只能提交一次/, "the rule is stated");
    assert.match(form.text, /选此项请跳至第 5 题/);

    const missing = await a.submit(page, page, { [`q${qid[0]}`]: "1", [`q${qid[1]}`]: "0" });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /第 3 题为必答题/);
    assert.match(missing.text, /第 4 题为必答题/);
    assert.match(missing.text, new RegExp(`name="q${qid[0]}" value="1" checked`), "answers are kept");

    // 否 skips questions 3 and 4: not required, and not recorded even if sent
    const skipped = await a.submit(page, page, {
      [`q${qid[0]}`]: "1",
      [`q${qid[1]}`]: "1",
      [`q${qid[2]}`]: "2",
      [`q${qid[4]}`]: ["0", "1"],
      [`q${qid[5]}`]: "希望延长周末办事时间",
    });
    assert.equal(skipped.status, 303, skipped.text.slice(0, 500));
    assert.match(skipped.location, new RegExp(`/dcwj/${id}/jg\\?thanks=1`));
    const stored = await p.ctx.db
      .selectFrom("survey_responses")
      .selectAll()
      .where("survey_id", "=", id)
      .executeTakeFirstOrThrow();
    assert.equal(stored.answers[String(qid[2])], undefined, "a skipped answer is not recorded");
    assert.deepEqual(stored.answers[String(qid[4])], [0, 1]);
    assert.equal(stored.citizen_id, null);

    const again = await a.submit("/xj/write/", page, { [`q${qid[0]}`]: "0", [`q${qid[1]}`]: "1" });
    assert.equal(again.status, 409);
    assert.match(again.text, /已经填写过本问卷/);
    assert.match((await a.get(page)).text, /您已经填写过本问卷/);

    const b = p.client();
    const full = await b.submit(page, page, {
      [`q${qid[0]}`]: "0",
      [`q${qid[1]}`]: "0",
      [`q${qid[2]}`]: "4",
      [`q${qid[3]}.0`]: "0",
      [`q${qid[3]}.1`]: "1",
      [`q${qid[4]}`]: "1",
    });
    assert.equal(full.status, 303, full.text.slice(0, 500));

    const results = await p.client().get(`/dcwj/${id}/jg`);
    assert.equal(results.status, 200);
    assert.match(results.text, /共 2 份答卷/);
    assert.match(results.text, /<svg[^>]*role="img"/);
    assert.match(results.text, /平均 4 分/);
    assert.doesNotMatch(results.text, /希望延长周末办事时间/, "text answers are not public");

    const csv = await staff.get(`/admin/surveys/${id}/responses.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type") ?? "", /text\/csv/);
    const lines = csv.text
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    assert.equal(lines.length, 3);
    assert.match(lines[0] ?? "", /4\. 请评价以下方面——办事效率/);
    assert.match(csv.text, /政务服务大厅；禾易办 App/);
    assert.match(csv.text, /希望延长周末办事时间/);
    assert.equal((await p.client().get(`/admin/surveys/${id}/responses.csv`)).status, 303, "staff only");
  });

  it("account survey: sign in first, one response per account", async () => {
    const id = await create("account");
    const rows = await p.ctx.db
      .selectFrom("survey_questions")
      .select("id")
      .where("survey_id", "=", id)
      .orderBy("position")
      .execute();
    const page = `/dcwj/${id}`;
    const anonymous = p.client();
    const shown = await anonymous.get(page);
    assert.match(shown.text, /每个账号只能提交一次/);
    assert.match(shown.text, /登录后填写/);
    const answers = { [`q${rows[0]?.id}`]: "0", [`q${rows[1]?.id}`]: "1" };
    const refused = await anonymous.submit("/xj/write/", page, answers);
    assert.equal(refused.status, 400);
    assert.match(refused.text, /登录后填写/);

    const citizen = p.client();
    await citizen.submit("/account/register", "/account/register", {
      phone: "13811115555",
      displayName: "答卷人",
      password: "Citizen-Pass1",
      passwordConfirm: "Citizen-Pass1",
      agreed: "1",
    });
    assert.equal((await citizen.submit(page, page, answers)).status, 303);
    const twice = await citizen.submit("/xj/write/", page, answers);
    assert.equal(twice.status, 409);
    const count = await p.ctx.db
      .selectFrom("survey_responses")
      .select("citizen_id")
      .where("survey_id", "=", id)
      .execute();
    assert.equal(count.length, 1);
    assert.ok(count[0]?.citizen_id);
  });
});

import type { Transaction } from "kysely";
import type { Database } from "../core/db/tables.ts";
import { centsToNumeric } from "../modules/disclosure/money.ts";
import type {
  BudgetDirection,
  BudgetFund,
  BudgetStage,
  ProjectStatus,
} from "../modules/disclosure/schema.ts";

/**
 * 财政预决算 and 重大建设项目 of the demo city. The corpus has no budget data, so this is a made-up
 * but internally consistent dataset: 市本级 2024—2026 预算 and 2024—2025 决算, three departments'
 * 2025—2026 预算 and 2025 决算, six major projects. Totals are never stored (they are sums of the
 * lines) and every report balances: each fund's income equals its spending, the last income line
 * (结转 or 调入) taking up the difference.
 */

type Trx = Transaction<Database>;

export const DEMO_BUDGET_NOTE =
  "演示数据：青禾市为虚构城市，本页全部金额均为虚构，仅用于演示平台功能，不代表任何真实地区的财政收支。";

/** [科目编码, 科目名称, 基年金额（万元）, 次年增长率, 再次年增长率] */
type Growing = [string, string, number, number, number];
/** [科目编码, 科目名称, 占支出合计的比例]; the balancing line comes last with no share. */
type Share = [string, string, number];

interface Line {
  fund: BudgetFund;
  direction: BudgetDirection;
  code: string;
  name: string;
  cents: number;
}

const cents = (wan: number) => Math.round(wan * 100);

/** Amounts of year `step` (0 = base year) of a growing line. */
function grown(line: Growing, step: number): number {
  let value = cents(line[2]);
  if (step >= 1) value = Math.round(value * (1 + line[3]));
  if (step >= 2) value = Math.round(value * (1 + line[4]));
  return value;
}

/** Income lines that add up exactly to `total`: each a share of it, the balancing line the rest. */
function balancedIncome(
  fund: BudgetFund,
  total: number,
  shares: Share[],
  balancing: [string, string],
): Line[] {
  const lines: Line[] = shares.map(([code, name, share]) => ({
    fund,
    direction: "income",
    code,
    name,
    cents: Math.round(total * share),
  }));
  const rest = total - lines.reduce((s, l) => s + l.cents, 0);
  if (rest <= 0) throw new Error(`演示预算收入比例之和超过 1：${balancing[1]}`);
  lines.push({ fund, direction: "income", code: balancing[0], name: balancing[1], cents: rest });
  return lines;
}

function spending(fund: BudgetFund, lines: Growing[], step: number, factors?: number[]): Line[] {
  return lines.map((l, i) => ({
    fund,
    direction: "spending",
    code: l[0],
    name: l[1],
    cents: Math.round(grown(l, step) * (factors?.[i % factors.length] ?? 1)),
  }));
}

const sum = (lines: Line[]) => lines.reduce((s, l) => s + l.cents, 0);

/* ---------------------------------------------------------------- 市本级 */

const PORTAL_GENERAL: Growing[] = [
  ["201", "一般公共服务支出", 138426.5, 0.018, -0.012],
  ["203", "国防支出", 2086, 0.02, 0.015],
  ["204", "公共安全支出", 94315.2, 0.031, 0.024],
  ["205", "教育支出", 251870.4, 0.046, 0.038],
  ["206", "科学技术支出", 52604.8, 0.082, 0.095],
  ["207", "文化旅游体育与传媒支出", 23918.6, 0.015, 0.021],
  ["208", "社会保障和就业支出", 182540.3, 0.052, 0.044],
  ["210", "卫生健康支出", 124236.9, 0.041, 0.036],
  ["211", "节能环保支出", 36812.4, 0.027, 0.034],
  ["212", "城乡社区支出", 149683.7, -0.031, 0.012],
  ["213", "农林水支出", 71420.1, 0.028, 0.019],
  ["214", "交通运输支出", 55137.6, 0.034, 0.022],
  ["221", "住房保障支出", 43205.9, 0.018, 0.026],
  ["224", "灾害防治及应急管理支出", 11684.2, 0.063, 0.041],
  ["227", "预备费", 19000, 0.025, 0.03],
  ["229", "其他支出", 8912.3, -0.048, -0.036],
  ["232", "债务付息支出", 30418.7, 0.062, 0.048],
];

/** Income shares by year: the tax share rises a little each year. */
const PORTAL_GENERAL_INCOME = (step: number): Share[] => [
  ["101", "税收收入", 0.446 + step * 0.006],
  ["103", "非税收入", 0.121 - step * 0.002],
  ["110", "上级补助收入", 0.236],
  ["105", "债务转贷收入", 0.081 - step * 0.003],
  ["", "调入资金", 0.052],
];
const PORTAL_GENERAL_BALANCING: [string, string] = ["", "上年结转结余"];

const PORTAL_FUND: Growing[] = [
  ["212", "城乡社区支出", 286450, -0.08, 0.03],
  ["213", "农林水支出", 12380.5, 0.02, 0.01],
  ["214", "交通运输支出", 45620, 0.12, 0.06],
  ["229", "其他支出", 18240.3, -0.05, 0.02],
  ["232", "债务付息支出", 26805.4, 0.09, 0.07],
];
const PORTAL_FUND_INCOME: Share[] = [
  ["10306", "国有土地使用权出让收入", 0.62],
  ["10310", "城市基础设施配套费收入", 0.04],
  ["105", "专项债务收入", 0.24],
  ["110", "上级补助收入", 0.03],
];
const PORTAL_FUND_BALANCING: [string, string] = ["", "上年结转收入"];

const PORTAL_SANGONG: Growing[] = [
  ["", "因公出国（境）费", 86.5, -0.05, -0.03],
  ["", "公务用车购置费", 312, -0.2, -0.1],
  ["", "公务用车运行维护费", 948.6, -0.04, -0.03],
  ["", "公务接待费", 162.4, -0.06, -0.05],
];

/** How much of each budget line the 决算 shows was spent. */
const EXECUTION = [0.987, 1.012, 0.995, 1.021, 0.964, 1.003, 1.018, 0.991, 0.978, 1.006, 0.969, 1.009];
const SANGONG_EXECUTION = [0.82, 0.95, 0.91, 0.87];

function report(
  general: Growing[],
  generalIncome: Share[],
  generalBalancing: [string, string],
  sangong: Growing[],
  step: number,
  final: boolean,
  fund?: { lines: Growing[]; income: Share[]; balancing: [string, string] },
): Line[] {
  const gs = spending("general", general, step, final ? EXECUTION : undefined);
  const lines = [...balancedIncome("general", sum(gs), generalIncome, generalBalancing), ...gs];
  if (fund) {
    const fs = spending("fund", fund.lines, step, final ? EXECUTION.slice(3) : undefined);
    lines.push(...balancedIncome("fund", sum(fs), fund.income, fund.balancing), ...fs);
  }
  lines.push(...spending("sangong", sangong, step, final ? SANGONG_EXECUTION : undefined));
  return lines;
}

/* ---------------------------------------------------------------- departments (base year 2025) */

interface DemoDepartment {
  ref: string;
  general: Growing[];
  income: Share[];
  sangong: Growing[];
}

const DEPARTMENT_BALANCING: [string, string] = ["", "上年结转结余"];

const DEPARTMENTS: DemoDepartment[] = [
  {
    ref: "dept-jyj",
    general: [
      ["205", "教育支出", 86420.3, 0.041, 0],
      ["208", "社会保障和就业支出", 6215.4, 0.035, 0],
      ["210", "卫生健康支出", 2318.7, 0.02, 0],
      ["221", "住房保障支出", 3905.6, 0.018, 0],
    ],
    income: [
      ["", "财政拨款收入", 0.84],
      ["", "事业收入", 0.11],
      ["", "其他收入", 0.012],
    ],
    sangong: [
      ["", "因公出国（境）费", 8.6, -0.1, 0],
      ["", "公务用车运行维护费", 42.3, -0.05, 0],
      ["", "公务接待费", 11.2, -0.08, 0],
    ],
  },
  {
    ref: "dept-wjw",
    general: [
      ["210", "卫生健康支出", 64380.2, 0.038, 0],
      ["208", "社会保障和就业支出", 3120.5, 0.03, 0],
      ["221", "住房保障支出", 1890.4, 0.015, 0],
    ],
    income: [
      ["", "财政拨款收入", 0.78],
      ["", "事业收入", 0.17],
      ["", "其他收入", 0.01],
    ],
    sangong: [
      ["", "公务用车运行维护费", 36.8, -0.06, 0],
      ["", "公务接待费", 9.5, -0.1, 0],
    ],
  },
  {
    ref: "dept-rsj",
    general: [
      ["208", "社会保障和就业支出", 42615.8, 0.046, 0],
      ["201", "一般公共服务支出", 3288.9, -0.02, 0],
      ["210", "卫生健康支出", 860.3, 0.012, 0],
      ["221", "住房保障支出", 1105.2, 0.01, 0],
    ],
    income: [
      ["", "财政拨款收入", 0.93],
      ["", "其他收入", 0.015],
    ],
    sangong: [
      ["", "公务用车运行维护费", 28.4, -0.04, 0],
      ["", "公务接待费", 6.8, -0.05, 0],
    ],
  },
];

/* ---------------------------------------------------------------- projects */

interface DemoProject {
  ref: string;
  name: string;
  unit: string;
  location: string;
  status: ProjectStatus;
  total: number;
  planYear: number;
  annual: number;
  completed: number;
  start: string | null;
  end: string | null;
  description: string;
  milestones: [string, string][];
}

const DEMO_PROJECT_NOTE = "本项目为演示数据，青禾市为虚构城市。";

const PROJECTS: DemoProject[] = [
  {
    ref: "prj-001",
    name: "青禾市城市轨道交通1号线一期工程",
    unit: "青禾市轨道交通集团有限公司",
    location: "东城区至高新区",
    status: "building",
    total: 1862000,
    planYear: 2026,
    annual: 318000,
    completed: 1246500,
    start: "2022-10-18",
    end: "2027-12-31",
    description:
      "线路全长28.6公里，全部为地下线，设车站22座，连接东城区老城片区、市民中心和高新区。\n建成后东城区至高新区通勤时间由约70分钟缩短至35分钟。",
    milestones: [
      ["2021-06-15", "工程可行性研究报告获批"],
      ["2022-10-18", "全线开工建设"],
      ["2024-12-26", "全线隧道贯通（洞通）"],
      ["2025-11-20", "全线轨道铺通（轨通）"],
      ["2026-09-30", "全线供电系统送电（电通），进入设备联调阶段"],
    ],
  },
  {
    ref: "prj-002",
    name: "青禾市第一人民医院新院区建设项目",
    unit: "青禾市第一人民医院",
    location: "高新区青禾大道",
    status: "building",
    total: 286500,
    planYear: 2026,
    annual: 72000,
    completed: 231800,
    start: "2023-09-01",
    end: "2027-06-30",
    description:
      "新院区规划床位1200张，总建筑面积约32万平方米，建设门急诊医技楼、住院楼、感染楼和科研教学楼。\n建成后将缓解城西和高新区群众就医距离远的问题。",
    milestones: [
      ["2022-12-20", "项目立项"],
      ["2023-09-01", "开工建设"],
      ["2024-11-28", "主体结构全面封顶"],
      ["2025-12-20", "二次结构和机电安装完成"],
      ["2026-10-15", "开始装饰装修和医疗专项工程"],
    ],
  },
  {
    ref: "prj-003",
    name: "青禾河生态综合治理工程（一期）",
    unit: "青禾市生态环境局",
    location: "青禾河城区段（东城区、西城区）",
    status: "completed",
    total: 128640,
    planYear: 2025,
    annual: 12300,
    completed: 126980.4,
    start: "2022-03-15",
    end: "2025-06-30",
    description:
      "治理河道12.4公里，实施截污纳管、清淤疏浚、生态护岸和滨河绿道建设，新增滨河绿地46公顷。\n治理后城区段水质稳定达到地表水Ⅳ类标准。",
    milestones: [
      ["2021-11-08", "可行性研究报告获批"],
      ["2022-03-15", "开工建设"],
      ["2023-12-28", "完成沿河截污纳管"],
      ["2024-10-30", "生态护岸和滨河绿道完工"],
      ["2025-06-30", "通过竣工验收"],
    ],
  },
  {
    ref: "prj-004",
    name: "城东片区老旧小区改造工程（2026年度）",
    unit: "青禾市住房和城乡建设局",
    location: "东城区",
    status: "building",
    total: 46820,
    planYear: 2026,
    annual: 46820,
    completed: 28150,
    start: "2026-03-20",
    end: "2026-12-31",
    description:
      "改造2000年以前建成的老旧小区36个、涉及居民1.2万户，内容包括管网更新、加装电梯、适老化改造和停车设施。",
    milestones: [
      ["2026-01-15", "公布年度改造计划，征求居民意见"],
      ["2026-03-20", "首批18个小区开工"],
      ["2026-07-31", "首批小区完成改造"],
      ["2026-09-10", "第二批18个小区开工"],
    ],
  },
  {
    ref: "prj-005",
    name: "青禾国际会展中心二期",
    unit: "青禾市城市建设投资集团有限公司",
    location: "高新区会展路",
    status: "preparing",
    total: 395000,
    planYear: 2026,
    annual: 15000,
    completed: 3200,
    start: null,
    end: null,
    description: "新建展馆8万平方米及配套会议中心，与一期连通，建成后室内展览面积达到16万平方米。",
    milestones: [
      ["2025-09-10", "项目建议书获批"],
      ["2026-04-22", "环境影响评价公示"],
      ["2026-08-18", "完成初步设计评审"],
    ],
  },
  {
    ref: "prj-006",
    name: "“青禾通”政务服务平台升级工程",
    unit: "青禾市政务服务和数据管理局",
    location: "全市",
    status: "completed",
    total: 8650,
    planYear: 2025,
    annual: 3200,
    completed: 8512.6,
    start: "2024-04-01",
    end: "2025-09-30",
    description: "升级全市统一政务服务平台，实现高频事项“一网通办”，新增电子证照共享和适老化服务。",
    milestones: [
      ["2024-01-12", "项目立项"],
      ["2024-04-01", "开工建设"],
      ["2025-03-18", "“一网通办”新版上线试运行"],
      ["2025-09-30", "通过竣工验收"],
    ],
  },
];

/* ---------------------------------------------------------------- import */

async function insertReport(
  trx: Trx,
  siteId: number,
  year: number,
  stage: BudgetStage,
  publishedAt: string,
  lines: Line[],
): Promise<void> {
  const at = new Date(`${publishedAt}T10:00:00+08:00`);
  const row = await trx
    .insertInto("budget_reports")
    .values({
      site_id: siteId,
      year,
      stage,
      note: DEMO_BUDGET_NOTE,
      published: true,
      published_at: at,
      created_at: at,
      updated_at: at,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await trx
    .insertInto("budget_lines")
    .values(
      lines.map((l, position) => ({
        report_id: row.id,
        fund: l.fund,
        direction: l.direction,
        code: l.code,
        name: l.name,
        amount: centsToNumeric(l.cents),
        position,
      })),
    )
    .execute();
}

/** Imports the demo budgets and projects; `departmentSites` maps department refs to their site ids. */
export async function importBudgetDemo(
  trx: Trx,
  portalSiteId: number,
  departmentSites: Map<string, number>,
): Promise<void> {
  const portalFund = { lines: PORTAL_FUND, income: PORTAL_FUND_INCOME, balancing: PORTAL_FUND_BALANCING };
  const portal = (step: number, final: boolean) =>
    report(
      PORTAL_GENERAL,
      PORTAL_GENERAL_INCOME(step),
      PORTAL_GENERAL_BALANCING,
      PORTAL_SANGONG,
      step,
      final,
      portalFund,
    );
  await insertReport(trx, portalSiteId, 2024, "budget", "2024-02-06", portal(0, false));
  await insertReport(trx, portalSiteId, 2024, "final", "2025-08-28", portal(0, true));
  await insertReport(trx, portalSiteId, 2025, "budget", "2025-02-10", portal(1, false));
  await insertReport(trx, portalSiteId, 2025, "final", "2026-08-27", portal(1, true));
  await insertReport(trx, portalSiteId, 2026, "budget", "2026-02-09", portal(2, false));

  for (const d of DEPARTMENTS) {
    const siteId = departmentSites.get(d.ref);
    if (siteId === undefined) continue;
    const dept = (step: number, final: boolean) =>
      report(d.general, d.income, DEPARTMENT_BALANCING, d.sangong, step, final);
    await insertReport(trx, siteId, 2025, "budget", "2025-02-20", dept(0, false));
    await insertReport(trx, siteId, 2025, "final", "2026-08-30", dept(0, true));
    await insertReport(trx, siteId, 2026, "budget", "2026-02-20", dept(1, false));
  }

  for (const p of PROJECTS) {
    const at = new Date(`${p.milestones.at(-1)?.[0] ?? "2026-01-05"}T10:00:00+08:00`);
    const row = await trx
      .insertInto("projects")
      .values({
        ref: p.ref,
        site_id: portalSiteId,
        name: p.name,
        unit: p.unit,
        location: p.location,
        status: p.status,
        total_investment: centsToNumeric(cents(p.total)),
        plan_year: p.planYear,
        annual_investment: centsToNumeric(cents(p.annual)),
        completed_investment: centsToNumeric(cents(p.completed)),
        start_date: p.start,
        end_date: p.end,
        description: `${p.description}\n${DEMO_PROJECT_NOTE}`,
        published: true,
        published_at: at,
        created_at: at,
        updated_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("project_milestones")
      .values(p.milestones.map(([date, text], position) => ({ project_id: row.id, date, text, position })))
      .execute();
  }
}

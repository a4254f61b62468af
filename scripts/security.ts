/**
 * SQL injection probe: Debian's sqlmap (`--batch --level 5 --risk 3`) against the public forms and
 * APIs of a throwaway instance holding the demo city. Prints per target the parameters sqlmap
 * tested, the requests it made (counted by the server), server errors and findings; exits
 * non-zero on any finding or when a target could not be tested.
 *
 *   npm run security                      every target
 *   npm run security -- --only search     targets whose name contains "search"
 *   npm run security -- --budget 200      seconds per parameter (default 75)
 *   npm run security -- --parallel 2      parameters probed at once (default 3)
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { inProcessApp } from "../bench/support/instance.ts";
import { submitLetter } from "../src/modules/interaction/service.ts";

interface Target {
  name: string;
  /** Path and query string; every query parameter is tested. */
  url: string;
  /** urlencoded POST body (without _csrf); every field is tested. */
  data?: string;
  /** The page whose form carries the CSRF token sqlmap must refresh before each POST. */
  csrfUrl?: string;
  /** Also inject into the User-Agent, Referer and Host headers (level 5 does; one target is enough). */
  headers?: boolean;
  /** Seconds for this target when it needs less than the default. */
  budget?: number;
  /** The one parameter (or header list) a job tests; set when targets are split into jobs. */
  parameter?: string;
}

/** One job per parameter, so a slow page spends its time on every parameter rather than the first. */
function jobs(target: Target): Target[] {
  const names = target.data
    ? new URLSearchParams(target.data).keys()
    : new URL(target.url, "http://x").searchParams.keys();
  const list = [...new Set(names)].map((parameter) => ({ ...target, parameter }));
  if (target.headers) list.push({ ...target, parameter: "User-Agent,Referer,Host" });
  return list.length ? list : [target];
}

const q = encodeURIComponent;
/** A real letter, so the 进度查询 form's original answer is the letter itself and not "not found". */
interface Fixtures {
  trackingNo: string;
  queryCode: string;
}
const targets = (f: Fixtures): Target[] => [
  { name: "api-search", url: `/api/search?q=${q("社保卡")}&type=policy&site=rsj&page=1`, headers: true },
  { name: "api-search-suggest", url: `/api/search/suggest?q=${q("社保")}` },
  // sqlmap stalls after its (text-matching) boolean hit here; everything it tests is done in 90 s
  { name: "api-assistant", url: `/api/assistant?q=${q("社保卡怎么办理")}`, budget: 90 },
  { name: "search-page", url: `/search?q=${q("社保卡")}&type=policy&site=rsj&page=1` },
  { name: "column-list", url: "/col/zcwj/?page=1" },
  { name: "letters-list", url: `/xj/?type=${q("咨询")}&page=1` },
  {
    name: "policy-library",
    url: `/zcwjk/?year=2024&yearOf=written&issuer=1&theme=${q("就业")}&validity=valid&q=${q("补贴")}&sort=published-desc&page=1`,
  },
  {
    name: "letter-write",
    url: "/xj/write/",
    data: `mailbox=1&type=${q("咨询")}&title=${q("咨询社保卡办理")}&body=${q("请问社保卡在哪里办理，需要带什么材料？")}&name=${q("张三")}&phone=13912345678&email=a%40example.com&publish=1`,
    csrfUrl: "/xj/write/",
  },
  {
    name: "letter-status",
    url: "/xj/cx/",
    data: `trackingNo=${f.trackingNo}&queryCode=${f.queryCode}`,
    csrfUrl: "/xj/cx/",
  },
  {
    name: "request-status",
    url: "/ysqgk/cx/",
    data: "trackingNo=YSQ20260001&queryCode=ABCD1234",
    csrfUrl: "/ysqgk/cx/",
  },
  {
    name: "service-status",
    url: "/bsfw/cx/",
    data: "number=BJ20260001&phone=13912345678",
    csrfUrl: "/bsfw/cx/",
  },
  {
    name: "citizen-login",
    url: "/account/login",
    data: "next=%2Faccount&phone=13912345678&password=Wrong-Pass1",
    csrfUrl: "/account/login",
  },
];

/** Requests the server answered per target (sqlmap names its target in a header), and server errors. */
const traffic = new Map<string, { requests: number; serverErrors: number }>();
const PROBE_HEADER = "x-security-probe";

async function throwawayInstance(): Promise<{ url: string; fixtures: Fixtures; stop: () => Promise<void> }> {
  // sqlmap's xforwardedfor tamper gives each request its own address, so the per-IP rate limits on
  // public forms do not turn every probe into 429 (which would hide an injection, not prove none)
  process.env.TRUST_PROXY = "1";
  const instance = await inProcessApp({
    name: "security",
    logLevel: "fatal",
    prepare: (app) =>
      app.addHook("onResponse", async (request, reply) => {
        const counts = traffic.get(String(request.headers[PROBE_HEADER] ?? ""));
        if (!counts) return;
        counts.requests += 1;
        if (reply.statusCode >= 500) counts.serverErrors += 1;
      }),
  });
  const portal = await instance.ctx.db
    .selectFrom("sites")
    .select("id")
    .where("code", "=", "www")
    .executeTakeFirstOrThrow();
  const fixtures = await submitLetter(instance.ctx, {
    mailboxSiteId: portal.id,
    citizenId: null,
    publishConsent: false,
    files: [],
    type: "咨询",
    title: "社保卡补办需要多久",
    body: "我的社保卡丢失了，请问补办需要多长时间，可以在网上办理吗？",
    name: "王五",
    phone: "13987654321",
    email: "",
  });
  return { url: instance.url, fixtures, stop: instance.stop };
}

interface Outcome {
  target: string;
  parameters: string[];
  requests: number;
  serverErrors: number;
  seconds: number;
  findings: string[];
  /** Boolean-based hits that a control request explained by the text of the numbers, not by SQL. */
  explained: string[];
  /** True when sqlmap finished on its own (not cut off by the time budget). */
  completed: boolean;
  problems: string[];
}

function sqlmapArgs(base: string, target: Target, outputDir: string): string[] {
  const args = [
    "-u",
    `${base}${target.url}`,
    "--batch",
    "--level=5",
    "--risk=3",
    // the platform runs on PostgreSQL only: payloads for other engines would test nothing here
    "--dbms=PostgreSQL",
    "--tamper=xforwardedfor",
    "--timeout=15",
    "--retries=1",
    "--flush-session",
    // a wrong tracking number or password is answered 404/401/400 with a message: compare those pages too
    "--ignore-code=400,401,404",
    "--disable-coloring",
    `--output-dir=${outputDir}`,
    "-v",
    "1",
    `--headers=${PROBE_HEADER}: ${target.name}:${target.parameter ?? ""}`,
  ];
  // sqlmap refreshes the form token one request at a time, so only GET targets run in parallel
  if (target.data) args.push(`--data=${target.data}&_csrf=x`, "--csrf-token=_csrf");
  else args.push("--threads=4");
  if (target.csrfUrl) args.push(`--csrf-url=${base}${target.csrfUrl}`);
  // headers reach the same code on every route: tested once, on the target that asks for it
  if (target.parameter) args.push(`-p`, target.parameter);
  else if (!target.headers) args.push("--skip=User-Agent,Referer,Host");
  return args;
}

function parse(output: string): Pick<Outcome, "parameters" | "findings" | "problems"> {
  const parameters = new Set<string>();
  for (const m of output.matchAll(/testing for SQL injection on ((?:\S+ )?parameter '[^']+')/g))
    parameters.add(m[1] ?? "");
  const findings: string[] = [];
  for (const m of output.matchAll(/((?:\S+ )?parameter '[^']+') (?:is|appears to be) '([^']+)' injectable/g))
    findings.push(`${m[1]}: ${m[2]}`);
  if (/sqlmap identified the following injection point/.test(output) && findings.length === 0)
    findings.push("sqlmap identified an injection point (see its log)");
  const problems: string[] = [];
  for (const m of output.matchAll(/\[(?:CRITICAL|ERROR)\] (.+)/g)) {
    const line = m[1] ?? "";
    // the normal end of a clean run is reported as CRITICAL by sqlmap
    if (/all tested parameters do not appear to be injectable/.test(line)) continue;
    problems.push(line.slice(0, 200));
  }
  return { parameters: [...parameters], findings, problems };
}

/** The boundaries sqlmap closes a value with before its boolean condition, and how it re-opens. */
const BOUNDARIES: [string, string][] = [
  ["", ""],
  [")", " AND (8052=8052"],
  ["'", " AND 'xq'='xq"],
  ["')", " AND ('xq'='xq"],
  ["))", " AND ((8052=8052"],
];

/**
 * The control for a boolean-based hit on a text-matching endpoint (the assistant counts the words
 * it cannot place, so "3391=3391" and "3391=4403" differ by one unknown number — exactly what
 * sqlmap's true/false pair looks like). For each boundary where the true and false conditions
 * answer differently, another TRUE condition with a new number ("3391<3392") must answer like the
 * true one if SQL were evaluating it. When it never does, the difference follows the words.
 */
async function explainedByText(base: string, target: Target, parameter: string): Promise<boolean> {
  const url = new URL(`${base}${target.url}`);
  const original = url.searchParams.get(parameter) ?? "";
  const answer = async (condition: string, [open, close]: [string, string]) => {
    url.searchParams.set(parameter, `${original}${open} AND ${condition}${close}`);
    return (await fetch(url)).text();
  };
  let reproduced = 0;
  for (const boundary of BOUNDARIES) {
    const [asTrue, asFalse, asOtherTrue] = await Promise.all(
      ["3391=3391", "3391=4403", "3391<3392"].map((c) => answer(c, boundary)),
    );
    if (asTrue === asFalse) continue;
    reproduced += 1;
    if (asOtherTrue === asTrue) return false;
  }
  return reproduced > 0;
}

function runSqlmap(args: string[], budgetSeconds: number): Promise<{ output: string; completed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn("sqlmap", args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    let completed = true;
    const timer = setTimeout(() => {
      completed = false;
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    }, budgetSeconds * 1000);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      resolve({ output, completed });
    });
  });
}

async function probe(base: string, target: Target, budgetSeconds: number): Promise<Outcome> {
  const outputDir = await mkdtemp(path.join(tmpdir(), "zhengwu-sqlmap-"));
  const counts = { requests: 0, serverErrors: 0 };
  traffic.set(`${target.name}:${target.parameter ?? ""}`, counts);
  const started = Date.now();
  try {
    const { output, completed } = await runSqlmap(sqlmapArgs(base, target, outputDir), budgetSeconds);
    const parsed = parse(output);
    if (process.env.SQLMAP_LOG) process.stdout.write(output);
    const explained: string[] = [];
    if (!target.data) {
      for (const finding of parsed.findings.filter((f) => /^GET parameter '.+': .*boolean-based/.test(f))) {
        const parameter = /'(.+)'/.exec(finding)?.[1] ?? "";
        if (!(await explainedByText(base, target, parameter))) continue;
        explained.push(finding);
        parsed.findings = parsed.findings.filter((f) => f !== finding);
      }
    }
    return {
      target: `${target.data ? "POST" : "GET"} ${target.url.split("?")[0]}${target.parameter ? ` [${target.parameter}]` : ""}`,
      ...parsed,
      explained,
      requests: counts.requests,
      serverErrors: counts.serverErrors,
      seconds: Math.round((Date.now() - started) / 1000),
      completed,
    };
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
}

function report(o: Outcome): void {
  process.stdout.write(
    `${o.target}\t参数 ${o.parameters.length}（${o.parameters.map((p) => p.replace(/ parameter /, ":")).join(", ")}）\t请求 ${o.requests}\t5xx ${o.serverErrors}\t${o.seconds} 秒${o.completed ? "" : "（到时截止）"}\t发现 ${o.findings.length}\n`,
  );
  for (const f of o.findings) process.stdout.write(`  注入点：${f}\n`);
  for (const e of o.explained)
    process.stdout.write(`  误报（对照请求的差异来自文字本身而非 SQL 条件，未计入发现）：${e}\n`);
  for (const p of o.problems) process.stdout.write(`  sqlmap：${p}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: "string" }, budget: { type: "string" }, parallel: { type: "string" } },
  });
  const budget = Number(values.budget ?? 75);
  const parallel = Number(values.parallel ?? 3);
  const instance = await throwawayInstance();
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      void instance.stop().finally(() => process.exit(130));
    });
  const chosen = targets(instance.fixtures).filter((t) => !values.only || t.name.includes(values.only));
  const outcomes: Outcome[] = [];
  const started = Date.now();
  try {
    process.stdout.write(
      `sqlmap --batch --level=5 --risk=3，每个参数最多 ${budget} 秒，同时 ${parallel} 个\n`,
    );
    // a few targets at a time: POST targets refresh their form token serially and wait on the network
    const queue = chosen.flatMap(jobs);
    const worker = async () => {
      for (let target = queue.shift(); target; target = queue.shift()) {
        const o = await probe(instance.url, target, Math.min(budget, target.budget ?? budget));
        outcomes.push(o);
        report(o);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  } finally {
    await instance.stop();
  }
  const findings = outcomes.reduce((n, o) => n + o.findings.length, 0);
  const untested = outcomes.filter((o) => o.parameters.length === 0);
  const cut = outcomes.filter((o) => !o.completed).length;
  process.stdout.write(
    `合计：目标 ${chosen.length}，参数 ${outcomes.reduce((n, o) => n + o.parameters.length, 0)}，请求 ${outcomes.reduce((n, o) => n + o.requests, 0)}，5xx ${outcomes.reduce((n, o) => n + o.serverErrors, 0)}，用时 ${Math.round((Date.now() - started) / 1000)} 秒，发现 ${findings}；到时截止的参数 ${cut}（其余参数 sqlmap 已测完全部用例）\n`,
  );
  if (untested.length) process.stdout.write(`未能测试：${untested.map((o) => o.target).join(", ")}\n`);
  process.exitCode = findings > 0 || untested.length > 0 ? 1 : 0;
}

await main();

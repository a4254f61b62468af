/**
 * Requests per second over real HTTP, with wrk, reported as ratios measured in the same run:
 *   - the home page, a list page and an article served by Zhengwu versus nginx serving the very
 *     same bytes as static files (one Zhengwu process against one nginx worker);
 *   - search (the JSON API and the results page) and the letter submission path, against the
 *     article page of the same instance as the baseline.
 *
 *   npm run bench:http                 BENCH_SECONDS=8 BENCH_CONNECTIONS=16 by default
 *   BENCH_WORKERS=2 npm run bench:http (Zhengwu with `start --workers 2`, nginx with 2 workers)
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AppInstance, resolvePath, startApp } from "./support/instance.ts";
import { startStaticNginx } from "./support/nginx.ts";
import { hasWrk, type WrkResult, wrk } from "./support/wrk.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);

const PAGES: [string, string][] = [
  ["文章页（政策文件）", "/ref/pol-001"],
  ["列表页（政策文件栏目）", "/col/zcwj/"],
  ["首页", "/"],
];

const SEARCHES = ["社保缴费基数", "公积金提取", "新生儿落户", "营业执照", "低保标准", "公积金贷款额度"];

function format(r: WrkResult): string {
  return `${r.requestsPerSecond.toFixed(0).padStart(7)} 次/秒  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99
    .toFixed(2)
    .padStart(7)} ms${r.errors ? `  错误 ${r.errors}` : ""}`;
}

/** The page exactly as a client without compression receives it, for nginx to serve. */
async function plainBytes(base: string, page: string): Promise<Buffer> {
  const response = await fetch(`${base}${page}`, { headers: { "accept-encoding": "identity" } });
  if (!response.ok) throw new Error(`${page} 返回 ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

async function mirrorOf(app: AppInstance, pages: string[]): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "zhengwu-static-"));
  for (const page of pages) {
    const file = path.join(root, page.endsWith("/") ? `${page}index.html` : page);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, await plainBytes(app.url, page));
  }
  return root;
}

/** Rotates through the queries, so no single query's plan or cache decides the figure. */
function rotatingGets(prefix: string, queries: string[]): string {
  const list = queries.map((q) => `"${prefix}${encodeURIComponent(q)}"`).join(", ");
  return `local paths = { ${list} }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
`;
}

/**
 * Letters through the public form as a browser sends them (multipart, form token and its cookie),
 * each from its own address behind the proxy so the per-citizen rate limit counts citizens, not
 * the benchmark.
 */
async function letterScript(app: AppInstance): Promise<string> {
  const form = await fetch(`${app.url}/xj/write/`);
  const html = await form.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const mailbox = /name="mailbox"[^>]*>[\s\S]*?<option value="(\d+)"/.exec(html)?.[1] ?? "1";
  const cookie = (form.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
  if (!token) throw new Error("写信页面没有表单令牌");
  return `local boundary = "----zhengwubench"
local fields = {
  { "_csrf", "${token}" }, { "mailbox", "${mailbox}" }, { "type", "建议" },
  { "body", "建议在青禾公园北门增设公交站点，方便周边居民和老人出行，谢谢。" },
  { "name", "压测市民" }, { "phone", "13800138000" }, { "email", "" }
}
local n = 0
request = function()
  n = n + 1
  local parts = {}
  for _, f in ipairs(fields) do
    parts[#parts + 1] = "--" .. boundary .. "\\r\\nContent-Disposition: form-data; name=\\"" .. f[1] .. "\\"\\r\\n\\r\\n" .. f[2] .. "\\r\\n"
  end
  parts[#parts + 1] = "--" .. boundary .. "\\r\\nContent-Disposition: form-data; name=\\"title\\"\\r\\n\\r\\n增设公交站点建议" .. n .. "\\r\\n"
  parts[#parts + 1] = "--" .. boundary .. "--\\r\\n"
  local headers = {
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
    ["Cookie"] = "${cookie}",
    ["X-Forwarded-For"] = "10." .. (math.floor(n / 65536) % 256) .. "." .. (math.floor(n / 256) % 256) .. "." .. (n % 256)
  }
  return wrk.format("POST", "/xj/write/", headers, table.concat(parts))
end
`;
}

async function main(): Promise<void> {
  if (!(await hasWrk())) throw new Error("需要 wrk（Debian: apt-get install -y wrk）");
  process.stdout.write(
    `启动临时实例（演示城市，${WORKERS} 个进程）… wrk ${CONNECTIONS} 个连接，每项 ${SECONDS} 秒\n`,
  );
  const app = await startApp({
    env: { TRUST_PROXY: "1" },
    args: WORKERS > 1 ? ["--workers", String(WORKERS)] : [],
  });
  const pages = await Promise.all(
    PAGES.map(async ([label, page]) => [label, await resolvePath(app.url, page)]),
  );
  const root = await mirrorOf(
    app,
    pages.map(([, page]) => page as string),
  );
  const nginx = await startStaticNginx(root, WORKERS);
  const load = (url: string, lua?: string) => wrk(url, { connections: CONNECTIONS, seconds: SECONDS, lua });
  try {
    process.stdout.write("\n一、页面：Zhengwu 对 nginx 静态文件（同样的字节）\n");
    for (const [label, page] of pages) {
      await wrk(`${app.url}${page}`, { seconds: 2 });
      const ours = await load(`${app.url}${page}`);
      const theirs = await load(`${nginx.url}${page}`);
      process.stdout.write(
        `${label} ${page}\n  Zhengwu ${format(ours)}\n  nginx   ${format(theirs)}\n  比值 ${(
          ours.requestsPerSecond / theirs.requestsPerSecond
        ).toFixed(2)} × nginx\n`,
      );
    }

    const article = await load(`${app.url}${pages[0]?.[1]}`);
    process.stdout.write(`\n二、搜索与提交（基线：同一实例的文章页 ${format(article)}）\n`);
    const rows: [string, WrkResult][] = [
      ["搜索接口 /api/search", await load(app.url, rotatingGets("/api/search?limit=10&q=", SEARCHES))],
      ["搜索结果页 /search", await load(app.url, rotatingGets("/search?q=", SEARCHES))],
      ["写信提交 POST /xj/write/", await load(app.url, await letterScript(app))],
    ];
    for (const [label, r] of rows)
      process.stdout.write(
        `${label}\n  ${format(r)}  = ${(r.requestsPerSecond / article.requestsPerSecond).toFixed(2)} × 文章页\n`,
      );
  } finally {
    await nginx.stop();
    await app.stop();
    await rm(root, { recursive: true, force: true });
  }
}

await main();

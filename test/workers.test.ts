import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { cloneDatabase, type TestDatabase, testContext } from "./support/cluster.ts";
import { siteId, staffWith, TEST_PASSWORD } from "./support/platform.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

interface Answer {
  status: number;
  pid: string;
  cache: string;
  cookies: string[];
  location: string;
  body: string;
}

/** One request on a fresh connection, so the cluster may hand it to any worker. */
function call(
  port: number,
  urlPath: string,
  options: { cookie?: string; form?: Record<string, string> } = {},
) {
  return new Promise<Answer>((resolve, reject) => {
    const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path: urlPath,
        method: body ? "POST" : "GET",
        agent: false,
        headers: {
          ...(options.cookie ? { cookie: options.cookie } : {}),
          ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            pid: String(res.headers["x-zhengwu-pid"] ?? ""),
            cache: String(res.headers["x-render-cache"] ?? ""),
            cookies: (res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0] ?? ""),
            location: String(res.headers.location ?? ""),
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    // a connection handed to a worker as it dies gets no answer: give up on it, not on the test
    req.setTimeout(5000, () => req.destroy(new Error("no answer")));
    req.end(body);
  });
}

/** Repeats `probe` until it holds (with a deadline; never a blind sleep). */
async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const found = await probe();
      if (found !== undefined) return found;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`${what}: not within ${ms} ms (${String(lastError ?? "")})`);
}

/** Requests until answers came from `count` different workers that satisfy `ok`. */
async function fromWorkers(
  port: number,
  count: number,
  urlPath: string,
  ok: (a: Answer) => boolean,
  what: string,
  cookie?: string,
) {
  const pids = new Set<string>();
  await until(async () => {
    const answer = await call(port, urlPath, { cookie });
    if (ok(answer)) pids.add(answer.pid);
    return pids.size >= count ? true : undefined;
  }, what);
  return pids;
}

describe("zhengwu start --workers 2", () => {
  let database: TestDatabase;
  let dataDir: string;
  let port: number;
  let child: ChildProcess;
  let output = "";
  let username: string;
  let rsj: number;

  before(async () => {
    database = await cloneDatabase("demo");
    dataDir = await mkdtemp(path.join(tmpdir(), "zhengwu-workers-"));
    const ctx = testContext(database.db, dataDir);
    rsj = await siteId(ctx, "rsj");
    username = (await staffWith(ctx, [{ role: "site_admin" }], "workeradmin")).username;
    port = await freePort();
    child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "start", "--workers", "2"], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        ZHENGWU_DEBUG_PID: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    await until(
      () => (/工作进程：/.test(output) ? Promise.resolve(true) : Promise.resolve(undefined)),
      `start (${output})`,
      60_000,
    );
  });
  after(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("spreads requests over both workers", async () => {
    const pids = await fromWorkers(port, 2, "/healthz", (a) => a.status === 200, "answers from two workers");
    assert.equal(pids.size, 2);
    assert.ok(![...pids].includes(String(child.pid)), "the primary serves nothing");
  });

  it("signed in on one worker is signed in on the other (sessions live in PostgreSQL)", async () => {
    const form = await call(port, "/admin/login");
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? "";
    const csrfCookie = form.cookies.join("; ");
    const login = await call(port, "/admin/login", {
      cookie: csrfCookie,
      form: { username, password: TEST_PASSWORD, _csrf: token },
    });
    assert.equal(login.status, 303, login.body.slice(0, 300));
    const session = [...login.cookies, csrfCookie].join("; ");
    const pids = await fromWorkers(
      port,
      2,
      "/admin",
      (a) => a.status === 200 && a.body.includes("退出"),
      "signed in on both workers",
      session,
    );
    assert.ok(pids.has(login.pid));
  });

  it("a change invalidates the render cache of both workers", async () => {
    await fromWorkers(port, 2, "/sites/rsj/", (a) => a.cache === "hit", "the page cached in both workers");
    const column = await database.db
      .selectFrom("columns")
      .select(["id", "name"])
      .where("site_id", "=", rsj)
      .where("in_nav", "=", true)
      .where("parent_id", "is", null)
      .where("slug", "!=", "index")
      .orderBy("position")
      .executeTakeFirstOrThrow();
    const renamed = `${column.name}多进程`;
    await database.db.updateTable("columns").set({ name: renamed }).where("id", "=", column.id).execute();
    await fromWorkers(
      port,
      2,
      "/sites/rsj/",
      (a) => a.body.includes(renamed),
      "the new name from both workers",
    );
    await fromWorkers(
      port,
      2,
      "/sites/rsj/",
      (a) => a.cache === "hit" && a.body.includes(renamed),
      "the new page cached again in both",
    );
  });

  it("replaces a worker that dies, and drains on SIGTERM", async () => {
    const before = await fromWorkers(port, 2, "/healthz", (a) => a.status === 200, "two workers");
    const victim = [...before][0] ?? "";
    process.kill(Number(victim), "SIGKILL");
    const pids = await until(async () => {
      const seen = await fromWorkers(port, 2, "/healthz", (a) => a.status === 200, "two workers again");
      return seen.has(victim) ? undefined : seen;
    }, "a replacement worker");
    assert.equal(pids.size, 2);
    assert.match(output, /意外退出/);
    assert.equal(child.exitCode, null, output);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    const code = await until(
      () => Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, 100))]),
      `exit after SIGTERM: ${output}`,
      40_000,
    );
    assert.equal(code, 0, output);
  });
});

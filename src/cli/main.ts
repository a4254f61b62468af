import { parseArgs } from "node:util";

import { audit, verifyAuditChain } from "../core/audit.ts";
import { ConfigError, loadConfig } from "../core/config.ts";
import type { AppContext } from "../core/context.ts";
import { UserError } from "../core/errors.ts";
import { buildServer } from "../core/http/server.tsx";
import { rotateFieldKey } from "../core/key-rotation.ts";
import { openPlatform } from "../core/platform.ts";
import { demoImported, importDemo } from "../demo/import.ts";
import { publishDueVersions } from "../modules/content/service.ts";
import { escalateOverdue } from "../modules/disclosure/requests.ts";
import { randomPassword } from "../modules/identity/passwords.ts";
import { addGrant, createStaff, staffCount } from "../modules/identity/service.ts";
import { superviseLetters } from "../modules/interaction/service.ts";
import { startMirrorUpdates } from "../modules/mirror/auto.ts";
import { publishFromCli } from "../modules/mirror/run.ts";
import { remindApplications } from "../modules/services/applications.ts";

const HELP = `用法：npm run zhengwu -- <命令> [选项]

命令：
  start                 启动网站群（首次启动自动导入演示城市“青禾市”并创建三员账号）
  migrate               执行数据库迁移
  seed                  导入演示数据（已导入则跳过）
  admin create          创建管理员  --username 用户名 --name 姓名 [--password 密码]
                        [--role sysadmin|security_admin|auditor]（默认系统管理员；三员不能兼任）
  keys rotate           轮换个人信息字段加密密钥并重新加密已存数据（旧密钥归档保留）
  publish --out 目录     把所有站点的公开页面发布为静态镜像（供 nginx 在应用或数据库不可用时兜底）；
                        再次运行只更新有变化的页面
  audit verify          逐条校验安全审计记录的 SM3 链，发现篡改或删除时以非零状态退出
  help                  显示本帮助

环境变量：DATABASE_URL（外部 PostgreSQL）、DATA_DIR（默认 ./data）、PORT（默认 3000）、HOST（默认 127.0.0.1）、
          ZHENGWU_MIRROR_DIR（设置后，内容变化时自动增量更新该目录中的静态镜像）`;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

type AdminRole = "sysadmin" | "security_admin" | "auditor";

/** 三员分立: each administrator account holds exactly one of the three roles, over all sites. */
async function createAdmin(
  ctx: AppContext,
  username: string,
  name: string,
  password: string,
  role: AdminRole = "sysadmin",
): Promise<number> {
  const id = await createStaff(ctx, { username, displayName: name, password });
  await addGrant(ctx, id, { role, siteId: null, columnId: null, reviewLevel: null });
  await audit(ctx, null, "user.created", `user:${id} ${username}`, { role, via: "cli" });
  return id;
}

/** The three administrators a new installation starts with, and their one-time passwords. */
const FIRST_ADMINS: [string, string, AdminRole][] = [
  ["admin", "系统管理员", "sysadmin"],
  ["secadmin", "安全管理员", "security_admin"],
  ["auditor", "安全审计员", "auditor"],
];

async function start(): Promise<void> {
  const config = loadConfig();
  const platform = await openPlatform(config, say);
  const { ctx } = platform;
  if (process.env.ZHENGWU_DEMO !== "0" && !(await demoImported(ctx))) {
    say("首次启动：导入演示城市“青禾市”…");
    await importDemo(ctx, (m) => say(`  导入 ${m}`));
  }
  const firstPasswords: [string, string, string][] = [];
  if ((await staffCount(ctx)) === 0) {
    for (const [username, name, role] of FIRST_ADMINS) {
      const password = randomPassword();
      await createAdmin(ctx, username, name, password, role);
      firstPasswords.push([name, username, password]);
    }
  }
  const app = await buildServer(ctx);
  // Time-driven work; each step is idempotent, so several processes may run it side by side.
  const tick = async () => {
    await publishDueVersions(ctx);
    await escalateOverdue(ctx);
    await remindApplications(ctx);
    await superviseLetters(ctx);
  };
  const timer = setInterval(() => {
    tick().catch((error) => app.log.error({ err: error }, "scheduled work failed"));
  }, config.schedulerIntervalMs);
  await tick();
  await app.listen({ port: config.port, host: config.host });
  const mirror = process.env.ZHENGWU_MIRROR_DIR
    ? startMirrorUpdates(ctx, app, process.env.ZHENGWU_MIRROR_DIR)
    : undefined;
  say("");
  say(`门户网站：  ${config.publicUrl}/`);
  say(`部门网站：  ${config.publicUrl}/sites/rsj/ 等（见网站地图 ${config.publicUrl}/sitemap/）`);
  say(`管理后台：  ${config.publicUrl}/admin`);
  if (firstPasswords.length) {
    say("三员账号（系统管理员管账号和站点，安全管理员管授权和安全策略，安全审计员只看审计记录）：");
    for (const [name, username, password] of firstPasswords)
      say(`  ${name}：${username}  初始密码：${password}`);
    say(
      "（密码只显示这一次，请分别交给三位不同的人，登录后绑定动态口令；更多管理员：npm run zhengwu -- admin create）",
    );
  }
  const stop = async () => {
    clearInterval(timer);
    await mirror?.close();
    await app.close();
    await platform.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

async function withPlatform(work: (ctx: AppContext) => Promise<void>): Promise<void> {
  const platform = await openPlatform(loadConfig(), say);
  try {
    await work(platform.ctx);
  } finally {
    await platform.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, sub] = argv;
  switch (command) {
    case "start":
      return start();
    case "migrate":
      return withPlatform(async () => say("迁移完成"));
    case "seed":
      return withPlatform(async (ctx) => {
        if (await demoImported(ctx)) return say("演示数据已导入，跳过");
        await importDemo(ctx, (m) => say(`  导入 ${m}`));
        say("演示数据导入完成");
      });
    case "admin": {
      if (sub !== "create") break;
      const { values } = parseArgs({
        args: argv.slice(2),
        options: {
          username: { type: "string" },
          name: { type: "string" },
          password: { type: "string" },
          role: { type: "string" },
        },
      });
      if (!values.username) throw new UserError("请用 --username 指定用户名");
      const role = (values.role ?? "sysadmin") as AdminRole;
      if (!FIRST_ADMINS.some(([, , r]) => r === role))
        throw new UserError("--role 只能是 sysadmin、security_admin 或 auditor");
      const password = values.password ?? randomPassword();
      return withPlatform(async (ctx) => {
        await createAdmin(ctx, values.username ?? "", values.name ?? values.username ?? "", password, role);
        say(
          `已创建管理员 ${values.username}${values.password ? "" : `，初始密码：${password}（只显示这一次）`}`,
        );
      });
    }
    case "keys": {
      if (sub !== "rotate") break;
      return withPlatform(async (ctx) => {
        await rotateFieldKey(ctx, say);
      });
    }
    case "publish": {
      const { values } = parseArgs({ args: argv.slice(1), options: { out: { type: "string" } } });
      if (!values.out) throw new UserError("请用 --out 指定镜像目录，例如 --out /srv/zhengwu-mirror");
      const outDir = values.out;
      return withPlatform(async (ctx) => {
        const app = await buildServer(ctx, { logLevel: "warn" });
        try {
          await publishFromCli(ctx, app, outDir, say);
        } finally {
          await app.close();
        }
      });
    }
    case "audit": {
      if (sub !== "verify") break;
      let report: Awaited<ReturnType<typeof verifyAuditChain>> | undefined;
      await withPlatform(async (ctx) => {
        report = await verifyAuditChain(ctx);
      });
      if (report?.ok) return say(`审计链完整：已校验 ${report.checked} 条记录`);
      say(
        `审计链已被破坏：第 ${report?.broken?.seq} 条，${report?.broken?.reason}（此前 ${report?.checked} 条无误）`,
      );
      // a distinct status, so monitoring can tell tampering from a failure to run
      return process.exit(2);
    }
    case undefined:
    case "help":
    case "--help":
      return say(HELP);
  }
  throw new UserError(`未知命令：${argv.join(" ")}\n\n${HELP}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof UserError) {
    process.stderr.write(`错误：${error.message}\n`);
    if (error instanceof UserError && Object.keys(error.fields).length) {
      for (const message of Object.values(error.fields)) process.stderr.write(`  - ${message}\n`);
    }
  } else {
    process.stderr.write(
      `启动失败：${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});

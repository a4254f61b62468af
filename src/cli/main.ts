import cluster from "node:cluster";
import { parseArgs } from "node:util";

import { audit, verifyAuditChain } from "../core/audit.ts";
import { createBackup, restoreBackup } from "../core/backup.ts";
import { ConfigError, loadConfig } from "../core/config.ts";
import type { AppContext } from "../core/context.ts";
import { manageProcessExitOurselves } from "../core/db/embedded.ts";
import { UserError } from "../core/errors.ts";
import { buildServer } from "../core/http/server.tsx";
import { reloadKeys, rotateBlindIndex, rotateFieldKey } from "../core/key-rotation.ts";
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
import { runWorkers, serveAsWorker } from "./workers.ts";

const HELP = `用法：npm run zhengwu -- <命令> [选项]

命令：
  start                 启动网站群（首次启动自动导入演示城市“青禾市”并创建三员账号）
                        [--workers N] 以 N 个工作进程共同提供服务（主进程只做迁移和定时任务）
  migrate               执行数据库迁移
  seed                  导入演示数据（已导入则跳过）
  admin create          创建管理员  --username 用户名 --name 姓名 [--password 密码]
                        [--role sysadmin|security_admin|auditor]（默认系统管理员；三员不能兼任）
  keys rotate           轮换个人信息字段加密密钥并重新加密已存数据（旧密钥归档保留）
  keys rotate --blind-index
                        轮换盲索引密钥并重算全部盲索引（期间按新旧密钥查找，查询不受影响）
  publish --out 目录     把所有站点的公开页面发布为静态镜像（供 nginx 在应用或数据库不可用时兜底）；
                        再次运行只更新有变化的页面
  audit verify          逐条校验安全审计记录的 SM3 链，发现篡改或删除时以非零状态退出
  backup [--out 文件]   把数据库和附件写入一个加密备份文件（SM4 + HMAC-SM3，备份密钥在 keys/backup.key）
  restore 文件          在空实例上恢复备份：先校验完整性和密钥，再恢复数据、序列和附件并校验审计链
  help                  显示本帮助

环境变量：DATABASE_URL（外部 PostgreSQL）、DATA_DIR（默认 ./data）、PORT（默认 3000）、HOST（默认 127.0.0.1）、
          ZHENGWU_MIRROR_DIR（设置后，内容变化时自动增量更新该目录中的静态镜像）`;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
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

async function start(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { workers: { type: "string" } } });
  const workers = values.workers === undefined ? 0 : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64)
    throw new UserError("--workers 应为 1—64 之间的整数（工作进程数）");
  if (cluster.isWorker) return serveAsWorker();
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
  // with --workers the primary serves nothing: its workers do, on the shared port
  const pool = workers > 0 ? runWorkers(ctx, workers, say) : null;
  const app = pool ? null : await buildServer(ctx);
  const logError = (error: unknown) =>
    app ? app.log.error({ err: error }, "scheduled work failed") : say(`定时任务失败：${String(error)}`);
  // Time-driven work; each step is idempotent, so several processes may run it side by side.
  const tick = async () => {
    await publishDueVersions(ctx);
    await escalateOverdue(ctx);
    await remindApplications(ctx);
    await superviseLetters(ctx);
    await reloadKeys(ctx);
  };
  const timer = setInterval(() => {
    tick().catch(logError);
  }, config.schedulerIntervalMs);
  await tick();
  if (app) await app.listen({ port: config.port, host: config.host });
  await pool?.listening;
  // rendering for the mirror needs an app; with --workers the primary builds one that does not listen
  const mirror = process.env.ZHENGWU_MIRROR_DIR
    ? startMirrorUpdates(ctx, app ?? (await buildServer(ctx)), process.env.ZHENGWU_MIRROR_DIR)
    : undefined;
  say("");
  if (pool) say(`工作进程：  ${workers} 个（主进程 ${process.pid} 负责定时任务，工作进程故障时自动重启）`);
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
    await app?.close();
    await pool?.stop();
    await platform.close();
    process.exit(0);
  };
  manageProcessExitOurselves();
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
      return start(argv.slice(1));
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
      const { values } = parseArgs({ args: argv.slice(2), options: { "blind-index": { type: "boolean" } } });
      return withPlatform(async (ctx) => {
        if (values["blind-index"]) await rotateBlindIndex(ctx, say);
        else await rotateFieldKey(ctx, say);
      });
    }
    case "backup": {
      const { values } = parseArgs({ args: argv.slice(1), options: { out: { type: "string" } } });
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
      const out = values.out ?? `zhengwu-backup-${stamp}.zwbak`;
      return withPlatform(async (ctx) => {
        const r = await createBackup(ctx, out, progress);
        say(
          `备份完成：${r.file}（${(r.bytes / 1024 / 1024).toFixed(1)} MB；${r.tables} 张表 ${r.rows} 行，附件 ${r.files} 个）`,
        );
        say(
          `请另行保管 ${ctx.config.dataDir}/keys/ 目录（field.key、retired/、backup.key、licence.pem）或对应的环境变量：备份中不含这些密钥，没有它们既打不开备份，也解不开其中的个人信息。`,
        );
      });
    }
    case "restore": {
      if (!sub) throw new UserError("请指定要恢复的备份文件：restore 文件");
      let chainOk = true;
      await withPlatform(async (ctx) => {
        const r = await restoreBackup(ctx, sub, progress);
        say(
          `恢复完成：${r.tables} 张表 ${r.rows} 行，${r.sequences} 个序列，附件 ${r.files} 个（备份时间 ${r.manifest.createdAt}，版本 ${r.manifest.version}）`,
        );
        chainOk = r.chain.ok;
        say(
          r.chain.ok
            ? `审计链完整：已校验 ${r.chain.checked} 条记录`
            : `审计链已被破坏：第 ${r.chain.broken?.seq} 条，${r.chain.broken?.reason}`,
        );
      });
      if (!chainOk) return process.exit(2);
      return;
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

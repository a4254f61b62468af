import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export const NGINX = "/usr/sbin/nginx";
export const nginxInstalled = () => existsSync(NGINX);

const SHIPPED = path.resolve(import.meta.dirname, "../../deploy/nginx/zhengwu.conf");

/** The shipped deploy/nginx/zhengwu.conf with its three site-specific values replaced. */
export async function zhengwuConf(upstream: string, listenPort: number, mirrorDir: string): Promise<string> {
  const conf = await readFile(SHIPPED, "utf8");
  const replaced = conf
    .replace("server 127.0.0.1:3000 max_fails=0;", `server ${upstream} max_fails=0;`)
    .replace("listen 80;", `listen 127.0.0.1:${listenPort};`)
    .replaceAll("/srv/zhengwu-mirror", mirrorDir.replace(/\/$/, ""));
  if (replaced === conf) throw new Error("deploy/nginx/zhengwu.conf 的格式已变，无法替换地址");
  return replaced;
}

export interface RunningNginx {
  url: string;
  stop(): Promise<void>;
}

/** Runs nginx with the shipped configuration in front of `upstream`, falling back to `mirrorDir`. */
export async function startNginx(
  workDir: string,
  upstream: string,
  listenPort: number,
  mirrorDir: string,
  workers = 1,
): Promise<RunningNginx> {
  await mkdir(workDir, { recursive: true });
  await writeFile(path.join(workDir, "zhengwu.conf"), await zhengwuConf(upstream, listenPort, mirrorDir));
  return runNginx(workDir, path.join(workDir, "zhengwu.conf"), listenPort, {
    workers,
    readyPath: "/assets/favicon.svg",
  });
}

/**
 * Runs nginx in the foreground as the current user, with all its state in `workDir` and the
 * server block(s) of `serverConf`; resolves once `readyPath` answers.
 */
export async function runNginx(
  workDir: string,
  serverConf: string,
  listenPort: number,
  options: { workers?: number; accessLog?: boolean; readyPath?: string } = {},
): Promise<RunningNginx> {
  await mkdir(path.join(workDir, "logs"), { recursive: true });
  const temp = (name: string) => path.join(workDir, name);
  await writeFile(
    path.join(workDir, "nginx.conf"),
    `worker_processes ${options.workers ?? 1};
pid ${temp("nginx.pid")};
error_log ${temp("logs/error.log")} warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${options.accessLog ? temp("logs/access.log") : "off"};
  keepalive_requests 100000;
  client_body_temp_path ${temp("body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
  include ${serverConf};
}
`,
  );
  const child: ChildProcess = spawn(
    NGINX,
    ["-p", workDir, "-c", path.join(workDir, "nginx.conf"), "-g", "daemon off;"],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const url = `http://127.0.0.1:${listenPort}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx 启动失败：${stderr}`);
    try {
      await fetch(`${url}${options.readyPath ?? "/"}`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGQUIT");
      }),
  };
}

/**
 * nginx (Debian's package) on a loopback port with a configuration written for the run: the
 * yardstick the page benchmark measures Zhengwu against.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./instance.ts";

export const NGINX = "/usr/sbin/nginx";

export interface NginxInstance {
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves `root` as static files the way a mirror is served: `/a/b/` from `/a/b/index.html`.
 * One worker by default, to match one Node process.
 */
export async function startStaticNginx(root: string, workers = 1): Promise<NginxInstance> {
  const dir = await mkdtemp(path.join(tmpdir(), "zhengwu-nginx-"));
  await chmod(dir, 0o755);
  await chmod(root, 0o755);
  const port = await freePort();
  const conf = path.join(dir, "nginx.conf");
  await writeFile(
    conf,
    `daemon off;
worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  sendfile on;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    charset utf-8;
    location / { try_files $uri $uri/index.html =404; }
  }
}
`,
  );
  const child: ChildProcess = spawn(NGINX, ["-c", conf, "-p", dir], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 40; i++) {
    if (child.exitCode !== null) throw new Error(`nginx 启动失败，见 ${dir}/error.log`);
    if (
      await fetch(`${url}/`).then(
        () => true,
        () => false,
      )
    )
      break;
    await sleep(100);
  }
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGQUIT");
      await Promise.race([exited, sleep(5000)]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

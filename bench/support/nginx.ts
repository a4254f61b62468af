/**
 * nginx (Debian's package) serving a folder of static files on a loopback port: the yardstick the
 * page benchmark measures Zhengwu against. The runner is the tests' (test/support/nginx.ts).
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runNginx } from "../../test/support/nginx.ts";
import { freePort } from "./instance.ts";

export interface NginxInstance {
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves `root` the way a mirror is served (`/a/b/` from `/a/b/index.html`), writing an access log
 * as Zhengwu does; one worker by default, to match one Node process.
 */
export async function startStaticNginx(root: string, workers = 1): Promise<NginxInstance> {
  const dir = await mkdtemp(path.join(tmpdir(), "zhengwu-nginx-"));
  // nginx's workers run as an unprivileged user when started as root
  await chmod(dir, 0o755);
  await chmod(root, 0o755);
  const port = await freePort();
  const server = path.join(dir, "static.conf");
  await writeFile(
    server,
    `server {
  listen 127.0.0.1:${port};
  root ${root};
  charset utf-8;
  sendfile on;
  location / { try_files $uri $uri/index.html =404; }
}
`,
  );
  const nginx = await runNginx(dir, server, port, { workers, accessLog: true });
  return {
    url: nginx.url,
    async stop() {
      await nginx.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

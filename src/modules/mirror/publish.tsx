import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { latestPublicChangeId, publicChangesSince } from "../../core/changes.ts";
import type { AppContext } from "../../core/context.ts";
import { page } from "../../web/html.ts";
import { stylesheetUrl } from "../../web/islands.ts";
import { PlainPage } from "../../web/layout.tsx";
import { affectedKeys } from "./changes.ts";
import { degradeForms, UNAVAILABLE_TEXT } from "./degrade.ts";
import { linksIn, mirrorFile, mirrorKey } from "./layout.ts";
import { seedUrls } from "./seeds.ts";

/** Kept in the mirror's root: what each mirrored URL was written as, and the last change applied. */
export const MANIFEST_FILE = ".zhengwu-mirror.json";
const NOT_FOUND_FILE = "404.html";
const PREFERENCE_NOTICE_KEY = "/a11y/set";
/** What nginx answers a form submission with while only the mirror is up (see deploy/nginx). */
const UNAVAILABLE_FILE = "unavailable.html";
/** Pages only the mirror has (the app answers these URLs with 404 or a redirect). */
export const MIRROR_ONLY_KEYS = [`/${NOT_FOUND_FILE}`, `/${UNAVAILABLE_FILE}`, PREFERENCE_NOTICE_KEY];

export interface ManifestEntry {
  file: string;
  sha256: string;
  /** "page" (HTML), "redirect" (a refresh page), "file" (assets, downloads, sitemap.xml). */
  kind: "page" | "redirect" | "file";
  /** Documents (/art/{id}.html) the page links to: re-rendered when one of them changes. */
  docs?: number[];
}

export interface Manifest {
  version: 1;
  publishedAt: string;
  /** The last public change (core/changes.ts) the mirror reflects; null before the feed existed. */
  lastChangeId: number | null;
  entries: Record<string, ManifestEntry>;
}

export interface PublishReport {
  pages: number;
  files: number;
  redirects: number;
  written: number;
  unchanged: number;
  removed: number;
  /** Pages whose forms were replaced by the "temporarily unavailable" notice. */
  degraded: number;
  /** Pages found only by following links (not enumerated from the database). */
  discovered: string[];
  /** Same-site links that answer neither a page nor a redirect (or fail to render), with a page that links there. */
  broken: { key: string; status: number; from: string }[];
  /** Same-site links left to the live app (queries, account, preference links). */
  dynamicLinks: number;
  seconds: number;
}

export interface PublishOptions {
  /** Re-render only these URLs (and pages they link to that the mirror lacks); default: everything. */
  only?: Iterable<string>;
  lastChangeId?: number | null;
  concurrency?: number;
  progress?: (done: number, total: number, perSecond: number) => void;
}

interface Rendered {
  status: number;
  body: Buffer;
  contentType: string;
  location?: string;
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

export async function readManifest(outDir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(path.join(outDir, MANIFEST_FILE), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

async function writeAtomically(file: string, data: Buffer | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, file);
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** A page for a redirect: browsers follow the refresh, and the link is there for anyone else. */
function redirectPage(location: string): string {
  return page(
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="refresh" content={`0; url=${location}`} />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>页面已移动</title>
        <link rel="stylesheet" href={stylesheetUrl()} />
      </head>
      <body>
        <main id="main" class="wrap plain-page">
          <h1>页面已移动</h1>
          <p>
            本页已移至 <a href={location}>{location}</a>。
          </p>
        </main>
      </body>
    </html>,
  );
}

function preferenceNotice(): string {
  return page(
    <PlainPage title="显示设置暂时无法保存">
      <p>
        网站正在维护，目前只能浏览已发布的信息，字号、配色和长辈版等显示设置暂时无法保存。开启浏览器的
        JavaScript 后，工具条上的字号、配色等设置仍可在当前页面生效；也可以使用浏览器自带的缩放（Ctrl
        和加号键）放大文字。
      </p>
      <p>{UNAVAILABLE_TEXT.service}</p>
      <p>
        <a href="/">返回首页</a> · <a href="/sitemap/">网站地图</a>
      </p>
    </PlainPage>,
  );
}

function submissionNotice(): string {
  return page(
    <PlainPage title="系统维护中，提交未成功">
      <p>
        <strong>您刚才提交的内容没有送达，系统也没有保存。</strong>
        网站正在维护，目前只能浏览已发布的信息，暂时无法提交信件、申请，也无法查询办理进度。
      </p>
      <p>请稍后再试；如有急事，请拨打 12345 政务服务便民热线。</p>
      <p>
        <a href="/">返回首页</a> · <a href="/sitemap/">网站地图</a>
      </p>
    </PlainPage>,
  );
}

function emptyReport(): PublishReport {
  return {
    pages: 0,
    files: 0,
    redirects: 0,
    written: 0,
    unchanged: 0,
    removed: 0,
    degraded: 0,
    discovered: [],
    broken: [],
    dynamicLinks: 0,
    seconds: 0,
  };
}

/**
 * Renders public pages through the app itself (an anonymous GET, no cookies), so the mirror holds
 * the bytes the app would send; follows same-site links to find what the database enumeration
 * missed; writes only files whose bytes changed, each atomically.
 */
export async function publishMirror(
  ctx: AppContext,
  app: FastifyInstance,
  outDir: string,
  options: PublishOptions = {},
): Promise<PublishReport> {
  const started = Date.now();
  const root = path.resolve(outDir);
  const previous = await readManifest(root);
  const incremental = options.only !== undefined && previous !== undefined;
  const entries: Record<string, ManifestEntry> = incremental ? { ...previous.entries } : {};
  const host = new URL(ctx.config.publicUrl).host;
  const report = emptyReport();

  const seeds = incremental ? new Set(options.only) : new Set(await seedUrls(ctx));
  const queued = new Set<string>(seeds);
  const queue = [...seeds];
  const referrer = new Map<string, string>();
  const redirects = new Map<string, string>();
  const gone = new Set<string>();
  let done = 0;

  const store = async (key: string, kind: ManifestEntry["kind"], data: Buffer | string, docs?: number[]) => {
    const file = mirrorFile(key);
    if (!file) return;
    const hash = sha256(data);
    const before = previous?.entries[key];
    const target = path.join(root, file);
    if (before?.sha256 === hash && before.file === file && (await exists(target))) report.unchanged += 1;
    else {
      await writeAtomically(target, data);
      report.written += 1;
    }
    entries[key] = docs?.length ? { file, sha256: hash, kind, docs } : { file, sha256: hash, kind };
  };

  const follow = (from: string, href: string) => {
    const key = mirrorKey(href, from);
    if (!key) {
      if (href.startsWith("/") && !href.startsWith("//")) report.dynamicLinks += 1;
      return;
    }
    if (!referrer.has(key) && key !== from) referrer.set(key, from);
    if (queued.has(key)) return;
    // an incremental run follows links only to pages the mirror does not hold yet
    if (incremental && entries[key]) return;
    queued.add(key);
    queue.push(key);
    if (!seeds.has(key)) report.discovered.push(key);
  };

  const fetchPage = async (key: string): Promise<Rendered> => {
    const response = await app.inject({ method: "GET", url: key, headers: { host } });
    return {
      status: response.statusCode,
      body: response.rawPayload,
      contentType: String(response.headers["content-type"] ?? ""),
      location: response.headers.location as string | undefined,
    };
  };

  const handle = async (key: string) => {
    const r = await fetchPage(key);
    if (r.status === 200) {
      if (r.contentType.startsWith("text/html")) {
        const degraded = degradeForms(r.body.toString("utf8"));
        if (degraded.forms) report.degraded += 1;
        const links = linksIn(degraded.html, r.contentType);
        for (const href of links) follow(key, href);
        const docs = new Set<number>();
        for (const href of links) {
          const id = /\/art\/(\d+)\.html$/.exec(href)?.[1];
          if (id && !key.endsWith(`/art/${id}.html`)) docs.add(Number(id));
        }
        await store(key, "page", degraded.forms ? degraded.html : r.body, [...docs]);
        report.pages += 1;
      } else {
        for (const href of linksIn(r.body.toString("utf8"), r.contentType)) follow(key, href);
        await store(key, "file", r.body);
        report.files += 1;
      }
    } else if (r.status >= 300 && r.status < 400 && r.location) {
      redirects.set(key, r.location);
      follow(key, r.location);
      // a redirect to a page with a query the mirror does not keep still lands on that page's base
      follow(key, r.location.split("?")[0] ?? r.location);
    } else if (r.status === 503) {
      // the app cannot render now (its database is down): keep the mirror as it is
      throw new Error(`${key} 暂时无法渲染（状态 503），本次发布中止，镜像保持不变`);
    } else if (r.status >= 500) {
      // one page failing must not take it out of the mirror: keep its last good copy
      const kept = previous?.entries[key];
      if (kept) entries[key] = kept;
      report.broken.push({ key, status: r.status, from: referrer.get(key) ?? "" });
    } else {
      gone.add(key);
      // a section a site does not have is no fault; a link to a missing page is
      if (referrer.has(key)) report.broken.push({ key, status: r.status, from: referrer.get(key) ?? "" });
    }
  };

  const lastProgress = { at: 0 };
  const tellProgress = (force = false) => {
    const now = Date.now();
    if (!options.progress || (!force && now - lastProgress.at < 500)) return;
    lastProgress.at = now;
    options.progress(done, queued.size, done / Math.max(0.001, (now - started) / 1000));
  };

  const worker = async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      await handle(key);
      done += 1;
      tellProgress();
    }
  };
  // workers stop when the queue is momentarily empty; loop until no worker left work behind
  while (queue.length) {
    await Promise.all(Array.from({ length: options.concurrency ?? 6 }, worker));
  }
  tellProgress(true);

  // a redirect gets its own page unless its file is the target page's (/col/x → /col/x/)
  const claimed = new Set(
    Object.entries(entries)
      .filter(([key, e]) => e.kind !== "redirect" && !redirects.has(key))
      .map(([, e]) => e.file),
  );
  for (const [key, location] of redirects) {
    const file = mirrorFile(key);
    if (!file || claimed.has(file)) {
      delete entries[key];
      continue;
    }
    await store(key, "redirect", redirectPage(location));
    report.redirects += 1;
  }

  if (!incremental) {
    // the app's own "not found" page, for nginx's error_page in the fallback
    await store(`/${NOT_FOUND_FILE}`, "page", (await fetchPage(`/${NOT_FOUND_FILE}`)).body);
    await store(PREFERENCE_NOTICE_KEY, "page", preferenceNotice());
    await store(`/${UNAVAILABLE_FILE}`, "page", submissionNotice());
  }

  // files no longer produced: withdrawn or deleted pages, pages past a list's new end
  const stale = incremental
    ? [...gone].filter((key) => previous.entries[key])
    : Object.keys(previous?.entries ?? {}).filter((key) => !entries[key]);
  for (const key of stale) delete entries[key];
  const kept = new Set(Object.values(entries).map((e) => e.file));
  for (const key of stale) {
    const file = previous?.entries[key]?.file;
    if (!file || kept.has(file)) continue;
    await rm(path.join(root, file), { force: true });
    report.removed += 1;
  }

  const manifest: Manifest = {
    version: 1,
    publishedAt: new Date().toISOString(),
    lastChangeId: options.lastChangeId ?? previous?.lastChangeId ?? null,
    entries,
  };
  await writeAtomically(path.join(root, MANIFEST_FILE), JSON.stringify(manifest));
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/**
 * `zhengwu publish`: the first run renders everything; later runs read the public change feed
 * (core/changes.ts) from the last change the mirror reflects and re-render only the pages those
 * changes reach, writing only files whose bytes changed and removing pages that are gone.
 */
export async function updateMirror(
  ctx: AppContext,
  app: FastifyInstance,
  outDir: string,
  options: Omit<PublishOptions, "only" | "lastChangeId"> = {},
): Promise<PublishReport & { mode: "full" | "incremental" | "unchanged" }> {
  const manifest = await readManifest(path.resolve(outDir));
  // read before rendering: a change committed meanwhile is applied again next time, never missed
  const latest = await latestPublicChangeId(ctx);
  if (!manifest || typeof manifest.lastChangeId !== "number") {
    return { ...(await publishMirror(ctx, app, outDir, { ...options, lastChangeId: latest })), mode: "full" };
  }
  const changes = await publicChangesSince(ctx, manifest.lastChangeId, 5000);
  if (changes.length === 0) return { ...emptyReport(), mode: "unchanged" };
  const upTo = changes.at(-1)?.id ?? latest;
  const affected = changes.length >= 5000 ? "everything" : await affectedKeys(ctx, manifest, changes);
  if (affected === "everything")
    return { ...(await publishMirror(ctx, app, outDir, { ...options, lastChangeId: upTo })), mode: "full" };
  return {
    ...(await publishMirror(ctx, app, outDir, { ...options, only: affected, lastChangeId: upTo })),
    mode: "incremental",
  };
}

import "./types.ts";
import { createServer as createHttpServer } from "node:http";
import path from "node:path";
import { constants as zlib } from "node:zlib";
import compress from "@fastify/compress";
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import formbody from "@fastify/formbody";
import helmet from "@fastify/helmet";
import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance, type FastifyRequest, LogController } from "fastify";
import { sql } from "kysely";
import { registerAssistantRoutes } from "../../modules/assistant/routes.tsx";
import { registerContentRoutes } from "../../modules/content/routes.tsx";
import { registerBudgetRoutes } from "../../modules/disclosure/budget-routes.tsx";
import { registerLibraryRoutes } from "../../modules/disclosure/library-routes.tsx";
import { registerReportRoutes } from "../../modules/disclosure/report-routes.tsx";
import { registerRequestRoutes } from "../../modules/disclosure/request-routes.tsx";
import { registerInboxRoutes } from "../../modules/identity/inbox-routes.tsx";
import { registerIdentityRoutes, SESSION_COOKIE } from "../../modules/identity/routes.tsx";
import { actorForSession } from "../../modules/identity/service.ts";
import { registerInteractionRoutes } from "../../modules/interaction/routes.tsx";
import { registerSearchRoutes } from "../../modules/search/routes.tsx";
import { registerServiceRoutes } from "../../modules/services/routes.tsx";
import { registerSiteAdminRoutes } from "../../modules/sites/admin-routes.tsx";
import { registerCalendarRoutes } from "../../modules/sites/calendar-routes.tsx";
import { registerSiteRoutes } from "../../modules/sites/routes.tsx";
import { registerAccessibilityRoutes } from "../../web/accessibility.tsx";
import { FINGERPRINTED_ASSET, writeBuiltAssets } from "../../web/islands.ts";
import { PlainPage } from "../../web/layout.tsx";
import { PREFERENCES_COOKIE } from "../../web/preferences.ts";
import { registerAuditRoutes } from "../audit-routes.tsx";
import type { AppContext } from "../context.ts";
import { isDatabaseUnavailable } from "../db/database.ts";
import { UserError } from "../errors.ts";
import { RedirectToLogin } from "./admin.ts";
import { type PageCaching, registerPageCaching } from "./caching.ts";
import { sendPage } from "./forms.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface ServerOptions {
  logLevel?: string;
}

export async function buildServer(ctx: AppContext, options: ServerOptions = {}): Promise<FastifyInstance> {
  // cached anonymous pages are answered by the HTTP server itself, before Fastify's routing and hooks
  let serveFromCache: PageCaching["serveFromCache"] = () => false;
  const app = Fastify({
    serverFactory: (handler) =>
      createHttpServer((request, response) => {
        if (!serveFromCache(request, response)) handler(request, response);
      }),
    logger: { level: options.logLevel ?? process.env.LOG_LEVEL ?? "info" },
    // one access-log line per request (below) instead of Fastify's two; errors are logged by our handler
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 2 * 1024 * 1024,
    trustProxy: process.env.TRUST_PROXY === "1",
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
  });
  const https = ctx.config.publicUrl.startsWith("https://");

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:", "https:"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: https ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    crossOriginEmbedderPolicy: false,
  });
  // onSend order matters: cookies are written, then the page is hashed (and found personal if it set
  // one), then compressed
  await app.register(cookie);
  ({ serveFromCache } = await registerPageCaching(app, ctx, [SESSION_COOKIE, PREFERENCES_COOKIE]));
  // brotli at quality 4: near gzip's speed for pages rendered per request, smaller than gzip
  await app.register(compress, {
    threshold: 1024,
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
  });
  await app.register(formbody);
  await app.register(multipart, {
    attachFieldsToBody: true,
    limits: { fileSize: ctx.config.maxUploadBytes, files: 10, fields: 100 },
    async onFile(part) {
      const data = await part.toBuffer();
      (part as unknown as { data: Buffer }).data = data;
    },
  });
  await app.register(csrf, {
    sessionPlugin: "@fastify/cookie",
    cookieKey: "zw_csrf",
    cookieOpts: { path: "/", httpOnly: true, sameSite: "lax", secure: https },
    getToken: (req: FastifyRequest) => {
      const field = (req.body as Record<string, unknown> | undefined)?._csrf;
      const value =
        field && typeof field === "object" && "value" in field ? (field as { value: unknown }).value : field;
      return typeof value === "string" ? value : (req.headers["x-csrf-token"] as string | undefined);
    },
  });
  await app.register(rateLimit, { global: false });
  // fingerprinted assets are built at start into the data directory with .br and .gz siblings
  const builtAssets = path.join(ctx.config.dataDir, "assets");
  await writeBuiltAssets(builtAssets);
  await app.register(fastifyStatic, {
    root: [builtAssets, path.resolve(import.meta.dirname, "../../web/assets")],
    prefix: "/assets/",
    preCompressed: true,
    maxAge: "1h",
    setHeaders(reply, file) {
      if (FINGERPRINTED_ASSET.test(file))
        reply.header("Cache-Control", "public, max-age=31536000, immutable");
    },
  });

  await registerAccessibilityRoutes(app);

  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      "request",
    );
  });

  app.decorateRequest("actor", null);
  app.decorateRequest("sessionToken", null);
  app.addHook("onRequest", async (request) => {
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    request.sessionToken = token;
    request.actor = await actorForSession(ctx, token);
  });
  // CSRF is checked after the body is parsed, so urlencoded and multipart forms both carry the token.
  app.addHook("preHandler", (request, reply, done) => {
    if (SAFE_METHODS.has(request.method)) return done();
    // read-only JSON APIs declare { csrf: false }: they change nothing and send no session data
    if ((request.routeOptions.config as { csrf?: boolean }).csrf === false) return done();
    app.csrfProtection(request, reply, done);
  });

  app.setErrorHandler((error, request, reply) => {
    const err = error as Error & { code?: string; statusCode?: number };
    if (err.code?.startsWith("FST_CSRF")) {
      return sendPage(
        reply,
        <PlainPage title="页面已过期">
          <p>为保护您的账号安全，表单已失效。请返回上一页，刷新后重新提交。</p>
        </PlainPage>,
        403,
      );
    }
    if (err instanceof RedirectToLogin) {
      const login = err.next.startsWith("/admin") ? "/admin/login" : "/account/login";
      return reply.redirect(`${login}?next=${encodeURIComponent(err.next)}`, 303);
    }
    if (err instanceof UserError) {
      return sendPage(
        reply,
        <PlainPage
          title={err.statusCode === 404 ? "页面不存在" : err.statusCode === 403 ? "没有权限" : "无法完成操作"}
        >
          <p>{err.message}</p>
          <p>
            <a href="/">返回首页</a>
          </p>
        </PlainPage>,
        err.statusCode,
      );
    }
    if (err.code === "FST_REQ_FILE_TOO_LARGE" || err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return sendPage(
        reply,
        <PlainPage title="提交的内容过大">
          <p>上传的文件或提交的内容超过大小上限，请压缩后重新提交。</p>
        </PlainPage>,
        413,
      );
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      if (err.statusCode === 429) {
        return sendPage(
          reply,
          <PlainPage title="操作过于频繁">
            <p>您的操作过于频繁，请稍后再试。</p>
          </PlainPage>,
          429,
        );
      }
      return sendPage(
        reply,
        <PlainPage title="请求有误">
          <p>请求格式不正确，请返回后重试。</p>
        </PlainPage>,
        err.statusCode,
      );
    }
    if (isDatabaseUnavailable(err)) {
      // quickly and with 503, so nginx in front serves the static mirror instead (deploy/nginx)
      request.log.warn({ err: { code: err.code, message: err.message } }, "database unavailable");
      return sendPage(
        reply.header("Retry-After", "30"),
        <PlainPage title="系统维护中">
          <p>网站正在维护，请稍后再试。如有急事，请拨打 12345 政务服务便民热线。</p>
        </PlainPage>,
        503,
      );
    }
    request.log.error({ err }, "unhandled error");
    return sendPage(
      reply,
      <PlainPage title="系统繁忙">
        <p>系统暂时无法处理您的请求，请稍后再试。如问题持续，请拨打 12345 政务服务便民热线。</p>
      </PlainPage>,
      500,
    );
  });
  app.setNotFoundHandler((_request, reply) =>
    sendPage(
      reply,
      <PlainPage title="页面不存在">
        <p>您访问的页面不存在或已删除。</p>
        <p>
          <a href="/">返回首页</a> · <a href="/sitemap/">网站地图</a>
        </p>
      </PlainPage>,
      404,
    ),
  );

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.db);
      return { status: "ok", database: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable", database: "unreachable" });
    }
  });

  await registerIdentityRoutes(app, ctx);
  await registerInboxRoutes(app, ctx);
  await registerContentRoutes(app, ctx);
  await registerSiteAdminRoutes(app, ctx);
  await registerCalendarRoutes(app, ctx);
  await registerRequestRoutes(app, ctx);
  await registerReportRoutes(app, ctx);
  await registerBudgetRoutes(app, ctx);
  await registerLibraryRoutes(app, ctx);
  await registerServiceRoutes(app, ctx);
  await registerInteractionRoutes(app, ctx);
  await registerAuditRoutes(app, ctx);
  await registerSearchRoutes(app, ctx);
  await registerAssistantRoutes(app, ctx);
  await registerSiteRoutes(app, ctx);
  return app;
}

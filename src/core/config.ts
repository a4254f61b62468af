import path from "node:path";
import { FIELD_ALGORITHMS, type FieldAlgorithm } from "./crypto.ts";

export interface Config {
  /** Absolute directory for the embedded database, uploaded files and keys. */
  dataDir: string;
  /** External PostgreSQL; when absent an embedded server runs under dataDir/pg. */
  databaseUrl: string | undefined;
  port: number;
  host: string;
  /** Base URL printed to the console and used in sitemap.xml when a site has no domain. */
  publicUrl: string;
  production: boolean;
  maxUploadBytes: number;
  /** How often scheduled versions are checked for going live. */
  schedulerIntervalMs: number;
  sessionIdleMinutes: number;
  /** Sessions end after this long even when active. */
  sessionMaxHours: number;
  /** Failed sign-ins (password or second factor) in a row that lock an account, and for how long. */
  lockoutAttempts: number;
  lockoutMinutes: number;
  /** Staff passwords expire after this many days (0 = never); the last N may not be reused. */
  passwordMaxAgeDays: number;
  passwordHistory: number;
  /** Days a new administrator or reviewer may still sign in without TOTP before enrolment is forced. */
  mfaGraceDays: number;
  /** The operator's SMS gateway (JSON POST); without it codes are written to the server log. */
  smsGatewayUrl: string | undefined;
  /** Field encryption for new values: SM4 (国密, default) or AES-256-GCM; both always decrypt. */
  fieldAlgorithm: FieldAlgorithm;
  smsGatewayToken: string | undefined;
  /** Loopback port of the embedded PostgreSQL (only used without DATABASE_URL). */
  embeddedPgPort: number;
  /** In-process render cache of anonymous public pages: size bound (0 = off) and safety-net age. */
  renderCacheBytes: number;
  renderCacheMaxAgeMs: number;
  /** An external identity provider over OpenID Connect (统一身份认证); off when unset. */
  oidc: OidcSettings | undefined;
}

export interface OidcSettings {
  /** The issuer URL, or its `/.well-known/openid-configuration` document. */
  discoveryUrl: string;
  clientId: string;
  clientSecret: string;
  /** Shown on the sign-in button: 使用{displayName}登录. */
  displayName: string;
}

const LOOPBACK = /^https?:\/\/(127\.0\.0\.1|\[::1\]|localhost)(:\d+)?(\/|$)/;

function oidcSettings(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  const discoveryUrl = env.OIDC_DISCOVERY_URL || "";
  const clientId = env.OIDC_CLIENT_ID || "";
  const clientSecret = env.OIDC_CLIENT_SECRET || "";
  if (!discoveryUrl && !clientId && !clientSecret) return undefined;
  if (!discoveryUrl || !clientId || !clientSecret)
    throw new ConfigError("统一身份认证需同时设置 OIDC_DISCOVERY_URL、OIDC_CLIENT_ID 和 OIDC_CLIENT_SECRET");
  // tokens and keys travel over this connection: only a test provider on this machine may use http
  if (!discoveryUrl.startsWith("https://") && !LOOPBACK.test(discoveryUrl))
    throw new ConfigError("环境变量 OIDC_DISCOVERY_URL 应以 https:// 开头");
  return {
    discoveryUrl,
    clientId,
    clientSecret,
    displayName: (env.OIDC_DISPLAY_NAME || "省统一身份认证平台").slice(0, 40),
  };
}

/** Plain http is allowed only towards this machine (a provider under test). */
export function isLoopbackUrl(url: string): boolean {
  return LOOPBACK.test(url);
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`环境变量 ${name} 应为 ${min}—${max} 之间的整数，当前为“${raw}”`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("环境变量 DATABASE_URL 应以 postgres:// 或 postgresql:// 开头");
  }
  const port = integer(env, "PORT", 3000, 0, 65535);
  const host = env.HOST || "127.0.0.1";
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  const publicUrl = (env.PUBLIC_URL || `http://${shownHost}:${port}`).replace(/\/$/, "");
  const fieldAlgorithm = (env.FIELD_CIPHER || "sm4") as FieldAlgorithm;
  if (!FIELD_ALGORITHMS.includes(fieldAlgorithm))
    throw new ConfigError(
      `环境变量 FIELD_CIPHER 应为 ${FIELD_ALGORITHMS.join(" 或 ")}，当前为“${env.FIELD_CIPHER}”`,
    );
  if (env.SMS_GATEWAY_URL && !/^https?:\/\//.test(env.SMS_GATEWAY_URL))
    throw new ConfigError("环境变量 SMS_GATEWAY_URL 应以 http:// 或 https:// 开头");
  if (!/^https?:\/\//.test(publicUrl))
    throw new ConfigError("环境变量 PUBLIC_URL 应以 http:// 或 https:// 开头");
  return {
    dataDir: path.resolve(env.DATA_DIR || "data"),
    databaseUrl,
    port,
    host,
    publicUrl,
    production: env.NODE_ENV === "production",
    maxUploadBytes: integer(env, "MAX_UPLOAD_MB", 20, 1, 1024) * 1024 * 1024,
    schedulerIntervalMs: integer(env, "SCHEDULER_INTERVAL_MS", 30_000, 100, 3_600_000),
    sessionIdleMinutes: integer(env, "SESSION_IDLE_MINUTES", 30, 1, 24 * 60),
    sessionMaxHours: integer(env, "SESSION_MAX_HOURS", 12, 1, 24 * 30),
    lockoutAttempts: integer(env, "LOCKOUT_ATTEMPTS", 5, 1, 100),
    lockoutMinutes: integer(env, "LOCKOUT_MINUTES", 15, 1, 24 * 60),
    passwordMaxAgeDays: integer(env, "PASSWORD_MAX_AGE_DAYS", 90, 0, 3650),
    passwordHistory: integer(env, "PASSWORD_HISTORY", 5, 0, 24),
    mfaGraceDays: integer(env, "MFA_GRACE_DAYS", 7, 0, 365),
    smsGatewayUrl: env.SMS_GATEWAY_URL || undefined,
    fieldAlgorithm,
    smsGatewayToken: env.SMS_GATEWAY_TOKEN || undefined,
    embeddedPgPort: integer(env, "EMBEDDED_PG_PORT", 54329, 1024, 65535),
    oidc: oidcSettings(env),
    renderCacheBytes: integer(env, "RENDER_CACHE_MB", 64, 0, 65536) * 1024 * 1024,
    renderCacheMaxAgeMs: integer(env, "RENDER_CACHE_SECONDS", 60, 1, 86400) * 1000,
  };
}

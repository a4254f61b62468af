import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../core/context.ts";
import type { SessionStage } from "./security.ts";
import { endSession, startSession } from "./service.ts";

export const SESSION_COOKIE = "zw_sid";

/**
 * Replaces whatever session the browser had with a new one at `stage` (a fresh token at every
 * step, so a token seen before sign-in or before the second factor is worth nothing after).
 */
export async function openSession(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: number,
  stage: SessionStage = "full",
): Promise<void> {
  if (request.sessionToken) await endSession(ctx, request.sessionToken);
  const token = await startSession(ctx, userId, request.ip, request.headers["user-agent"] ?? "", stage);
  request.sessionToken = token;
  reply.setCookie(SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: ctx.config.publicUrl.startsWith("https://"),
  });
}

/** Only same-site paths are followed after sign-in. */
export function safeNext(next: string, fallback: string): string {
  return /^\/(?![/\\])[^\s]*$/.test(next) ? next : fallback;
}

/** Where a staff sign-in continues from a stage. */
export function stagePath(stage: SessionStage, next: string): string {
  const q = `?next=${encodeURIComponent(next)}`;
  if (stage === "mfa") return `/admin/login/mfa${q}`;
  if (stage === "enrol") return `/admin/login/enrol${q}`;
  if (stage === "password") return `/admin/login/password${q}`;
  return next;
}

import type { Actor } from "../auth/permissions.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in person, or null. Loaded from the session cookie on every request. */
    actor: Actor | null;
    sessionToken: string | null;
  }
}

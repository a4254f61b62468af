import type { FastifyRequest } from "fastify";

/**
 * Rate limits for everything citizens submit here: counted per account when signed in, per IP
 * address otherwise, so a family sharing a line is not locked out by one busy neighbour account
 * and a signed-in account cannot flood from many addresses.
 */
export function perSubmitter(max: number) {
  return {
    rateLimit: {
      max,
      timeWindow: "1 minute",
      keyGenerator: (request: FastifyRequest) =>
        request.actor ? `account:${request.actor.id}` : `ip:${request.ip}`,
    },
  };
}

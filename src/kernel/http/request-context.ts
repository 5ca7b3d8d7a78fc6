import type { FastifyRequest } from "fastify";

/** Where a request came from, as services record it (audit, login history, sessions). */
export interface RequestContext {
  ip: string;
  userAgent: string | null;
  requestId: string;
}

export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers["user-agent"];
  // request.ip honours X-Forwarded-For only for peers in GATEHOUSE_TRUSTED_PROXIES (Fastify trustProxy).
  return { ip: request.ip, userAgent: userAgent ? userAgent.slice(0, 512) : null, requestId: request.id };
}

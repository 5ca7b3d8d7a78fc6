import type { FastifyRequest } from "fastify";
import type { Principal } from "./principal.js";

/** Where a request came from and who it acts for, as services record it (audit, login history, sessions). */
export interface RequestContext {
  ip: string;
  userAgent: string | null;
  requestId: string;
  /** The signed-in caller, on routes behind `authenticate`; null on public routes and in library calls. */
  principal?: Principal | null;
}

export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers["user-agent"];
  // request.ip honours X-Forwarded-For only for peers in GATEHOUSE_TRUSTED_PROXIES (Fastify trustProxy).
  return { ip: request.ip, userAgent: userAgent ? userAgent.slice(0, 512) : null, requestId: request.id, principal: request.principal };
}

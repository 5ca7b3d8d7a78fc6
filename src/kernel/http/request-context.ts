import type { FastifyRequest } from "fastify";
import type { Principal } from "./principal.js";

/**
 * Who an action is done by, as the audit log records it: a user (signed in, or proving who they
 * are by signing in), an administrator (a user acting on others, or the break-glass token), or
 * Gatehouse itself (a job, the command line).
 */
export type Actor = { type: "user"; userId: string } | { type: "admin"; userId: string | null } | { type: "system"; name: string };

/** Where a request came from and who it acts for, as services record it (audit, login history, sessions). */
export interface RequestContext {
  ip: string;
  userAgent: string | null;
  requestId: string;
  /** The signed-in caller, on routes behind `authenticate`; null on public routes and in library calls. */
  principal?: Principal | null;
  /** Who acts, when it is not the signed-in principal acting for themselves (an administrator, a job). */
  actor?: Actor;
}

export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers["user-agent"];
  // request.ip honours X-Forwarded-For only for peers in GATEHOUSE_TRUSTED_PROXIES (Fastify trustProxy).
  return {
    ip: request.ip,
    userAgent: userAgent ? userAgent.slice(0, 512) : null,
    requestId: request.id,
    principal: request.principal,
    ...(request.actor ? { actor: request.actor } : {}),
  };
}

/** The context of work Gatehouse does by itself (a job, a command-line task): no request, a system actor. */
export function systemContext(name: string): RequestContext {
  return { ip: "", userAgent: null, requestId: "", actor: { type: "system", name } };
}

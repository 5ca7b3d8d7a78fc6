import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors/app-error.js";
import { KernelErrors } from "../errors/kernel-errors.js";

/** Who an authenticated request acts for: the user, their session, and when they last proved it. */
export interface Principal {
  userId: string;
  sessionId: string;
  /** The session's last sign-in or reauthentication (`auth_time`). */
  authenticatedAt: Date;
}

/** Reads `Authorization: Bearer <access token>` (RFC 6750 §2.1). */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

/**
 * preHandler for routes that need a signed-in caller: verifies the bearer token with `verify` (the
 * sessions module's) and sets `request.principal`. Answers 401 with a `WWW-Authenticate` challenge.
 */
export function createAuthenticate(verify: (accessToken: string) => Promise<Principal>) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = bearerToken(request);
    if (!token) {
      reply.header("www-authenticate", 'Bearer realm="gatehouse"');
      throw new AppError(KernelErrors.unauthenticated);
    }
    try {
      request.principal = await verify(token);
    } catch (error) {
      reply.header("www-authenticate", 'Bearer realm="gatehouse", error="invalid_token"');
      throw error;
    }
  };
}

/** The caller of a route behind `authenticate`. */
export function caller(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError(KernelErrors.unauthenticated);
  return request.principal;
}

/**
 * Refuses a sensitive change when the caller's last proof of identity is older than `maxAgeSeconds`
 * (403 reauthentication_required). No principal means a library call: the application vouches.
 */
export function assertRecentAuthentication(principal: Principal | null | undefined, maxAgeSeconds: number, now: Date): void {
  if (principal && now.getTime() - principal.authenticatedAt.getTime() > maxAgeSeconds * 1000) {
    throw new AppError(KernelErrors.reauthentication_required);
  }
}

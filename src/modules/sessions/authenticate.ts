import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../kernel/errors/app-error.js";
import { KernelErrors } from "../../kernel/errors/kernel-errors.js";
import type { Authentication, SessionsService } from "./service.js";

/** Reads `Authorization: Bearer <access token>` (RFC 6750 §2.1). */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

/** preHandler for routes that need a signed-in caller; sets `request.auth`. */
export function createAuthenticate(sessions: SessionsService) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = bearerToken(request);
    if (!token) {
      reply.header("www-authenticate", 'Bearer realm="gatehouse"');
      throw new AppError(KernelErrors.unauthenticated);
    }
    try {
      request.auth = await sessions.authenticate(token);
    } catch (error) {
      reply.header("www-authenticate", 'Bearer realm="gatehouse", error="invalid_token"');
      throw error;
    }
  };
}

/** The caller of a route behind `authenticate`. */
export function caller(request: FastifyRequest): Authentication {
  if (!request.auth) throw new AppError(KernelErrors.unauthenticated);
  return request.auth;
}

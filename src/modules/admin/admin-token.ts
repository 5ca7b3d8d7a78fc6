import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../kernel/errors/app-error.js";
import { AdminErrors } from "./errors.js";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * preHandler: `Authorization: Bearer <GATEHOUSE_ADMIN_TOKEN>`. Both sides are hashed before the
 * constant-time comparison, so neither the token's bytes nor its length leak through timing.
 */
export function createRequireAdminToken(token: string) {
  const expected = digest(token);
  return async function requireAdminToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const match = /^Bearer (\S+)$/i.exec(request.headers.authorization?.trim() ?? "");
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      reply.header("www-authenticate", 'Bearer realm="gatehouse-admin"');
      throw new AppError(AdminErrors.admin_token_invalid);
    }
    // The break-glass token names no user: audit entries record an administrator, unnamed.
    request.actor = { type: "admin", userId: null };
  };
}

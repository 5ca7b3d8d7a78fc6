import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { preHandlerAsyncHookHandler } from "fastify";
import { Type } from "typebox";
import { DateTime, errorResponses, Nullable, Uuid } from "../../kernel/http/schemas.js";
import { caller } from "../../kernel/http/principal.js";
import type { LoginHistoryService } from "./service.js";

const LoginAttemptSchema = Type.Object({
  id: Uuid,
  method: Type.String(),
  succeeded: Type.Boolean(),
  reason: Nullable(Type.String({ description: "Why an attempt failed: wrong_password, throttled, email_not_confirmed, …" })),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  createdAt: DateTime,
});

export const loginHistoryRoutes: FastifyPluginAsyncTypebox<{ loginHistory: LoginHistoryService; authenticate: preHandlerAsyncHookHandler }> = async (
  app,
  { loginHistory, authenticate },
) => {
  app.get(
    "/v1/me/login-history",
    {
      preHandler: authenticate,
      schema: {
        tags: ["sessions"],
        security: [{ bearerAuth: [] }],
        summary: "My sign-in attempts, newest first",
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            before: Type.Optional(Type.String({ format: "uuid", description: "`nextCursor` of the previous page." })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(LoginAttemptSchema), nextCursor: Nullable(Type.String()) }), ...errorResponses(400, 401) },
      },
    },
    async (request) => loginHistory.list(caller(request).userId, { limit: request.query.limit, before: request.query.before }),
  );
};

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { preHandlerAsyncHookHandler } from "fastify";
import { Type } from "typebox";
import { defineComponent } from "../../kernel/http/components.js";
import { DateTime, Nullable, Uuid } from "../../kernel/http/schemas.js";
import { caller } from "../../kernel/http/principal.js";
import type { LoginHistoryService } from "./service.js";

const LoginAttemptSchema = defineComponent(
  "LoginAttempt",
  Type.Object(
    {
      id: Uuid,
      method: Type.String(),
      succeeded: Type.Boolean(),
      reason: Nullable(Type.String({ description: "Why an attempt failed: wrong_password, throttled, email_not_confirmed, …" })),
      ip: Nullable(Type.String()),
      userAgent: Nullable(Type.String()),
      createdAt: DateTime,
    },
    {
      description: "One sign-in attempt on the account, successful or not.",
      examples: [{ id: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", method: "password", succeeded: false, reason: "wrong_password", ip: "198.51.100.23", userAgent: "curl/8.5.0", createdAt: "2025-03-02T08:14:12.000Z" }],
    },
  ),
);

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
        operationId: "listMyLoginHistory",
        security: [{ bearerAuth: [] }],
        summary: "My sign-in attempts, newest first",
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            before: Type.Optional(Type.String({ format: "uuid", description: "`nextCursor` of the previous page." })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(LoginAttemptSchema), nextCursor: Nullable(Type.String()) }) },
      },
    },
    async (request) => loginHistory.list(caller(request).userId, { limit: request.query.limit, before: request.query.before }),
  );
};

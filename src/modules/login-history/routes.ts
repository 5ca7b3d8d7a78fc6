import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { preHandlerAsyncHookHandler } from "fastify";
import { Type } from "typebox";
import { Nullable } from "../../kernel/http/schemas.js";
import { caller } from "../../kernel/http/principal.js";
import { LoginAttemptSchema } from "./schemas.js";
import type { LoginHistoryService } from "./service.js";

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

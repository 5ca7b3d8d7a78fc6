import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { SigningKeys } from "./signing-keys.js";

export const tokensRoutes: FastifyPluginAsyncTypebox<{ keys: SigningKeys }> = async (app, { keys }) => {
  app.get(
    "/.well-known/jwks.json",
    {
      schema: {
        tags: ["tokens"],
        operationId: "getJsonWebKeySet",
        summary: "Public keys that verify Gatehouse access tokens (current and previous)",
        response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) },
      },
    },
    async (_request, reply) => {
      reply.header("cache-control", "public, max-age=300");
      return keys.jwks();
    },
  );
};

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { SigningKeys } from "../../kernel/signing-keys/signing-keys.js";

/** `cacheMaxAgeSeconds` is GATEHOUSE_JWKS_MAX_AGE_SECONDS: the signing keys publish a new key that long before it signs. */
export const tokensRoutes: FastifyPluginAsyncTypebox<{ keys: SigningKeys; cacheMaxAgeSeconds: number }> = async (app, { keys, cacheMaxAgeSeconds }) => {
  app.get(
    "/.well-known/jwks.json",
    {
      schema: {
        tags: ["tokens"],
        operationId: "getJsonWebKeySet",
        summary: "Public keys that verify Gatehouse access tokens: the signing key, keys whose tokens may still be valid, and the next key",
        response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) },
      },
    },
    async (_request, reply) => {
      reply.header("cache-control", `public, max-age=${cacheMaxAgeSeconds}`);
      return keys.jwks();
    },
  );
};

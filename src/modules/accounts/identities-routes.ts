import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { preHandlerAsyncHookHandler } from "fastify";
import { Type } from "typebox";
import { requestContext } from "../../kernel/http/request-context.js";
import { AcceptedResponse, DateTime, errorResponses, Nullable, PasswordInput, SecretInput, Uuid } from "../../kernel/http/schemas.js";
import { caller } from "../../kernel/http/principal.js";
import type { IdentitiesService } from "./identities.js";
import { CodeInput, EmailInput, IdentitySchema, IdentityTypeInput, IdentityValueInput, UserSchema } from "./schemas.js";

const tags = ["identities"];
const security = [{ bearerAuth: [] }];

export const identitiesRoutes: FastifyPluginAsyncTypebox<{ identities: IdentitiesService; authenticate: preHandlerAsyncHookHandler }> = async (
  app,
  { identities, authenticate },
) => {
  app.get(
    "/v1/me/identities",
    { preHandler: authenticate, schema: { tags, security, summary: "My email addresses and phone numbers", response: { 200: Type.Object({ identities: Type.Array(IdentitySchema) }), ...errorResponses(401) } } },
    async (request) => ({ identities: await identities.list(caller(request).userId) }),
  );

  app.post(
    "/v1/me/identities",
    {
      preHandler: authenticate,
      schema: {
        tags,
        security,
        summary: "Add an email address or phone number: sends a code (or, for an email, a link) to it (always 202)",
        description:
          "Nothing is added until the code is entered at POST /v1/me/identities/verify or the link is followed. " +
          "The answer is the same when the identity belongs to another account, and then nothing is sent.",
        body: Type.Object(
          {
            type: IdentityTypeInput,
            value: IdentityValueInput,
            method: Type.Optional(Type.Union([Type.Literal("code"), Type.Literal("link")], { description: "For an email address: `code` (default) or `link`. Phones always get a code by SMS." })),
          },
          { additionalProperties: false },
        ),
        response: { 202: AcceptedResponse, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      await identities.requestVerification(caller(request).userId, request.body, requestContext(request));
      return reply.code(202).send({ message: "If this address or number can be added to your account, we have sent it a code." });
    },
  );

  app.post(
    "/v1/me/identities/verify",
    {
      preHandler: authenticate,
      schema: {
        tags,
        security,
        summary: "Enter the code sent to an email address or phone number: adds (or verifies) it",
        body: Type.Object({ type: IdentityTypeInput, value: IdentityValueInput, code: CodeInput }, { additionalProperties: false }),
        response: { 200: Type.Object({ identity: IdentitySchema, user: UserSchema }), ...errorResponses(400, 401, 409, 429) },
      },
    },
    async (request) => identities.verifyWithCode({ ...request.body, userId: caller(request).userId }, requestContext(request)),
  );

  app.delete(
    "/v1/me/identities/:identityId",
    {
      preHandler: authenticate,
      schema: {
        tags,
        security,
        summary: "Remove an email address or phone number from my account",
        description: "Refused with last_sign_in_method when the account would be left with no way to sign in.",
        params: Type.Object({ identityId: Uuid }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      await identities.remove(caller(request).userId, request.params.identityId, requestContext(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/v1/me/email",
    {
      preHandler: authenticate,
      schema: {
        tags,
        security,
        summary: "Change my email address: held until confirmed from the new address (always 202)",
        description:
          "Sends a confirmation link to the new address and a notice to the current one. The account keeps its current " +
          "address until the link is followed. `currentPassword` is required when the account has a password.",
        body: Type.Object({ email: EmailInput, currentPassword: Type.Optional(PasswordInput) }, { additionalProperties: false }),
        response: { 202: AcceptedResponse, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      await identities.requestEmailChange(caller(request).userId, request.body, requestContext(request));
      return reply.code(202).send({ message: "If the address can be used, we have sent it a link to confirm the change." });
    },
  );

  app.get(
    "/v1/me/email-change",
    {
      preHandler: authenticate,
      schema: {
        tags,
        security,
        summary: "The email change waiting for confirmation, if any",
        response: { 200: Type.Object({ pending: Nullable(Type.Object({ email: Type.String(), expiresAt: DateTime })) }), ...errorResponses(401) },
      },
    },
    async (request) => ({ pending: await identities.pendingEmailChange(caller(request).userId) }),
  );

  app.post(
    "/v1/email-changes/confirm",
    {
      schema: {
        tags,
        summary: "Apply an email change with the token emailed to the new address",
        body: Type.Object({ token: SecretInput }, { additionalProperties: false }),
        response: { 200: Type.Object({ user: UserSchema }), ...errorResponses(400, 409) },
      },
    },
    async (request) => ({ user: await identities.confirmEmailChange(request.body.token, requestContext(request)) }),
  );
};

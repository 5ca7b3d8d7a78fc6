import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requestContext } from "../../kernel/http/request-context.js";
import { AcceptedResponse, errorResponses, SecretInput } from "../../kernel/http/schemas.js";
import { CodeInput, EmailInput, IdentityTypeInput, IdentityValueInput, UserSchema } from "../accounts/index.js";
import { SessionGrantSchema } from "../sessions/index.js";
import type { PasswordlessService } from "./service.js";

const tags = ["passwordless"];

const PasswordlessSignInSchema = Type.Intersect([
  SessionGrantSchema,
  Type.Object({ user: UserSchema, created: Type.Boolean({ description: "True when this sign-in created the account." }) }),
]);

export const passwordlessRoutes: FastifyPluginAsyncTypebox<{ passwordless: PasswordlessService }> = async (app, { passwordless }) => {
  app.post(
    "/v1/magic-links",
    {
      schema: {
        tags,
        summary: "Email me a sign-in link (always 202, whether or not the address has an account)",
        description: "The link works once and expires (10 minutes by default). For a new address it creates a passwordless account, unless sign-up is disabled.",
        body: Type.Object({ email: EmailInput }, { additionalProperties: false }),
        response: { 202: AcceptedResponse, ...errorResponses(400, 429) },
      },
    },
    async (request, reply) => {
      await passwordless.requestMagicLink(request.body.email, requestContext(request));
      return reply.code(202).send({ message: "If this address can sign in, we have sent it a link." });
    },
  );

  app.post(
    "/v1/magic-links/verify",
    {
      schema: {
        tags,
        summary: "Sign in (or sign up) with the token of a magic link",
        body: Type.Object({ token: SecretInput }, { additionalProperties: false }),
        response: { 201: PasswordlessSignInSchema, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await passwordless.signInWithMagicLink(request.body.token, requestContext(request))),
  );

  app.post(
    "/v1/sign-in-codes",
    {
      schema: {
        tags,
        summary: "Send me a sign-in code by email or SMS (always 202, whether or not the identity has an account)",
        body: Type.Object({ type: IdentityTypeInput, value: IdentityValueInput }, { additionalProperties: false }),
        response: { 202: AcceptedResponse, ...errorResponses(400, 429) },
      },
    },
    async (request, reply) => {
      await passwordless.requestSignInCode(request.body, requestContext(request));
      return reply.code(202).send({ message: "If this address or number can sign in, we have sent it a code." });
    },
  );

  app.post(
    "/v1/sign-in-codes/verify",
    {
      schema: {
        tags,
        summary: "Sign in (or sign up) with a code sent by email or SMS",
        description: "A code dies after 5 wrong guesses; as many failures across codes lock the identity's sign-in codes for a while (429).",
        body: Type.Object({ type: IdentityTypeInput, value: IdentityValueInput, code: CodeInput }, { additionalProperties: false }),
        response: { 201: PasswordlessSignInSchema, ...errorResponses(400, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await passwordless.signInWithCode(request.body, requestContext(request))),
  );
};

import { AddressErrors, addressErrors } from "../../kernel/addresses/errors.js";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requestContext } from "../../kernel/http/request-context.js";
import { KernelErrors } from "../../kernel/errors/kernel-errors.js";
import { defineComponent } from "../../kernel/http/components.js";
import { AcceptedResponse, errorResponses, SecretInput } from "../../kernel/http/schemas.js";
import { exampleUser, UserSchema } from "../accounts/index.js";

import { CodeInput, EmailInput, IdentityTypeInput, IdentityValueInput } from "../../kernel/http/inputs.js";
import { exampleSessionGrant, SessionGrantSchema } from "../sessions/index.js";
import { codeErrors } from "../tokens/index.js";
import { PasswordlessErrors } from "./errors.js";
import type { PasswordlessService } from "./service.js";

const tags = ["passwordless"];

const PasswordlessSignInSchema = defineComponent(
  "PasswordlessSignIn",
  Type.Intersect(
    [SessionGrantSchema, Type.Object({ user: UserSchema, created: Type.Boolean({ description: "True when this sign-in created the account." }) })],
    {
      description: "A session grant, with the user it signed in (or signed up).",
      examples: [
        {
          ...exampleSessionGrant,
          session: { ...exampleSessionGrant.session, method: "magic_link" },
          user: { ...exampleUser, hasPassword: false },
          created: false,
        },
      ],
    },
  ),
);

export const passwordlessRoutes: FastifyPluginAsyncTypebox<{ passwordless: PasswordlessService }> = async (app, { passwordless }) => {
  app.post(
    "/v1/magic-links",
    {
      schema: {
        tags,
        operationId: "requestMagicLink",
        summary: "Email me a sign-in link (always 202, whether or not the address has an account)",
        description:
          "The link works once and expires (10 minutes by default). For a new address it creates a passwordless account, unless sign-up is disabled.",
        body: Type.Object({ email: EmailInput }, { additionalProperties: false, examples: [{ email: "ada@example.com" }] }),
        response: { 202: AcceptedResponse, ...errorResponses(AddressErrors.invalid_email, KernelErrors.rate_limited) },
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
        operationId: "signInWithMagicLink",
        summary: "Sign in (or sign up) with the token of a magic link",
        body: Type.Object({ token: SecretInput }, { additionalProperties: false, examples: [{ token: "example-magic-link-token" }] }),
        response: { 201: PasswordlessSignInSchema, ...errorResponses(PasswordlessErrors.invalid_magic_link, KernelErrors.rate_limited) },
      },
    },
    async (request, reply) => reply.code(201).send(await passwordless.signInWithMagicLink(request.body.token, requestContext(request))),
  );

  app.post(
    "/v1/sign-in-codes",
    {
      schema: {
        tags,
        operationId: "requestSignInCode",
        summary: "Send me a sign-in code by email or SMS (always 202, whether or not the identity has an account)",
        body: Type.Object(
          { type: IdentityTypeInput, value: IdentityValueInput },
          { additionalProperties: false, examples: [{ type: "email", value: "ada@example.com" }] },
        ),
        response: { 202: AcceptedResponse, ...errorResponses(...addressErrors, KernelErrors.rate_limited) },
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
        operationId: "signInWithCode",
        summary: "Sign in (or sign up) with a code sent by email or SMS",
        description: "A code dies after 5 wrong guesses; as many failures across codes lock the identity's sign-in codes for a while (429).",
        body: Type.Object(
          { type: IdentityTypeInput, value: IdentityValueInput, code: CodeInput },
          { additionalProperties: false, examples: [{ type: "email", value: "ada@example.com", code: "123456" }] },
        ),
        response: { 201: PasswordlessSignInSchema, ...errorResponses(...addressErrors, ...codeErrors, KernelErrors.rate_limited) },
      },
    },
    async (request, reply) => reply.code(201).send(await passwordless.signInWithCode(request.body, requestContext(request))),
  );
};

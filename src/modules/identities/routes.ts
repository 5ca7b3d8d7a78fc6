import { AddressErrors, addressErrors } from "../../kernel/addresses/errors.js";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { preHandlerAsyncHookHandler } from "fastify";
import { Type } from "typebox";
import { requestContext } from "../../kernel/http/request-context.js";
import { AcceptedResponse, DateTime, errorResponses, Nullable, PasswordInput, SecretInput, Uuid } from "../../kernel/http/schemas.js";
import { caller } from "../../kernel/http/principal.js";
import { KernelErrors } from "../../kernel/errors/kernel-errors.js";
import { AuthenticatorErrors } from "../authenticators/index.js";
import { codeErrors, TokenErrors } from "../tokens/index.js";
import { AccountErrors, UserSchema } from "../accounts/index.js";
import { CodeInput, EmailInput, IdentityTypeInput, IdentityValueInput } from "../../kernel/http/inputs.js";
import { IdentityErrors } from "./errors.js";
import { IdentitySchema } from "./schemas.js";
import type { IdentitiesService } from "./service.js";

const tags = ["identities"];
const security = [{ bearerAuth: [] }];

export const identitiesRoutes: FastifyPluginAsyncTypebox<{ identities: IdentitiesService; authenticate: preHandlerAsyncHookHandler }> = async (
  app,
  { identities, authenticate },
) => {
  app.get(
    "/v1/me/identities",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "listMyIdentities",
        security,
        summary: "My email addresses and phone numbers",
        response: { 200: Type.Object({ identities: Type.Array(IdentitySchema) }) },
      },
    },
    async (request) => ({ identities: await identities.list(caller(request).userId) }),
  );

  app.post(
    "/v1/me/identities",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "addMyIdentity",
        security,
        summary: "Add an email address or phone number: sends a code (or, for an email, a link) to it (always 202)",
        description:
          "Nothing is added until the code is entered at POST /v1/me/identities/verify or the link is followed. " +
          "The answer is the same when the identity belongs to another account, and then nothing is sent.",
        body: Type.Object(
          {
            type: IdentityTypeInput,
            value: IdentityValueInput,
            method: Type.Optional(
              Type.Union([Type.Literal("code"), Type.Literal("link")], {
                description: "For an email address: `code` (default) or `link`. Phones always get a code by SMS.",
              }),
            ),
          },
          { additionalProperties: false, examples: [{ type: "phone", value: "+33 6 12 34 56 78" }] },
        ),
        response: {
          202: AcceptedResponse,
          ...errorResponses(
            ...addressErrors,
            KernelErrors.reauthentication_required,
            IdentityErrors.verified_identity_required,
            KernelErrors.rate_limited,
            TokenErrors.too_many_code_attempts,
          ),
        },
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
        operationId: "verifyMyIdentity",
        security,
        summary: "Enter the code sent to an email address or phone number: adds (or verifies) it",
        body: Type.Object(
          { type: IdentityTypeInput, value: IdentityValueInput, code: CodeInput },
          { additionalProperties: false, examples: [{ type: "phone", value: "+33612345678", code: "123456" }] },
        ),
        response: {
          200: Type.Object({ identity: IdentitySchema, user: UserSchema }),
          ...errorResponses(...addressErrors, ...codeErrors, IdentityErrors.identity_taken, KernelErrors.rate_limited),
        },
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
        operationId: "removeMyIdentity",
        security,
        summary: "Remove an email address or phone number from my account",
        description: "Refused with last_sign_in_method when the account would be left with no way to sign in.",
        params: Type.Object({ identityId: Uuid }),
        response: {
          204: Type.Null(),
          ...errorResponses(
            KernelErrors.reauthentication_required,
            IdentityErrors.identity_not_found,
            IdentityErrors.last_sign_in_method,
            IdentityErrors.last_recovery_channel,
          ),
        },
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
        operationId: "changeMyEmail",
        security,
        summary: "Change my email address: held until confirmed from the new address (always 202)",
        description:
          "Sends a confirmation link to the new address and a notice to the current one. The account keeps its current " +
          "address until the link is followed. `currentPassword` is required when the account has a password.",
        body: Type.Object(
          { email: EmailInput, currentPassword: Type.Optional(PasswordInput) },
          { additionalProperties: false, examples: [{ email: "ada.lovelace@example.com", currentPassword: "plum-otter-lantern-42" }] },
        ),
        response: {
          202: AcceptedResponse,
          ...errorResponses(
            AddressErrors.invalid_email,
            IdentityErrors.email_unchanged,
            AuthenticatorErrors.invalid_current_password,
            KernelErrors.reauthentication_required,
            AccountErrors.user_not_found,
            KernelErrors.rate_limited,
            KernelErrors.server_busy,
          ),
        },
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
        operationId: "getMyPendingEmailChange",
        security,
        summary: "The email change waiting for confirmation, if any",
        response: { 200: Type.Object({ pending: Nullable(Type.Object({ email: Type.String(), expiresAt: DateTime })) }) },
      },
    },
    async (request) => ({ pending: await identities.pendingEmailChange(caller(request).userId) }),
  );

  app.post(
    "/v1/email-changes/confirm",
    {
      schema: {
        tags,
        operationId: "confirmEmailChange",
        summary: "Apply an email change with the token emailed to the new address",
        body: Type.Object({ token: SecretInput }, { additionalProperties: false, examples: [{ token: "example-email-change-token" }] }),
        response: { 200: Type.Object({ user: UserSchema }), ...errorResponses(IdentityErrors.invalid_email_change_token, IdentityErrors.identity_taken) },
      },
    },
    async (request) => ({ user: await identities.confirmEmailChange(request.body.token, requestContext(request)) }),
  );

  app.post(
    "/v1/email-confirmations",
    {
      schema: {
        tags,
        operationId: "confirmEmail",
        summary: "Confirm an email address with the emailed token, or with the emailed code",
        description: "Post-signup confirmation and verification of an added address by link share this endpoint.",
        body: Type.Union(
          [
            Type.Object({ token: SecretInput }, { additionalProperties: false }),
            Type.Object({ email: EmailInput, code: CodeInput }, { additionalProperties: false }),
          ],
          { examples: [{ token: "example-confirmation-token" }, { email: "ada@example.com", code: "123456" }] },
        ),
        response: {
          200: Type.Object({ user: UserSchema }),
          ...errorResponses(
            IdentityErrors.invalid_confirmation_token,
            AddressErrors.invalid_email,
            ...codeErrors,
            IdentityErrors.identity_taken,
            KernelErrors.rate_limited,
          ),
        },
      },
    },
    async (request) => {
      const { body } = request;
      if ("token" in body) return { user: (await identities.verifyWithLink(body.token, requestContext(request))).user };
      return { user: (await identities.verifyWithCode({ type: "email", value: body.email, code: body.code }, requestContext(request))).user };
    },
  );

  app.post(
    "/v1/email-confirmations/resend",
    {
      schema: {
        tags,
        operationId: "resendEmailConfirmation",
        summary: "Send a new confirmation link or code (always 202)",
        body: Type.Object(
          { email: EmailInput, method: Type.Optional(Type.Union([Type.Literal("link"), Type.Literal("code")], { description: "Default `link`." })) },
          { additionalProperties: false, examples: [{ email: "ada@example.com", method: "code" }] },
        ),
        response: { 202: AcceptedResponse, ...errorResponses(KernelErrors.rate_limited) },
      },
    },
    async (request, reply) => {
      await identities.resendEmailConfirmation(request.body.email, request.body.method ?? "link", requestContext(request));
      return reply.code(202).send({ message: "If an account matches, we have sent it an email." });
    },
  );
};

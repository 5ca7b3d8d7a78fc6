import { addressErrors } from "../../kernel/addresses/errors.js";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { preHandlerAsyncHookHandler } from "fastify";
import { Type } from "typebox";
import { requestContext } from "../../kernel/http/request-context.js";
import { AcceptedResponse, errorResponses, LoginInput, PasswordInput, SecretInput } from "../../kernel/http/schemas.js";
import { KernelErrors } from "../../kernel/errors/kernel-errors.js";

import { CodeInput, IdentityTypeInput, IdentityValueInput } from "../../kernel/http/inputs.js";
import { codeErrors } from "../tokens/index.js";
import { AuthenticatorErrors, passwordPolicyErrors } from "../authenticators/index.js";
import { PasswordErrors } from "./errors.js";
import { caller } from "../../kernel/http/principal.js";
import type { PasswordsService } from "./service.js";

const tags = ["passwords"];

export const passwordsRoutes: FastifyPluginAsyncTypebox<{ passwords: PasswordsService; authenticate: preHandlerAsyncHookHandler }> = async (
  app,
  { passwords, authenticate },
) => {
  app.post(
    "/v1/me/password",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "changeMyPassword",
        security: [{ bearerAuth: [] }],
        summary: "Change my password (requires the current one); ends my other sessions",
        body: Type.Object(
          { currentPassword: PasswordInput, newPassword: PasswordInput, newPasswordConfirmation: PasswordInput },
          {
            additionalProperties: false,
            examples: [{ currentPassword: "plum-otter-lantern-42", newPassword: "quartz-heron-meadow-17", newPasswordConfirmation: "quartz-heron-meadow-17" }],
          },
        ),
        response: {
          200: Type.Object({ revokedSessions: Type.Integer() }),
          ...errorResponses(
            AuthenticatorErrors.password_confirmation_mismatch,
            AuthenticatorErrors.invalid_current_password,
            ...passwordPolicyErrors,
            KernelErrors.rate_limited,
            KernelErrors.server_busy,
          ),
        },
      },
    },
    async (request) => {
      const { userId, sessionId } = caller(request);
      return passwords.change({ userId, sessionId, ...request.body }, requestContext(request));
    },
  );

  app.post(
    "/v1/password-resets",
    {
      schema: {
        tags,
        operationId: "requestPasswordReset",
        summary: "Email a password-reset link (always 202, whether or not the account exists)",
        body: Type.Object({ login: LoginInput }, { additionalProperties: false, examples: [{ login: "ada@example.com" }] }),
        response: { 202: AcceptedResponse, ...errorResponses(KernelErrors.rate_limited) },
      },
    },
    async (request, reply) => {
      await passwords.requestReset(request.body.login, requestContext(request));
      return reply.code(202).send({ message: "If an account matches, we have sent it a link to reset the password." });
    },
  );

  app.post(
    "/v1/password-resets/complete",
    {
      schema: {
        tags,
        operationId: "completePasswordReset",
        summary: "Set a new password with the emailed token; ends every session",
        body: Type.Object(
          { token: SecretInput, password: PasswordInput, passwordConfirmation: PasswordInput },
          {
            additionalProperties: false,
            examples: [{ token: "example-password-reset-token", password: "quartz-heron-meadow-17", passwordConfirmation: "quartz-heron-meadow-17" }],
          },
        ),
        response: {
          200: Type.Object({ message: Type.String() }),
          ...errorResponses(
            AuthenticatorErrors.password_confirmation_mismatch,
            PasswordErrors.invalid_reset_token,
            ...passwordPolicyErrors,
            KernelErrors.server_busy,
          ),
        },
      },
    },
    async (request) => {
      await passwords.completeReset(request.body, requestContext(request));
      return { message: "Your password has been reset. Sign in with the new password." };
    },
  );

  app.post(
    "/v1/password-resets/codes",
    {
      schema: {
        tags,
        operationId: "requestPasswordRecoveryCode",
        summary: "Send a password recovery code by email or SMS (always 202, whether or not the account exists)",
        body: Type.Object(
          { type: IdentityTypeInput, value: IdentityValueInput },
          { additionalProperties: false, examples: [{ type: "phone", value: "+33612345678" }] },
        ),
        response: { 202: AcceptedResponse, ...errorResponses(...addressErrors, KernelErrors.rate_limited) },
      },
    },
    async (request, reply) => {
      await passwords.requestRecoveryCode(request.body, requestContext(request));
      return reply.code(202).send({ message: "If an account matches, we have sent it a recovery code." });
    },
  );

  app.post(
    "/v1/password-resets/codes/complete",
    {
      schema: {
        tags,
        operationId: "completePasswordRecoveryWithCode",
        summary: "Set a new password with the recovery code; ends every session",
        body: Type.Object(
          { type: IdentityTypeInput, value: IdentityValueInput, code: CodeInput, password: PasswordInput, passwordConfirmation: PasswordInput },
          {
            additionalProperties: false,
            examples: [
              { type: "phone", value: "+33612345678", code: "123456", password: "quartz-heron-meadow-17", passwordConfirmation: "quartz-heron-meadow-17" },
            ],
          },
        ),
        response: {
          200: Type.Object({ message: Type.String() }),
          ...errorResponses(
            ...addressErrors,
            AuthenticatorErrors.password_confirmation_mismatch,
            ...passwordPolicyErrors,
            ...codeErrors,
            KernelErrors.rate_limited,
            KernelErrors.server_busy,
          ),
        },
      },
    },
    async (request) => {
      await passwords.completeRecoveryWithCode(request.body, requestContext(request));
      return { message: "Your password has been reset. Sign in with the new password." };
    },
  );
};

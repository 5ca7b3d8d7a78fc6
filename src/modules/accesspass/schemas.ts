import { Type } from "typebox";
import type { ErrorDefinition } from "../../kernel/errors/app-error.js";
import { defineComponent } from "../../kernel/http/components.js";
import { errorResponsesFor, type ErrorShape } from "../../kernel/http/error-responses.js";
import { LoginInput, PasswordInput, SecretInput } from "../../kernel/http/schemas.js";
import { KernelErrors } from "../../kernel/errors/kernel-errors.js";
import { EmailInput, UsernameInput } from "../../kernel/http/inputs.js";
import type { SessionGrant } from "../sessions/index.js";
import { TokenErrors } from "../tokens/index.js";

/** AccessPass field names are snake_case on the wire; the services' names are not. */
export const RegisterBody = Type.Object(
  {
    username: UsernameInput,
    password: PasswordInput,
    password_confirm: PasswordInput,
    email: EmailInput,
    meta: Type.Optional(
      Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
        description: "Any JSON object (at most 16 KB); GET /check returns it.",
      }),
    ),
  },
  { additionalProperties: false },
);

export const ConfirmBody = Type.Object({ confirm_id: SecretInput }, { additionalProperties: false });

// `username` takes an email address too, as the core's sign-in and reset do.
export const LoginBody = Type.Object({ username: LoginInput, password: PasswordInput }, { additionalProperties: false });

export const ResetPasswordBody = Type.Object({ username: LoginInput }, { additionalProperties: false });

export const ChangePasswordBody = Type.Object(
  { password_id: SecretInput, new_password: PasswordInput, password_confirm: PasswordInput },
  { additionalProperties: false },
);

export const ForgotUsernameBody = Type.Object({ email: EmailInput }, { additionalProperties: false });

// Documented for OpenAPI only: a missing header is answered by the route (401), not by validation (400).
export const AccessTokenHeaders = Type.Object({
  "access-token": Type.Optional(Type.String({ description: "The access_token of a login, register or refresh answer." })),
});
export const RefreshTokenHeaders = Type.Object({
  "refresh-token": Type.Optional(Type.String({ description: "The refresh_token of a login, register or refresh answer." })),
});

export const TokensResponse = defineComponent(
  "AccessPassTokens",
  Type.Object(
    {
      ok: Type.Object({
        type: Type.Literal("basic"),
        access_token: Type.String({ description: "JWT; send it in the `access-token` header." }),
        access_expire_in: Type.Integer({ description: "Seconds until the access token expires." }),
        refresh_token: Type.String({ description: "Opaque and single use: every refresh returns a new one." }),
        refresh_expire_in: Type.Integer({ description: "Seconds until the refresh token expires; 0 when refresh tokens do not expire." }),
      }),
    },
    {
      description: "AccessPass's answer to a login, register or refresh.",
      examples: [
        {
          ok: {
            type: "basic",
            access_token: "example.access.token",
            access_expire_in: 900,
            refresh_token: "example-refresh-token",
            refresh_expire_in: 2592000,
          },
        },
      ],
    },
  ),
);

export const MetaResponse = Type.Object({
  ok: Type.Record(Type.String(), Type.Unknown(), { description: "The `meta` object stored at registration." }),
});

export const MessageResponse = Type.Object({ ok: Type.String() });

const AccessPassError = defineComponent(
  "AccessPassError",
  Type.Object(
    { error: Type.String({ description: "Safe, human-readable explanation." }) },
    { description: "An AccessPass error: one sentence, validation problems folded into it.", examples: [{ error: "The login or password is not correct." }] },
  ),
);

/** AccessPass errors as routes.ts renders them. */
export const accessPassErrorShape: ErrorShape<typeof AccessPassError> = { schema: AccessPassError, example: ({ message }) => ({ error: message }) };

// What the core answers to these operations (AccessPassService composes the core's services).
export { registrationErrors } from "../accounts/index.js";
export const accessTokenErrors = [KernelErrors.unauthenticated, TokenErrors.invalid_token];

export function accesspassErrors(...errors: ErrorDefinition[]) {
  return errorResponsesFor(accessPassErrorShape, errors);
}

/** A session grant in AccessPass's words. */
export function toAccessPassTokens(grant: SessionGrant) {
  return {
    ok: {
      type: "basic" as const,
      access_token: grant.accessToken,
      access_expire_in: grant.expiresIn,
      refresh_token: grant.refreshToken,
      refresh_expire_in: grant.refreshExpiresIn,
    },
  };
}

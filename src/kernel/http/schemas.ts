import { Type } from "typebox";
import type { ErrorDefinition } from "../errors/app-error.js";
import { defineComponent } from "./components.js";
import { errorResponsesFor, type ErrorShape } from "./error-responses.js";

/** The error body of every JSON route (ARCHITECTURE.md, Errors). */
export const ErrorSchema = defineComponent(
  "Error",
  Type.Object(
    {
      error: Type.Object({
        code: Type.String({ description: "Stable machine-readable code (see docs/errors.md)." }),
        message: Type.String({ description: "Safe, human-readable explanation." }),
        details: Type.Optional(
          Type.Unknown({ description: "For `validation_failed`, the fields at fault; for `password_too_guessable`, a warning and suggestions." }),
        ),
      }),
    },
    {
      description: "An error: a stable `code`, a message safe to show, and for `validation_failed` the fields at fault.",
      examples: [
        {
          error: {
            code: "validation_failed",
            message: "The request is not valid. See details for the fields at fault.",
            details: [{ path: "body/email", message: 'must match format "email"' }],
          },
        },
        { error: { code: "invalid_credentials", message: "The login or password is not correct." } },
      ],
    },
  ),
);

/** JSON API errors as the kernel's error handler renders them. */
export const jsonErrorShape: ErrorShape<typeof ErrorSchema> = {
  schema: ErrorSchema,
  example: ({ code, message }) => ({ error: { code, message } }),
};

/**
 * The error responses of a route: the errors it raises itself, grouped by status. The errors every
 * route of a kind can answer (validation, body limits, authentication, an unavailable database)
 * are added centrally (kernel/http/api-document.ts).
 */
export function errorResponses(...errors: ErrorDefinition[]) {
  return errorResponsesFor(jsonErrorShape, errors);
}

/** A Date in services, an RFC 3339 string on the wire (fast-json-stringify formats it). */
export const DateTime = Type.Unsafe<Date>({ type: "string", format: "date-time" });

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const Uuid = Type.String({ format: "uuid" });

/** The body of every 202 answer that must not reveal whether an account exists. */
export const AcceptedResponse = defineComponent(
  "Accepted",
  Type.Object(
    { message: Type.String() },
    {
      description: "The answer of a request that must not reveal whether an account exists.",
      examples: [{ message: "If an account matches, we have sent it an email." }],
    },
  ),
);

// Bounded generously: the real limit (1,024 characters) is checked by the service with a clear code.
export const PasswordInput = Type.String({ minLength: 1, maxLength: 4096 });
export const LoginInput = Type.String({ minLength: 1, maxLength: 320, description: "Email address or username (case-insensitive)." });
export const SecretInput = Type.String({ minLength: 1, maxLength: 512 });

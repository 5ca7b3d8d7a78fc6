import { Type } from "typebox";

/** The error body every JSON route can answer with; referenced by each route's response schema. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: "Stable machine-readable code (see docs/errors.md)." }),
      message: Type.String({ description: "Safe, human-readable explanation." }),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { description: "Error" },
);

/** Response map entry for the usual error statuses of a route. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));
}

/** A Date in services, an RFC 3339 string on the wire (fast-json-stringify formats it). */
export const DateTime = Type.Unsafe<Date>({ type: "string", format: "date-time" });

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const Uuid = Type.String({ format: "uuid" });

/** The body of every 202 answer that must not reveal whether an account exists. */
export const AcceptedResponse = Type.Object({ message: Type.String() });

// Bounded generously: the real limit (1,024 characters) is checked by the service with a clear code.
export const PasswordInput = Type.String({ minLength: 1, maxLength: 4096 });
export const LoginInput = Type.String({ minLength: 1, maxLength: 320, description: "Email address or username (case-insensitive)." });
export const SecretInput = Type.String({ minLength: 1, maxLength: 512 });

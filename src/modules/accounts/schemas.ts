import { Type } from "typebox";
import { DateTime, Nullable, Uuid } from "../../kernel/http/schemas.js";

export const EmailInput = Type.String({ format: "email", maxLength: 254, description: "Compared case-insensitively." });

export const UsernameInput = Type.String({
  minLength: 3,
  maxLength: 64,
  pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
  description: "Letters, digits, dot, underscore, hyphen; starts with a letter or digit; unique case-insensitively.",
});

export const IdentityTypeInput = Type.Union([Type.Literal("email"), Type.Literal("phone")], { description: "`email` or `phone`." });

export const IdentityValueInput = Type.String({
  minLength: 1,
  maxLength: 254,
  description: "An email address, or a phone number in international form (`+33612345678`; spaces and dashes are fine).",
});

export const CodeInput = Type.String({ pattern: "^[0-9]{6,10}$", description: "The numeric code as received." });

export const UserSchema = Type.Object({
  id: Uuid,
  email: Nullable(Type.String({ description: "Primary email address; null for an account with a phone number only." })),
  emailConfirmed: Type.Boolean(),
  emailConfirmedAt: Nullable(DateTime),
  username: Nullable(Type.String()),
  name: Nullable(Type.String()),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  hasPassword: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const IdentitySchema = Type.Object({
  id: Uuid,
  userId: Uuid,
  type: IdentityTypeInput,
  value: Type.String({ description: "Normalised: emails lower-cased, phone numbers E.164." }),
  verified: Type.Boolean(),
  verifiedAt: Nullable(DateTime),
  createdAt: DateTime,
});

export const PublicProfileSchema = Type.Object({ id: Uuid, username: Nullable(Type.String()), name: Nullable(Type.String()) });

import { Type } from "typebox";
import { DateTime, Nullable, Uuid } from "../../kernel/http/schemas.js";

export const EmailInput = Type.String({ format: "email", maxLength: 254, description: "Compared case-insensitively." });
export const UsernameInput = Type.String({
  minLength: 3,
  maxLength: 64,
  pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
  description: "Letters, digits, dot, underscore, hyphen; starts with a letter or digit; unique case-insensitively.",
});

export const UserSchema = Type.Object({
  id: Uuid,
  email: Type.String(),
  emailConfirmed: Type.Boolean(),
  emailConfirmedAt: Nullable(DateTime),
  username: Nullable(Type.String()),
  name: Nullable(Type.String()),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  hasPassword: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
});

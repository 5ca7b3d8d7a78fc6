import { Type } from "typebox";
import { defineComponent } from "../../kernel/http/components.js";
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

/** The user of the API document's examples (made-up values). */
export const exampleUser = {
  id: "5b0f6c1e-8d2a-4f4b-9c3e-2a7d1e6f8b90",
  email: "ada@example.com",
  emailConfirmed: true,
  emailConfirmedAt: "2025-01-15T09:32:00.000Z",
  username: "ada",
  name: "Ada Lovelace",
  metadata: { plan: "free" },
  hasPassword: true,
  createdAt: "2025-01-15T09:30:00.000Z",
  updatedAt: "2025-01-15T09:32:00.000Z",
};

export const UserSchema = defineComponent(
  "User",
  Type.Object(
    {
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
    },
    { description: "A user as the API shows it to its owner.", examples: [exampleUser] },
  ),
);

export const IdentitySchema = defineComponent(
  "Identity",
  Type.Object(
    {
      id: Uuid,
      userId: Uuid,
      type: IdentityTypeInput,
      value: Type.String({ description: "Normalised: emails lower-cased, phone numbers E.164." }),
      verified: Type.Boolean(),
      verifiedAt: Nullable(DateTime),
      createdAt: DateTime,
    },
    {
      description: "An email address or phone number of a user.",
      examples: [
        {
          id: "9e4c2b7a-3f1d-4a6e-8b5c-0d2f4a6c8e1b",
          userId: exampleUser.id,
          type: "phone",
          value: "+33612345678",
          verified: true,
          verifiedAt: "2025-02-01T18:04:00.000Z",
          createdAt: "2025-02-01T18:02:00.000Z",
        },
      ],
    },
  ),
);

export const PublicProfileSchema = defineComponent(
  "PublicProfile",
  Type.Object(
    { id: Uuid, username: Nullable(Type.String()), name: Nullable(Type.String()) },
    { description: "What anyone signed in may see of another user.", examples: [{ id: exampleUser.id, username: exampleUser.username, name: exampleUser.name }] },
  ),
);

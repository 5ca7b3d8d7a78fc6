import { Type } from "typebox";
import { defineComponent } from "../../kernel/http/components.js";
import { DateTime, Nullable, Uuid } from "../../kernel/http/schemas.js";

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

export const PublicProfileSchema = defineComponent(
  "PublicProfile",
  Type.Object(
    { id: Uuid, username: Nullable(Type.String()), name: Nullable(Type.String()) },
    {
      description: "What anyone signed in may see of another user.",
      examples: [{ id: exampleUser.id, username: exampleUser.username, name: exampleUser.name }],
    },
  ),
);

import { Type } from "typebox";
import { defineComponent } from "../../kernel/http/components.js";
import { DateTime, Nullable, Uuid } from "../../kernel/http/schemas.js";

/** The session of the API document's examples (made-up values). */
const exampleSession = {
  id: "c3d9a1f2-6b4e-4c8a-9f1d-7e2b5a8c0d34",
  userId: "5b0f6c1e-8d2a-4f4b-9c3e-2a7d1e6f8b90",
  method: "password",
  ip: "203.0.113.7",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  createdAt: "2025-03-02T08:15:00.000Z",
  lastUsedAt: "2025-03-02T08:15:00.000Z",
  expiresAt: "2025-04-01T08:15:00.000Z",
};

/** A grant of the API document's examples: placeholders where the tokens go, never real ones. */
export const exampleSessionGrant = {
  tokenType: "Bearer" as const,
  accessToken: "example.access.token",
  expiresIn: 900,
  refreshToken: "example-refresh-token",
  refreshExpiresIn: 2592000,
  session: exampleSession,
};

export const SessionSchema = defineComponent(
  "Session",
  Type.Object(
    {
      id: Uuid,
      userId: Uuid,
      method: Type.String({ description: "How the session was started: password, sign_in_token, …" }),
      ip: Nullable(Type.String()),
      userAgent: Nullable(Type.String()),
      createdAt: DateTime,
      lastUsedAt: DateTime,
      expiresAt: DateTime,
    },
    { description: "A signed-in session: one per sign-in, ended by sign-out, expiry or revocation.", examples: [exampleSession] },
  ),
);

export const SessionGrantSchema = defineComponent(
  "SessionGrant",
  Type.Object(
    {
      tokenType: Type.Literal("Bearer"),
      accessToken: Type.String({ description: "JWT (typ at+jwt), sent as `Authorization: Bearer …`." }),
      expiresIn: Type.Integer({ description: "Seconds until the access token expires." }),
      refreshToken: Type.String({ description: "Opaque; single use: every refresh returns a new one." }),
      refreshExpiresIn: Type.Integer({ description: "Seconds until the refresh token expires; 0 when it does not expire." }),
      session: SessionSchema,
    },
    { description: "What a sign-in or a refresh hands the client: an access token, a refresh token and the session.", examples: [exampleSessionGrant] },
  ),
);

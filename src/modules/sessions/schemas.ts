import { Type } from "typebox";
import { DateTime, Nullable, Uuid } from "../../kernel/http/schemas.js";

export const SessionSchema = Type.Object({
  id: Uuid,
  userId: Uuid,
  method: Type.String({ description: "How the session was started: password, sign_in_token, …" }),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  createdAt: DateTime,
  lastUsedAt: DateTime,
  expiresAt: DateTime,
});

export const SessionGrantSchema = Type.Object({
  tokenType: Type.Literal("Bearer"),
  accessToken: Type.String({ description: "JWT (typ at+jwt), sent as `Authorization: Bearer …`." }),
  expiresIn: Type.Integer({ description: "Seconds until the access token expires." }),
  refreshToken: Type.String({ description: "Opaque; single use: every refresh returns a new one." }),
  refreshExpiresIn: Type.Integer({ description: "Seconds until the refresh token expires; 0 when it does not expire." }),
  session: SessionSchema,
});

import type { Static } from "typebox";
import type { SessionRow } from "./tables.js";
import type { SessionGrantSchema, SessionSchema } from "./schemas.js";

export type Session = Static<typeof SessionSchema>;

export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.userId,
    method: row.method,
    ip: row.ip,
    userAgent: row.userAgent,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
  };
}

/** What a successful sign-in or refresh hands the client. */
export type SessionGrant = Static<typeof SessionGrantSchema>;

import type { SessionRow } from "./tables.js";

export interface Session {
  id: string;
  userId: string;
  method: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

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
export interface SessionGrant {
  tokenType: "Bearer";
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
  /** Seconds until the refresh token expires; 0 when refresh tokens do not expire. */
  refreshExpiresIn: number;
  session: Session;
}

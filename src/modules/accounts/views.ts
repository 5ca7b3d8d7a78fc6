import type { UserRow } from "./tables.js";

/** The public shape of a user, in the HTTP API and the library alike. */
export interface User {
  id: string;
  /** The primary email address; null for a user who signed up with a phone number only. */
  email: string | null;
  emailConfirmed: boolean;
  emailConfirmedAt: Date | null;
  username: string | null;
  name: string | null;
  metadata: Record<string, unknown>;
  hasPassword: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    emailConfirmed: row.emailConfirmedAt !== null,
    emailConfirmedAt: row.emailConfirmedAt,
    username: row.username,
    name: row.name,
    metadata: row.metadata,
    hasPassword: row.passwordHash !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** What anyone signed in may see of another user (looked up by username). */
export interface PublicProfile {
  id: string;
  username: string | null;
  name: string | null;
}

export const toPublicProfile = (user: User): PublicProfile => ({ id: user.id, username: user.username, name: user.name });

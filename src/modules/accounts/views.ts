import type { Static } from "typebox";
import type { UserRow } from "./tables.js";
import type { PublicProfileSchema, UserSchema } from "./schemas.js";

/** The public shape of a user, in the HTTP API and the library alike. */
export type User = Static<typeof UserSchema>;

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
export type PublicProfile = Static<typeof PublicProfileSchema>;

export const toPublicProfile = (user: User): PublicProfile => ({ id: user.id, username: user.username, name: user.name });

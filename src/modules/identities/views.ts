import type { Static } from "typebox";
import type { IdentityRow } from "./tables.js";
import type { IdentitySchema } from "./schemas.js";

/** An email address or phone number of a user. */
export type Identity = Static<typeof IdentitySchema>;

export function toIdentity(row: IdentityRow): Identity {
  return {
    id: row.id,
    userId: row.userId,
    type: row.type,
    value: row.value,
    verified: row.verifiedAt !== null,
    verifiedAt: row.verifiedAt,
    createdAt: row.createdAt,
  };
}

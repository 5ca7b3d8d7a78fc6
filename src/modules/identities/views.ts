import type { IdentityRow, IdentityType } from "./tables.js";

/** An email address or phone number of a user. */
export interface Identity {
  id: string;
  userId: string;
  type: IdentityType;
  /** Normalised: emails lower-cased, phone numbers E.164. */
  value: string;
  verified: boolean;
  verifiedAt: Date | null;
  createdAt: Date;
}

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

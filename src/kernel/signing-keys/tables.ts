import { sql } from "drizzle-orm";
import { jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamptz } from "../db/columns.js";

/**
 * Asymmetric keys that sign access tokens; private halves are sealed with the master key. `status`:
 * `current` is the newest key (the last rotation's), `previous` the older keys still published,
 * `retired` those withdrawn. Published keys verify; of those, the one activated last signs
 * (key-schedule.ts), so a new `current` key is published before it signs.
 */
export const signingKeysTable = pgTable(
  "signing_keys",
  {
    kid: text("kid").primaryKey(),
    alg: text("alg").notNull(),
    publicJwk: jsonb("public_jwk").$type<Record<string, unknown>>().notNull(),
    privateJwkSealed: text("private_jwk_sealed").notNull(),
    status: text("status").$type<"current" | "previous" | "retired">().notNull(),
    createdAt: timestamptz("created_at").notNull(),
    /** When the key starts signing: published first, so verifiers' cached key sets know it before any token does. */
    activatesAt: timestamptz("activates_at").notNull(),
    rotatedAt: timestamptz("rotated_at"),
  },
  // At most one newest key, even when several nodes start on an empty database at once.
  (t) => [
    uniqueIndex("signing_keys_one_current_key")
      .on(t.status)
      .where(sql`${t.status} = 'current'`),
  ],
);

export type SigningKeyRow = typeof signingKeysTable.$inferSelect;

import { index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { timestamptz } from "../db/columns.js";

/** Fixed-window counters shared by every node through the database. */
export const rateLimitCountersTable = pgTable("rate_limit_counters", {
  key: text("key").primaryKey(),
  count: integer("count").notNull(),
  windowEndsAt: timestamptz("window_ends_at").notNull(),
});

/**
 * Distinct members counted under a key until they expire: the accounts one address failed to sign
 * in to, say, so a password spray is told apart from one person mistyping their own password.
 */
export const rateLimitMembersTable = pgTable(
  "rate_limit_members",
  {
    key: text("key").notNull(),
    member: text("member").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.member] }), index("rate_limit_members_expires_at_idx").on(t.expiresAt)],
);

import { sql } from "drizzle-orm";
import { check, index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "../../kernel/db/columns.js";
import type { IdentityType } from "../../kernel/addresses/normalize.js";
import { usersTable } from "../accounts/tables.js";

/**
 * How a user is reached and proves who they are: email addresses and phone numbers. Values are
 * normalised before they are stored (emails lower-cased, phones E.164), so the unique index is
 * exact. An identity is created verified by a flow that proved control of it (link or code); only
 * the address given at password registration starts unverified.
 */
export const identitiesTable = pgTable(
  "identities",
  {
    id: uuid("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => usersTable.id, { onDelete: "cascade" }),
    type: text("type").$type<IdentityType>().notNull(),
    value: text("value").notNull(),
    verifiedAt: timestamptz("verified_at"),
    createdAt: timestamptz("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("identities_type_value_key").on(t.type, t.value),
    index("identities_user_id_idx").on(t.userId),
    check("identities_type_check", sql`${t.type} in ('email', 'phone')`),
  ],
);

export type { IdentityType };
export type IdentityRow = typeof identitiesTable.$inferSelect;

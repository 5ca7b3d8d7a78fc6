import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "../../kernel/db/columns.js";

export const usersTable = pgTable(
  "users",
  {
    id: uuid("id").primaryKey(),
    /**
     * The primary email address, as typed, kept in step with the user's email identity of the same
     * value (same transaction). Null for a user who signed up with a phone number only.
     */
    email: text("email"),
    emailConfirmedAt: timestamptz("email_confirmed_at"),
    username: text("username"),
    passwordHash: text("password_hash"),
    name: text("name"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamptz("created_at").notNull(),
    updatedAt: timestamptz("updated_at").notNull(),
  },
  // Emails and usernames are unique case-insensitively; lookups use the same lower() expression.
  (t) => [uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`), uniqueIndex("users_username_lower_key").on(sql`lower(${t.username})`)],
);

export type UserRow = typeof usersTable.$inferSelect;

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

export type IdentityType = "email" | "phone";
export type IdentityRow = typeof identitiesTable.$inferSelect;

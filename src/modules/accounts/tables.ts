import { sql } from "drizzle-orm";
import { jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
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

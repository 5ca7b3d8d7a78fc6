import { sql } from "drizzle-orm";
import { jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "../../kernel/db/columns.js";

export const usersTable = pgTable(
  "users",
  {
    id: uuid("id").primaryKey(),
    email: text("email").notNull(),
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

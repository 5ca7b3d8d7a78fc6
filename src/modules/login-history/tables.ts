import { boolean, index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "../../kernel/db/columns.js";
import { usersTable } from "../accounts/tables.js";

export const loginAttemptsTable = pgTable(
  "login_attempts",
  {
    id: uuid("id").primaryKey(),
    // Null when the login name matched no account: the attempt is still recorded.
    userId: uuid("user_id").references(() => usersTable.id, { onDelete: "cascade" }),
    method: text("method").notNull(),
    succeeded: boolean("succeeded").notNull(),
    reason: text("reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: timestamptz("created_at").notNull(),
  },
  (t) => [index("login_attempts_user_id_id_idx").on(t.userId, t.id)],
);

export type LoginAttemptRow = typeof loginAttemptsTable.$inferSelect;

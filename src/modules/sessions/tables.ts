import { index, pgTable, text, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { timestamptz } from "../../kernel/db/columns.js";
import { usersTable } from "../accounts/tables.js";

export const sessionsTable = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => usersTable.id, { onDelete: "cascade" }),
    method: text("method").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /**
     * The session a sign-in token was issued from: ending it ends this one too, and this one never
     * outlives it (a hand-off is not a new sign-in).
     */
    parentSessionId: uuid("parent_session_id").references((): AnyPgColumn => sessionsTable.id, { onDelete: "cascade" }),
    createdAt: timestamptz("created_at").notNull(),
    /** When the user last proved who they are in this session (sign-in or reauthentication): `auth_time`. */
    authenticatedAt: timestamptz("authenticated_at").notNull(),
    lastUsedAt: timestamptz("last_used_at").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
    revokedAt: timestamptz("revoked_at"),
    revokedReason: text("revoked_reason"),
  },
  (t) => [
    index("sessions_user_id_idx").on(t.userId),
    index("sessions_expires_at_idx").on(t.expiresAt),
    index("sessions_parent_session_id_idx").on(t.parentSessionId),
  ],
);

export type SessionRow = typeof sessionsTable.$inferSelect;

/** One family per session: every rotation adds a child; reuse of a spent one revokes the session. */
export const refreshTokensTable = pgTable(
  "refresh_tokens",
  {
    id: uuid("id").primaryKey(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessionsTable.id, { onDelete: "cascade" }),
    parentId: uuid("parent_id"),
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: timestamptz("created_at").notNull(),
    expiresAt: timestamptz("expires_at"),
    spentAt: timestamptz("spent_at"),
  },
  (t) => [index("refresh_tokens_session_id_idx").on(t.sessionId)],
);

export type RefreshTokenRow = typeof refreshTokensTable.$inferSelect;

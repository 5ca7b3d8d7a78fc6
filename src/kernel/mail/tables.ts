import { index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "../db/columns.js";

/**
 * Durable outbox: a message is inserted in the same transaction as the state change that caused
 * it and delivered afterwards by the job runner. Bodies are sealed (they carry links with tokens).
 */
export const outboxMessagesTable = pgTable(
  "outbox_messages",
  {
    id: uuid("id").primaryKey(),
    channel: text("channel").$type<"email" | "sms">().notNull(),
    recipient: text("recipient").notNull(),
    subject: text("subject").notNull(),
    bodySealed: text("body_sealed"),
    // RFC 5322 Message-ID fixed at enqueue time, so a retried send can be de-duplicated by receivers.
    messageId: text("message_id").notNull(),
    status: text("status").$type<"pending" | "sending" | "sent" | "failed">().notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamptz("next_attempt_at").notNull(),
    lockedUntil: timestamptz("locked_until"),
    lastError: text("last_error"),
    createdAt: timestamptz("created_at").notNull(),
    sentAt: timestamptz("sent_at"),
  },
  (t) => [index("outbox_messages_status_next_attempt_idx").on(t.status, t.nextAttemptAt), index("outbox_messages_created_at_idx").on(t.createdAt)],
);

export type OutboxMessageRow = typeof outboxMessagesTable.$inferSelect;

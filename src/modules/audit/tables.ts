import { index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "../../kernel/db/columns.js";

/** Who did what, when, from where, with what result. Rows are never updated. */
export const auditEventsTable = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey(),
    action: text("action").notNull(),
    outcome: text("outcome").$type<"success" | "failure">().notNull(),
    /** Who acted: a user, an administrator, Gatehouse itself (a job, the command line), or nobody known. */
    actorType: text("actor_type").$type<"user" | "admin" | "system" | "anonymous">().notNull(),
    actorUserId: uuid("actor_user_id"),
    subjectUserId: uuid("subject_user_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** The request that caused the event, as in the logs; null for jobs and the command line. */
    requestId: text("request_id"),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamptz("created_at").notNull(),
  },
  (t) => [index("audit_events_subject_user_id_idx").on(t.subjectUserId), index("audit_events_created_at_idx").on(t.createdAt)],
);

export type AuditEventRow = typeof auditEventsTable.$inferSelect;

import { desc, eq, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../../kernel/db/database.js";
import { auditEventsTable as t, type AuditEventRow } from "./tables.js";

export type NewAuditEventRow = typeof t.$inferInsert;

export async function insertAuditEvent(executor: Executor, row: NewAuditEventRow): Promise<void> {
  await executor.insert(t).values(row);
}

/**
 * The same insert as an SQL statement whose user ids and data are expressions over `source` (a
 * table expression yielding at most one row), for statements that do all their work in one round trip.
 */
export function auditInsertFrom(
  source: SQL,
  row: Omit<NewAuditEventRow, "actorUserId" | "subjectUserId" | "data"> & { actorUserId: SQL; subjectUserId: SQL; data: SQL },
): SQL {
  return sql`insert into ${t} (id, action, outcome, actor_type, actor_user_id, subject_user_id, ip, user_agent, request_id, data, created_at)
    select ${row.id}, ${row.action}, ${row.outcome}, ${row.actorType}, ${row.actorUserId}, ${row.subjectUserId}, ${row.ip ?? null}, ${row.userAgent ?? null},
      ${row.requestId ?? null}, ${row.data}, ${row.createdAt}
    from ${source}`;
}

export function listAuditEventsForUser(executor: Executor, userId: string, limit: number): Promise<AuditEventRow[]> {
  return executor.select().from(t).where(eq(t.subjectUserId, userId)).orderBy(desc(t.id)).limit(limit);
}

/** The latest events of one action, newest first: key rotations, say, which concern no user. */
export function listAuditEventsByAction(executor: Executor, action: string, limit: number): Promise<AuditEventRow[]> {
  return executor.select().from(t).where(eq(t.action, action)).orderBy(desc(t.createdAt), desc(t.id)).limit(limit);
}

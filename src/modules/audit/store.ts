import { desc, eq } from "drizzle-orm";
import type { Executor } from "../../kernel/db/database.js";
import { auditEventsTable as t, type AuditEventRow } from "./tables.js";

export type NewAuditEventRow = typeof t.$inferInsert;

export async function insertAuditEvent(executor: Executor, row: NewAuditEventRow): Promise<void> {
  await executor.insert(t).values(row);
}

export function listAuditEventsForUser(executor: Executor, userId: string, limit: number): Promise<AuditEventRow[]> {
  return executor.select().from(t).where(eq(t.subjectUserId, userId)).orderBy(desc(t.id)).limit(limit);
}

/** The latest events of one action, newest first: key rotations, say, which concern no user. */
export function listAuditEventsByAction(executor: Executor, action: string, limit: number): Promise<AuditEventRow[]> {
  return executor.select().from(t).where(eq(t.action, action)).orderBy(desc(t.createdAt), desc(t.id)).limit(limit);
}

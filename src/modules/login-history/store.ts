import { and, desc, eq, lt } from "drizzle-orm";
import type { Executor } from "../../kernel/db/database.js";
import { loginAttemptsTable as t, type LoginAttemptRow } from "./tables.js";

export async function insertLoginAttempt(executor: Executor, row: typeof t.$inferInsert): Promise<void> {
  await executor.insert(t).values(row);
}

/** Newest first; ids are UUIDv7, so ordering by id is ordering by time and makes a stable cursor. */
export function listLoginAttempts(executor: Executor, userId: string, limit: number, beforeId?: string): Promise<LoginAttemptRow[]> {
  return executor
    .select()
    .from(t)
    .where(and(eq(t.userId, userId), beforeId ? lt(t.id, beforeId) : undefined))
    .orderBy(desc(t.id))
    .limit(limit);
}

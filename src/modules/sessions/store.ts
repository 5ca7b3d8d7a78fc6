import { and, desc, eq, gt, isNull, lte, ne, or, sql } from "drizzle-orm";
import type { Executor } from "../../kernel/db/database.js";
import { refreshTokensTable as rt, sessionsTable as s, type RefreshTokenRow, type SessionRow } from "./tables.js";

export async function insertSession(executor: Executor, row: typeof s.$inferInsert): Promise<SessionRow> {
  const [inserted] = await executor.insert(s).values(row).returning();
  return inserted!;
}

export async function insertRefreshToken(executor: Executor, row: typeof rt.$inferInsert): Promise<void> {
  await executor.insert(rt).values(row);
}

/** The session if it is live (not revoked, not expired) at `now`. */
export async function findLiveSession(executor: Executor, id: string, now: Date): Promise<SessionRow | null> {
  const [row] = await executor.select().from(s).where(and(eq(s.id, id), isNull(s.revokedAt), gt(s.expiresAt, now))).limit(1);
  return row ?? null;
}

export function listLiveSessions(executor: Executor, userId: string, now: Date): Promise<SessionRow[]> {
  return executor.select().from(s).where(and(eq(s.userId, userId), isNull(s.revokedAt), gt(s.expiresAt, now))).orderBy(desc(s.lastUsedAt));
}

/**
 * Spends a refresh token atomically: only one of several concurrent callers gets the row back;
 * the others wait on the row lock and then find it spent.
 */
export async function spendRefreshToken(executor: Executor, tokenHash: string, now: Date): Promise<RefreshTokenRow | null> {
  const [row] = await executor.update(rt).set({ spentAt: now }).where(and(eq(rt.tokenHash, tokenHash), isNull(rt.spentAt))).returning();
  return row ?? null;
}

export async function findRefreshToken(executor: Executor, tokenHash: string): Promise<RefreshTokenRow | null> {
  const [row] = await executor.select().from(rt).where(eq(rt.tokenHash, tokenHash)).limit(1);
  return row ?? null;
}

export async function touchSession(executor: Executor, id: string, now: Date): Promise<void> {
  await executor.update(s).set({ lastUsedAt: now }).where(eq(s.id, id));
}

export async function revokeSessionRows(
  executor: Executor,
  where: { userId: string; sessionId?: string; exceptSessionId?: string },
  now: Date,
  reason: string,
): Promise<string[]> {
  const rows = await executor
    .update(s)
    .set({ revokedAt: now, revokedReason: reason })
    .where(
      and(
        eq(s.userId, where.userId),
        isNull(s.revokedAt),
        where.sessionId ? eq(s.id, where.sessionId) : undefined,
        where.exceptSessionId ? ne(s.id, where.exceptSessionId) : undefined,
      ),
    )
    .returning({ id: s.id });
  return rows.map((r) => r.id);
}

/** Deletes sessions that ended (expired or revoked) before `cutoff`; their refresh tokens cascade. */
export async function deleteEndedSessions(executor: Executor, cutoff: Date): Promise<number> {
  const rows = await executor.delete(s).where(or(lte(s.expiresAt, cutoff), lte(s.revokedAt, cutoff))).returning({ id: s.id });
  return rows.length;
}

export async function deleteExpiredRefreshTokens(executor: Executor, cutoff: Date): Promise<number> {
  const rows = await executor
    .delete(rt)
    .where(sql`${rt.expiresAt} is not null and ${rt.expiresAt} <= ${cutoff}`)
    .returning({ id: rt.id });
  return rows.length;
}

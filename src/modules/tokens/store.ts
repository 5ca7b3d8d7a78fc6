import { and, asc, desc, eq, gt, isNull, lte, or } from "drizzle-orm";
import type { Executor } from "../../kernel/db/database.js";
import { magicCodesTable as codes, tokensTable as t, type MagicCodeRow, type TokenRow } from "./tables.js";

export type NewTokenRow = typeof t.$inferInsert;

export async function insertToken(executor: Executor, row: NewTokenRow): Promise<TokenRow> {
  const [inserted] = await executor.insert(t).values(row).returning();
  return inserted!;
}

export async function findToken(executor: Executor, by: { tokenHash?: string; jti?: string; purpose?: string }): Promise<TokenRow | null> {
  const conditions = [
    by.tokenHash !== undefined ? eq(t.tokenHash, by.tokenHash) : undefined,
    by.jti !== undefined ? eq(t.jti, by.jti) : undefined,
    by.purpose !== undefined ? eq(t.purpose, by.purpose) : undefined,
  ].filter((c) => c !== undefined);
  if (by.tokenHash === undefined && by.jti === undefined) return null;
  const [row] = await executor
    .select()
    .from(t)
    .where(and(...conditions))
    .limit(1);
  return row ?? null;
}

/** Marks a live token consumed; returns it only if this call was the one that consumed it. */
export async function consumeToken(executor: Executor, tokenHash: string, purpose: string, now: Date): Promise<TokenRow | null> {
  const [row] = await executor
    .update(t)
    .set({ consumedAt: now })
    .where(and(eq(t.tokenHash, tokenHash), eq(t.purpose, purpose), isNull(t.consumedAt), isNull(t.revokedAt), gt(t.expiresAt, now)))
    .returning();
  return row ?? null;
}

export async function revokeTokenRow(executor: Executor, id: string, now: Date): Promise<void> {
  await executor
    .update(t)
    .set({ revokedAt: now })
    .where(and(eq(t.id, id), isNull(t.revokedAt)));
}

export async function revokeTokensForSubject(executor: Executor, subject: string, purpose: string, now: Date): Promise<number> {
  const rows = await executor
    .update(t)
    .set({ revokedAt: now })
    .where(and(eq(t.subject, subject), eq(t.purpose, purpose), isNull(t.revokedAt), isNull(t.consumedAt)))
    .returning({ id: t.id });
  return rows.length;
}

export function listExpiredTokens(executor: Executor, now: Date, limit: number): Promise<TokenRow[]> {
  return executor.select().from(t).where(lte(t.expiresAt, now)).orderBy(asc(t.expiresAt)).limit(limit);
}

export async function deleteExpiredTokens(executor: Executor, now: Date): Promise<number> {
  const rows = await executor.delete(t).where(lte(t.expiresAt, now)).returning({ id: t.id });
  return rows.length;
}

/** The newest live token of a purpose for a subject (a pending confirmation change, say). */
export async function findLiveTokenFor(executor: Executor, subject: string, purpose: string, now: Date): Promise<TokenRow | null> {
  const [row] = await executor
    .select()
    .from(t)
    .where(and(eq(t.subject, subject), eq(t.purpose, purpose), isNull(t.consumedAt), isNull(t.revokedAt), gt(t.expiresAt, now)))
    .orderBy(desc(t.createdAt))
    .limit(1);
  return row ?? null;
}

export async function insertMagicCodeIfAbsent(executor: Executor, row: typeof codes.$inferInsert): Promise<void> {
  await executor
    .insert(codes)
    .values(row)
    .onConflictDoNothing({ target: [codes.purpose, codes.channel, codes.recipient] });
}

/** The code row of a purpose and recipient, locked until the end of the caller's transaction. */
export async function lockMagicCode(executor: Executor, purpose: string, channel: string, recipient: string): Promise<MagicCodeRow | null> {
  const [row] = await executor
    .select()
    .from(codes)
    .where(and(eq(codes.purpose, purpose), eq(codes.channel, channel), eq(codes.recipient, recipient)))
    .for("update");
  return row ?? null;
}

export async function updateMagicCode(executor: Executor, id: string, changes: Partial<typeof codes.$inferInsert>): Promise<void> {
  await executor.update(codes).set(changes).where(eq(codes.id, id));
}

/**
 * Deletes rows with no live code and no lockout running, unless they remember failures or lockouts
 * and were used after `forgetBefore`: forgetting those would hand an attacker a fresh count.
 */
export async function deleteIdleMagicCodes(executor: Executor, now: Date, forgetBefore: Date): Promise<number> {
  const rows = await executor
    .delete(codes)
    .where(
      and(
        or(isNull(codes.expiresAt), lte(codes.expiresAt, now)),
        or(isNull(codes.failuresResetAt), lte(codes.failuresResetAt, now)),
        or(and(eq(codes.failedAttempts, 0), eq(codes.lockouts, 0)), lte(codes.updatedAt, forgetBefore)),
      ),
    )
    .returning({ id: codes.id });
  return rows.length;
}

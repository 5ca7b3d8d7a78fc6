import { and, desc, eq, gt, isNull, lte, ne, or, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../../kernel/db/database.js";
import { refreshTokensTable as rt, sessionsTable as s, type RefreshTokenRow, type SessionRow } from "./tables.js";

export async function insertSession(executor: Executor, row: typeof s.$inferInsert): Promise<SessionRow> {
  const [inserted] = await executor.insert(s).values(row).returning();
  return inserted!;
}

export async function insertRefreshToken(executor: Executor, row: typeof rt.$inferInsert): Promise<void> {
  await executor.insert(rt).values(row);
}

/** A session is live while it is not revoked, not expired, and was used within the idle timeout. */
const live = (now: Date, idleSince: Date) => and(isNull(s.revokedAt), gt(s.expiresAt, now), gt(s.lastUsedAt, idleSince));

/** The session if it is live at `now` (used since `idleSince`). */
export async function findLiveSession(executor: Executor, id: string, now: Date, idleSince: Date): Promise<SessionRow | null> {
  const [row] = await executor
    .select()
    .from(s)
    .where(and(eq(s.id, id), live(now, idleSince)))
    .limit(1);
  return row ?? null;
}

export function listLiveSessions(executor: Executor, userId: string, now: Date, idleSince: Date): Promise<SessionRow[]> {
  return executor
    .select()
    .from(s)
    .where(and(eq(s.userId, userId), live(now, idleSince)))
    .orderBy(desc(s.lastUsedAt));
}

/**
 * What a token check reads of a session: the columns that decide whether a token is accepted, and
 * so what the session cache holds. Migration 0002's trigger announces a change to exactly these
 * columns (evicting the cached row on every node); test/architecture.test.ts holds the two together,
 * so a column added here (an assurance level, say) cannot be served stale.
 */
export const tokenCheckColumns = { userId: s.userId, expiresAt: s.expiresAt, revokedAt: s.revokedAt };

/** A token check's read: the session if it is neither revoked nor expired at `now`. */
export async function findSessionForTokenCheck(executor: Executor, id: string, now: Date): Promise<{ userId: string; expiresAt: Date } | null> {
  const [row] = await executor
    .select(tokenCheckColumns)
    .from(s)
    .where(and(eq(s.id, id), isNull(s.revokedAt), gt(s.expiresAt, now)))
    .limit(1);
  return row ? { userId: row.userId, expiresAt: row.expiresAt } : null;
}

/** Records a fresh proof of identity in a live session; null when the session has ended. */
export async function updateAuthenticatedAt(executor: Executor, id: string, now: Date, idleSince: Date): Promise<SessionRow | null> {
  const [row] = await executor
    .update(s)
    .set({ authenticatedAt: now, lastUsedAt: now })
    .where(and(eq(s.id, id), live(now, idleSince)))
    .returning();
  return row ?? null;
}

export type FastRotation =
  /** No unspent token had this hash: unknown, or spent before (reuse), for the careful path. */
  | { spent: false }
  /** The token is spent now, but its session or the token itself had ended. */
  | { spent: true; session: null }
  | { spent: true; session: SessionRow; roles: string[]; child: { expiresAt: Date | null } };

/**
 * The common case of a refresh in one statement, so one round trip instead of a transaction of
 * five: spend the token, touch its live session, insert the child token, write the audit entry
 * (`audit` builds that insert over the touched session, `live`). One statement is atomic on its
 * own, and the `spent_at IS NULL` row lock still lets only one concurrent caller through.
 */
export async function rotateRefreshToken(
  executor: Executor,
  input: { tokenHash: string; now: Date; idleSince: Date; child: { id: string; tokenHash: string; ttlSeconds: number } },
  roleNamesOf: (userId: SQL) => SQL,
  audit: SQL,
): Promise<FastRotation> {
  const { tokenHash, now, idleSince, child } = input;
  const result = (await executor.execute(sql`
    with spent as (
      update ${rt} set spent_at = ${now}
      where ${rt.tokenHash} = ${tokenHash} and ${rt.spentAt} is null
      returning ${rt.id}, ${rt.sessionId}, ${rt.expiresAt}
    ), live as (
      update ${s} set last_used_at = ${now} from spent
      where ${s.id} = spent.session_id and ${s.revokedAt} is null and ${s.expiresAt} > ${now} and ${s.lastUsedAt} > ${idleSince}
        and (spent.expires_at is null or spent.expires_at > ${now})
      returning ${s.id}, ${s.userId}, ${s.parentSessionId}, ${s.method}, ${s.ip}, ${s.userAgent}, ${s.createdAt}, ${s.authenticatedAt}, ${s.expiresAt}
    ), child as (
      insert into ${rt} (id, session_id, parent_id, token_hash, created_at, expires_at)
      select ${child.id}, live.id, spent.id, ${child.tokenHash}, ${now},
        case when ${child.ttlSeconds}::int = 0 then null
             else least(${now}::timestamptz + make_interval(secs => ${child.ttlSeconds}::int), live.expires_at) end
      from live, spent
      returning expires_at
    ), audited as (${audit})
    select live.*, child.expires_at as child_expires_at, ${roleNamesOf(sql`live.user_id`)} as roles
    from spent left join live on true left join child on true`)) as unknown as { rows: Array<Record<string, unknown>> };
  const [row] = result.rows;
  if (!row) return { spent: false };
  if (row.id === null || row.id === undefined) return { spent: true, session: null };
  const session: SessionRow = {
    id: row.id as string,
    userId: row.user_id as string,
    parentSessionId: row.parent_session_id as string | null,
    method: row.method as string,
    ip: row.ip as string | null,
    userAgent: row.user_agent as string | null,
    createdAt: asDate(row.created_at),
    authenticatedAt: asDate(row.authenticated_at),
    lastUsedAt: now,
    expiresAt: asDate(row.expires_at),
    revokedAt: null,
    revokedReason: null,
  };
  return { spent: true, session, roles: row.roles as string[], child: { expiresAt: row.child_expires_at == null ? null : asDate(row.child_expires_at) } };
}

/** A raw result's timestamptz: drivers hand over a Date or an ISO string. */
const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(value as string));

export async function findRefreshToken(executor: Executor, tokenHash: string): Promise<RefreshTokenRow | null> {
  const [row] = await executor.select().from(rt).where(eq(rt.tokenHash, tokenHash)).limit(1);
  return row ?? null;
}

/**
 * Revokes the user's sessions that match `where`; ending one session ends the sessions handed
 * off from it (sign-in tokens), and theirs, too. Returns the ids of every session it ended.
 */
export async function revokeSessionRows(
  executor: Executor,
  where: { userId: string; sessionId?: string; exceptSessionId?: string },
  now: Date,
  reason: string,
): Promise<string[]> {
  const matched = and(
    eq(s.userId, where.userId),
    isNull(s.revokedAt),
    where.sessionId ? eq(s.id, where.sessionId) : undefined,
    where.exceptSessionId ? ne(s.id, where.exceptSessionId) : undefined,
  );
  const result = (await executor.execute(sql`
    with recursive family (id) as (
      select ${s.id} from ${s} where ${matched}
      union
      select child.id from ${s} child join family on child.parent_session_id = family.id
    )
    update ${s} set revoked_at = ${now}, revoked_reason = ${reason}
    where ${s.id} in (select id from family) and ${s.revokedAt} is null
    returning ${s.id}`)) as unknown as { rows: Array<{ id: string }> };
  return result.rows.map((r) => r.id);
}

/** Deletes sessions that ended (expired, revoked or idle) before `cutoff`; their refresh tokens cascade. */
export async function deleteEndedSessions(executor: Executor, cutoff: Date, idleCutoff: Date): Promise<number> {
  const rows = await executor
    .delete(s)
    .where(or(lte(s.expiresAt, cutoff), lte(s.revokedAt, cutoff), lte(s.lastUsedAt, idleCutoff)))
    .returning({ id: s.id });
  return rows.length;
}

export async function deleteExpiredRefreshTokens(executor: Executor, cutoff: Date): Promise<number> {
  const rows = await executor
    .delete(rt)
    .where(sql`${rt.expiresAt} is not null and ${rt.expiresAt} <= ${cutoff}`)
    .returning({ id: rt.id });
  return rows.length;
}

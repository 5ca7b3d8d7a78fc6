import { and, desc, eq, gt, inArray, isNotNull, lte, or, sql } from "drizzle-orm";
import type { Sealer } from "../crypto/keyring.js";
import { generateId, generateSecretToken } from "../crypto/random.js";
import type { Database, Executor } from "../db/database.js";
import type { Clock } from "../time/clock.js";
import type { OutgoingEmail, OutgoingSms } from "./message.js";
import { outboxMessagesTable as t, type OutboxMessageRow } from "./tables.js";

export interface OutboxMessage {
  id: string;
  channel: "email" | "sms";
  recipient: string;
  subject: string;
  text: string | null;
  html: string | null;
  messageId: string;
  status: OutboxMessageRow["status"];
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  /** End of the current delivery lease while `status` is "sending". */
  lockedUntil: Date | null;
  createdAt: Date;
  sentAt: Date | null;
}

export type OutboxStatus = OutboxMessageRow["status"];

export interface OutboxListOptions {
  limit: number;
  /** Case-insensitive email address or phone number. */
  recipient?: string;
  status?: OutboxStatus;
  channel?: "email" | "sms";
}

/**
 * The outbox table: enqueue inside the caller's transaction, claim due messages for delivery,
 * record the outcome. Bodies are sealed at rest because they carry links with secrets.
 */
export interface Outbox {
  enqueue(executor: Executor, email: OutgoingEmail): Promise<string>;
  enqueueSms(executor: Executor, sms: OutgoingSms): Promise<string>;
  /** Marks up to `limit` due messages as sending (lease of `leaseSeconds`) and returns them. */
  claimDue(limit: number, leaseSeconds: number): Promise<OutboxMessage[]>;
  /**
   * Extends the lease of a claimed message, only if the lease is still the one `message` holds:
   * false means it ran out and another drain may own the message now, so it must not be sent.
   */
  renewLease(message: OutboxMessage, leaseSeconds: number): Promise<Date | null>;
  markSent(id: string, options: { keepBody: boolean }): Promise<void>;
  markRetry(id: string, error: string, nextAttemptAt: Date): Promise<void>;
  markFailed(id: string, error: string): Promise<void>;
  /** Newest first. `status: "failed"` lists what needs an operator. */
  list(options: OutboxListOptions): Promise<OutboxMessage[]>;
  find(id: string): Promise<OutboxMessage | null>;
  /** Puts a failed message back in the queue with a fresh attempt budget; null when it is not failed (or unknown). */
  requeue(id: string, executor?: Executor): Promise<OutboxMessage | null>;
  expungeDelivered(olderThan: Date): Promise<number>;
  /** Messages not yet delivered, by status, and when the oldest pending one was queued (metrics). */
  backlog(): Promise<OutboxBacklog>;
  /** Re-seals the bodies `isStale` says were sealed under another master key; returns how many. */
  rewrap(isStale: (sealed: string) => boolean): Promise<number>;
}

export interface OutboxBacklog {
  pending: number;
  sending: number;
  failed: number;
  oldestPendingAt: Date | null;
}

export function createOutbox(db: Database, clock: Clock, sealer: Sealer, mailDomain: string): Outbox {
  const toMessage = (row: OutboxMessageRow): OutboxMessage => {
    const body = row.bodySealed ? (JSON.parse(sealer.open(row.bodySealed)) as { text: string; html: string }) : null;
    return {
      id: row.id,
      channel: row.channel,
      recipient: row.recipient,
      subject: row.subject,
      text: body?.text ?? null,
      html: body?.html ?? null,
      messageId: row.messageId,
      status: row.status,
      attempts: row.attempts,
      lastError: row.lastError,
      nextAttemptAt: row.nextAttemptAt,
      lockedUntil: row.lockedUntil,
      createdAt: row.createdAt,
      sentAt: row.sentAt,
    };
  };
  const insert = async (executor: Executor, channel: "email" | "sms", recipient: string, subject: string, body: { text: string; html: string }) => {
    const id = generateId();
    const now = clock.now();
    await executor.insert(t).values({
      id,
      channel,
      recipient,
      subject,
      bodySealed: sealer.seal(JSON.stringify(body)),
      messageId: `<${generateSecretToken(18)}@${mailDomain}>`,
      status: "pending",
      nextAttemptAt: now,
      createdAt: now,
    });
    return id;
  };
  return {
    enqueue: (executor, email) => insert(executor, "email", email.to, email.subject, { text: email.text, html: email.html }),
    enqueueSms: (executor, sms) => insert(executor, "sms", sms.to, "", { text: sms.text, html: "" }),
    async claimDue(limit, leaseSeconds) {
      const now = clock.now();
      const leaseEnds = new Date(now.getTime() + leaseSeconds * 1000);
      // A message left in "sending" by a crashed node becomes due again when its lease ends.
      const due = db
        .select({ id: t.id })
        .from(t)
        .where(or(and(eq(t.status, "pending"), lte(t.nextAttemptAt, now)), and(eq(t.status, "sending"), lte(t.lockedUntil, now))))
        .orderBy(t.nextAttemptAt)
        .limit(limit)
        .for("update", { skipLocked: true });
      const rows = await db
        .update(t)
        .set({ status: "sending", lockedUntil: leaseEnds, attempts: sql`${t.attempts} + 1` })
        .where(inArray(t.id, due))
        .returning();
      // RETURNING has no order; oldest first keeps delivery close to the order messages were queued.
      return rows.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime()).map(toMessage);
    },
    async renewLease(message, leaseSeconds) {
      if (!message.lockedUntil) return null;
      const until = new Date(clock.now().getTime() + leaseSeconds * 1000);
      const rows = await db
        .update(t)
        .set({ lockedUntil: until })
        .where(and(eq(t.id, message.id), eq(t.status, "sending"), eq(t.lockedUntil, message.lockedUntil), gt(t.lockedUntil, clock.now())))
        .returning({ id: t.id });
      return rows.length === 1 ? until : null;
    },
    async markSent(id, { keepBody }) {
      await db
        .update(t)
        .set({ status: "sent", sentAt: clock.now(), lockedUntil: null, lastError: null, ...(keepBody ? {} : { bodySealed: null }) })
        .where(eq(t.id, id));
    },
    async markRetry(id, error, nextAttemptAt) {
      await db.update(t).set({ status: "pending", lockedUntil: null, lastError: error, nextAttemptAt }).where(eq(t.id, id));
    },
    async markFailed(id, error) {
      await db.update(t).set({ status: "failed", lockedUntil: null, lastError: error }).where(eq(t.id, id));
    },
    async list({ limit, recipient, status, channel }) {
      const rows = await db
        .select()
        .from(t)
        .where(
          and(
            recipient ? sql`lower(${t.recipient}) = lower(${recipient})` : undefined,
            status ? eq(t.status, status) : undefined,
            channel ? eq(t.channel, channel) : undefined,
          ),
        )
        .orderBy(desc(t.createdAt), desc(t.id))
        .limit(limit);
      return rows.map(toMessage);
    },
    async find(id) {
      const [row] = await db.select().from(t).where(eq(t.id, id));
      return row ? toMessage(row) : null;
    },
    async requeue(id, executor = db) {
      const [row] = await executor
        .update(t)
        .set({ status: "pending", attempts: 0, nextAttemptAt: clock.now(), lockedUntil: null })
        .where(and(eq(t.id, id), eq(t.status, "failed")))
        .returning();
      return row ? toMessage(row) : null;
    },
    async rewrap(isStale) {
      const rows = await db.select({ id: t.id, bodySealed: t.bodySealed }).from(t).where(isNotNull(t.bodySealed));
      const stale = rows.filter((row) => isStale(row.bodySealed!));
      await db.transaction(async (tx) => {
        for (const row of stale)
          await tx
            .update(t)
            .set({ bodySealed: sealer.seal(sealer.open(row.bodySealed!)) })
            .where(eq(t.id, row.id));
      });
      return stale.length;
    },
    async expungeDelivered(olderThan) {
      const rows = await db
        .delete(t)
        .where(and(eq(t.status, "sent"), lte(t.sentAt, olderThan)))
        .returning({ id: t.id });
      return rows.length;
    },
    async backlog() {
      // Sent messages are most of the table; the status index keeps this to the rows still owed.
      const rows = await db
        .select({ status: t.status, count: sql<number>`count(*)::int`, oldest: sql<Date | string | null>`min(${t.createdAt})` })
        .from(t)
        .where(inArray(t.status, ["pending", "sending", "failed"]))
        .groupBy(t.status);
      const of = (status: OutboxStatus) => rows.find((row) => row.status === status);
      const oldest = of("pending")?.oldest ?? null;
      return {
        pending: of("pending")?.count ?? 0,
        sending: of("sending")?.count ?? 0,
        failed: of("failed")?.count ?? 0,
        oldestPendingAt: oldest === null ? null : new Date(oldest),
      };
    },
  };
}

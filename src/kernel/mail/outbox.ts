import { and, desc, eq, inArray, lte, or, sql } from "drizzle-orm";
import type { Sealer } from "../crypto/aead.js";
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
  createdAt: Date;
  sentAt: Date | null;
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
  markSent(id: string, options: { keepBody: boolean }): Promise<void>;
  markRetry(id: string, error: string, nextAttemptAt: Date): Promise<void>;
  markFailed(id: string, error: string): Promise<void>;
  list(options: { limit: number; recipient?: string }): Promise<OutboxMessage[]>;
  expungeDelivered(olderThan: Date): Promise<number>;
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
        .where(
          or(
            and(eq(t.status, "pending"), lte(t.nextAttemptAt, now)),
            and(eq(t.status, "sending"), lte(t.lockedUntil, now)),
          ),
        )
        .orderBy(t.nextAttemptAt)
        .limit(limit)
        .for("update", { skipLocked: true });
      const rows = await db
        .update(t)
        .set({ status: "sending", lockedUntil: leaseEnds, attempts: sql`${t.attempts} + 1` })
        .where(inArray(t.id, due))
        .returning();
      return rows.map(toMessage);
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
    async list({ limit, recipient }) {
      const rows = await db
        .select()
        .from(t)
        .where(recipient ? sql`lower(${t.recipient}) = lower(${recipient})` : undefined)
        .orderBy(desc(t.createdAt), desc(t.id))
        .limit(limit);
      return rows.map(toMessage);
    },
    async expungeDelivered(olderThan) {
      const rows = await db.delete(t).where(and(eq(t.status, "sent"), lte(t.sentAt, olderThan))).returning({ id: t.id });
      return rows.length;
    },
  };
}

import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import type { MailTransport, SmsTransport } from "./message.js";
import type { Outbox } from "./outbox.js";

export interface MailDeliveryOptions {
  from: string;
  maxAttempts: number;
  /** Keep bodies after delivery (the development mailbox shows them). */
  keepBodies: boolean;
  /** How long one send may hold its message; renewed before each send. Must exceed the transports' timeouts. */
  leaseSeconds?: number;
  batchSize?: number;
}

/**
 * Drains the outbox through a transport. At-least-once: a message is marked sent only after the
 * transport accepted it, so a crash mid-send re-sends it after its lease, with the same Message-ID.
 * Only the message whose send was interrupted can go out twice: each send first renews its own
 * lease, so a batch that outlives its claim never races another node for the rest of the batch.
 */
export interface MailDelivery {
  /** Delivers everything due now; resolves when the outbox has nothing due. */
  drain(): Promise<number>;
  /** Asks for a drain soon, without waiting (called after a transaction that queued mail commits). */
  nudge(): void;
  /** Waits for a drain in progress. */
  idle(): Promise<void>;
}

export interface DeliveryTransports {
  email: MailTransport;
  sms: SmsTransport;
}

export function createMailDelivery(outbox: Outbox, transports: DeliveryTransports, clock: Clock, logger: Logger, options: MailDeliveryOptions): MailDelivery {
  const batchSize = options.batchSize ?? 20;
  const leaseSeconds = options.leaseSeconds ?? 120;
  let current: Promise<number> | null = null;
  let again = false;

  const deliverBatch = async (): Promise<number> => {
    const messages = await outbox.claimDue(batchSize, leaseSeconds);
    for (const message of messages) {
      // The claim's lease started when the batch was claimed; the sends before this one used some of it.
      if (!(await outbox.renewLease(message, leaseSeconds))) {
        logger.warn({ outboxId: message.id }, "message lease ran out before its turn; leaving it to the next drain");
        continue;
      }
      try {
        if (message.channel === "sms") {
          await transports.sms.send({ to: message.recipient, text: message.text ?? "", messageId: message.messageId });
        } else {
          await transports.email.send({
            to: message.recipient,
            from: options.from,
            subject: message.subject,
            text: message.text ?? "",
            html: message.html ?? "",
            messageId: message.messageId,
          });
        }
        await outbox.markSent(message.id, { keepBody: options.keepBodies });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (message.attempts >= options.maxAttempts) {
          await outbox.markFailed(message.id, reason);
          logger.error({ outboxId: message.id, attempts: message.attempts }, "message delivery failed permanently");
        } else {
          // Exponential backoff: 2, 4, 8 … seconds, capped at one hour.
          const delaySeconds = Math.min(3600, 2 ** message.attempts);
          await outbox.markRetry(message.id, reason, new Date(clock.now().getTime() + delaySeconds * 1000));
          logger.warn({ outboxId: message.id, attempts: message.attempts }, "message delivery failed, will retry");
        }
      }
    }
    return messages.length;
  };

  const drain = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const delivered = await deliverBatch();
      total += delivered;
      if (delivered < batchSize) return total;
    }
  };

  const run = (): Promise<number> => {
    if (current) {
      again = true;
      return current;
    }
    current = drain()
      .catch((error: unknown) => {
        logger.error({ err: error }, "outbox drain failed");
        return 0;
      })
      .finally(() => {
        current = null;
        if (again) {
          again = false;
          void run();
        }
      });
    return current;
  };

  return {
    drain: run,
    nudge: () => void run(),
    async idle() {
      while (current) await current;
    },
  };
}

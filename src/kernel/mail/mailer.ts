import type { Executor } from "../db/database.js";
import type { MailDelivery } from "./delivery.js";
import type { OutgoingEmail, OutgoingSms } from "./message.js";
import type { Outbox } from "./outbox.js";

/**
 * What services use to send email and SMS: queue inside the transaction that causes the message, then
 * `dispatch()` after it commits. A message whose transaction rolled back is never sent.
 */
export interface Mailer {
  enqueue(executor: Executor, email: OutgoingEmail): Promise<void>;
  enqueueSms(executor: Executor, sms: OutgoingSms): Promise<void>;
  dispatch(): void;
  /** Absolute link to a Gatehouse page, always from GATEHOUSE_BASE_URL (never the request's Host). */
  link(path: string, query: Record<string, string>): string;
  readonly productName: string;
}

export function createMailer(deps: { outbox: Outbox; delivery: MailDelivery; baseUrl: string; productName: string }): Mailer {
  return {
    enqueue: async (executor, email) => void (await deps.outbox.enqueue(executor, email)),
    enqueueSms: async (executor, sms) => void (await deps.outbox.enqueueSms(executor, sms)),
    dispatch: () => deps.delivery.nudge(),
    link(path, query) {
      const url = new URL(path, `${deps.baseUrl}/`);
      for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
      return url.toString();
    },
    productName: deps.productName,
  };
}

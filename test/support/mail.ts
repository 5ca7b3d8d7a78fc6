import type { Gatehouse } from "../../src/gatehouse.js";
import type { OutboxMessage } from "../../src/kernel/mail/outbox.js";

/** Emails queued for an address, newest first (read back from the outbox, decrypted). */
export function emailsTo(gatehouse: Gatehouse, to: string): Promise<OutboxMessage[]> {
  return gatehouse.outbox.list({ limit: 50, recipient: to });
}

export async function latestEmailTo(gatehouse: Gatehouse, to: string): Promise<OutboxMessage> {
  const [latest] = await emailsTo(gatehouse, to);
  if (!latest) throw new Error(`no email to ${to}`);
  return latest;
}

/** The first link in a message body. */
export function linkIn(text: string | null): URL {
  const match = /https?:\/\/[^\s<>"]+/.exec(text ?? "");
  if (!match) throw new Error(`no link in: ${text}`);
  return new URL(match[0]);
}

/** The `token` query parameter of the first link in a message: how every token email carries it. */
export function tokenIn(message: OutboxMessage): string {
  const token = linkIn(message.text).searchParams.get("token");
  if (!token) throw new Error("link has no token parameter");
  return token;
}

import { randomInt } from "node:crypto";
import type { Gatehouse } from "../../src/gatehouse.js";
import type { OutboxMessage } from "../../src/kernel/mail/outbox.js";

/**
 * The numeric code in a message (email or SMS): how a person would read it — a number standing on
 * its own, not digits inside the recipient's address (`user.0123456789@example.com` happens).
 */
export function codeIn(message: OutboxMessage): string {
  const match = /(?<![\w.@+-])(\d{6,10})(?![\w@-]|\.\w)/.exec(message.text ?? "");
  if (!match) throw new Error(`no code in: ${message.text}`);
  return match[1]!;
}

/** Messages queued for an address or phone number, newest first. */
export function messagesTo(gatehouse: Gatehouse, recipient: string): Promise<OutboxMessage[]> {
  return gatehouse.outbox.list({ limit: 50, recipient });
}

export async function latestMessageTo(gatehouse: Gatehouse, recipient: string): Promise<OutboxMessage> {
  const [latest] = await messagesTo(gatehouse, recipient);
  if (!latest) throw new Error(`no message to ${recipient}`);
  return latest;
}

/** The latest code sent to an address or phone number. */
export async function latestCodeTo(gatehouse: Gatehouse, recipient: string): Promise<string> {
  return codeIn(await latestMessageTo(gatehouse, recipient));
}

/** A valid French mobile number in E.164, random enough to be unused in a test database. */
export function uniquePhone(): string {
  // +33 61x xx xx xx: a block of French mobile numbers that is valid throughout.
  return `+3361${String(randomInt(0, 10_000_000)).padStart(7, "0")}`;
}

/** A code that is not `code` (same length). */
export function wrongCode(code: string): string {
  return code === "000000" ? "111111" : "000000".slice(0, code.length);
}

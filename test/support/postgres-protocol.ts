import type { StreamFilter } from "./tcp-proxy.js";

/**
 * A filter for the server-to-client half of a PostgreSQL connection (protocol 3.0) that removes
 * NotificationResponse messages ('A': pid, channel, payload) for which `drop` says so, and passes
 * everything else through byte for byte. What a proxy or pooler that loses LISTEN/NOTIFY does:
 * the connection stays healthy and answers queries, but notifications never arrive.
 *
 * Every server message is framed as a type byte and a 4-byte length that counts itself; the
 * stream is cut into messages across chunk boundaries. (A connection that asks for TLS first
 * gets a one-byte answer without a frame; test connections do not.)
 */
export function dropNotifications(drop: (notification: { channel: string; payload: string }) => boolean): () => StreamFilter {
  return () => {
    let pending: Buffer = Buffer.alloc(0);
    return (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const kept: Buffer[] = [];
      let offset = 0;
      while (pending.length - offset >= 5) {
        const length = pending.readInt32BE(offset + 1);
        const end = offset + 1 + length;
        if (pending.length < end) break;
        const message = pending.subarray(offset, end);
        if (!(message[0] === 0x41 && drop(readNotification(message)))) kept.push(message);
        offset = end;
      }
      pending = Buffer.from(pending.subarray(offset));
      return Buffer.concat(kept);
    };
  };
}

function readNotification(message: Buffer): { channel: string; payload: string } {
  const channelStart = 9; // type (1) + length (4) + sender pid (4)
  const channelEnd = message.indexOf(0, channelStart);
  const payloadEnd = message.indexOf(0, channelEnd + 1);
  return { channel: message.toString("utf8", channelStart, channelEnd), payload: message.toString("utf8", channelEnd + 1, payloadEnd) };
}

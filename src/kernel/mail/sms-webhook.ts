import { createHmac } from "node:crypto";
import { epochSeconds, type Clock } from "../time/clock.js";
import type { SmsTransport } from "./message.js";
import { gatewayError, postToGateway } from "./sms-gateway.js";

export const SIGNATURE_HEADER = "x-gatehouse-signature";
export const TIMESTAMP_HEADER = "x-gatehouse-timestamp";

/**
 * The signature of one webhook request: HMAC-SHA256, keyed with the shared secret, over
 * `<timestamp>.<raw body>`, hex, prefixed `sha256=`. The timestamp is inside the signed material
 * so a captured request cannot be replayed later with a fresh timestamp (receivers reject old ones).
 */
export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex")}`;
}

/**
 * SMS through an HTTP webhook: POST `{"to","text","messageId"}` as JSON, signed. Any 2xx answer
 * is delivery; anything else (or no answer within the timeout) is a failure the outbox retries.
 * `messageId` is the same on every retry, so the gateway can drop repeats.
 */
export function createWebhookSmsTransport(options: { url: string; secret: string; timeoutSeconds: number; clock: Clock }): SmsTransport {
  return {
    name: "webhook",
    async send(message) {
      const body = JSON.stringify({ to: message.to, text: message.text, messageId: message.messageId });
      const timestamp = epochSeconds(options.clock.now());
      const response = await postToGateway(
        "SMS webhook",
        options.url,
        options.timeoutSeconds,
        {
          "content-type": "application/json",
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhookBody(options.secret, timestamp, body),
        },
        body,
      );
      if (!response.ok) throw await gatewayError("SMS webhook", response);
    },
  };
}

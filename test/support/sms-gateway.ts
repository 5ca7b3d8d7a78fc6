import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";

/** One request the gateway received, with the SMS it carried (webhook JSON or Twilio form). */
export interface ReceivedSms {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  to: string;
  text: string;
  /** Webhook only: the outbox Message-ID, the same on every retry. */
  messageId: string | null;
  /** Twilio only. */
  from: string | null;
  /** Webhook with a secret: whether X-Gatehouse-Signature matched (see docs/delivery.md). */
  signatureValid: boolean | null;
}

export interface SmsGateway {
  /** Base URL; the webhook path is `${url}/sms`, Twilio's API lives under `${url}`. */
  url: string;
  received: ReceivedSms[];
  /** How the next requests are answered (default 201 with a small JSON body). */
  respond(answer: (sms: ReceivedSms) => { status: number; body?: string } | "hang"): void;
  /** The first SMS to `to` received from now on. */
  waitFor(to: string, options?: { timeoutMs?: number }): Promise<ReceivedSms>;
  close(): Promise<void>;
}

/**
 * The receiver's side of the webhook signature, written from the documented scheme (not from
 * Gatehouse's code): HMAC-SHA256 over `<timestamp>.<raw body>`, hex, `sha256=` prefix.
 */
export function verifyWebhookSignature(secret: string, headers: IncomingHttpHeaders, rawBody: string): boolean {
  const timestamp = String(headers["x-gatehouse-timestamp"] ?? "");
  const signature = String(headers["x-gatehouse-signature"] ?? "");
  if (!/^\d+$/.test(timestamp)) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A local HTTP server standing in for an SMS gateway (the signed webhook, or a Twilio-compatible API). */
export async function startSmsGateway(options: { secret?: string } = {}): Promise<SmsGateway> {
  const received: ReceivedSms[] = [];
  const waiters: Array<{ to: string; resolve: (sms: ReceivedSms) => void }> = [];
  let answer: (sms: ReceivedSms) => { status: number; body?: string } | "hang" = () => ({ status: 201, body: '{"sid":"SM00000000000000000000000000000000"}' });
  const hanging = new Set<import("node:http").ServerResponse>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const isJson = String(request.headers["content-type"] ?? "").startsWith("application/json");
      const fields = isJson ? (JSON.parse(rawBody) as Record<string, string>) : Object.fromEntries(new URLSearchParams(rawBody));
      const sms: ReceivedSms = {
        path: request.url ?? "",
        headers: request.headers,
        rawBody,
        to: fields.to ?? fields.To ?? "",
        text: fields.text ?? fields.Body ?? "",
        messageId: fields.messageId ?? null,
        from: fields.From ?? null,
        signatureValid: isJson && options.secret ? verifyWebhookSignature(options.secret, request.headers, rawBody) : null,
      };
      received.push(sms);
      const result = answer(sms);
      if (result === "hang") {
        hanging.add(response);
        return;
      }
      response.writeHead(result.status, { "content-type": "application/json" }).end(result.body ?? "{}");
      if (result.status >= 200 && result.status < 300) {
        for (const waiter of waiters.filter((w) => w.to === sms.to)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(sms);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respond: (next) => void (answer = next),
    waitFor(to, { timeoutMs = 10_000 } = {}) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no SMS to ${to} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ to, resolve: (sms) => (clearTimeout(timer), resolve(sms)) });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STRONG_PASSWORD } from "../support/factories.js";
import { assertBuilt, freePort, processDatabaseTargets, startGatehouseProcess, type ProcessDatabaseTarget } from "../support/gatehouse-process.js";

/**
 * Issue 5, item 8: kill -9 the built server while mail is on the wire; after a restart every message
 * arrives, and the only copies sent twice are those whose SMTP transaction was in flight at the kill,
 * with the Message-ID of the first copy.
 */

const MESSAGES = 30;
/** The SMTP server holds its answer to DATA this long, so there is always a message in flight. */
const DATA_DELAY_MS = 300;
/** Kill once this many messages have been accepted and another one is in flight. */
const KILL_AFTER = 8;
const ADMIN_TOKEN = randomBytes(32).toString("base64url");

interface Arrival {
  to: string;
  messageId: string;
  /** The 250 answer to DATA was written: the sender may have recorded the message as sent. */
  answered: boolean;
}

/** A real SMTP server that keeps each message once its DATA is complete, then answers slowly. */
async function startSlowSmtp() {
  const arrivals: Arrival[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const to = [mail.to].flat().flatMap((a) => (a ? a.value.map((v) => (v.address ?? "").toLowerCase()) : []))[0] ?? "";
          // Like an MTA that commits before it answers: the message counts as received now.
          const arrival: Arrival = { to, messageId: mail.messageId ?? "", answered: false };
          arrivals.push(arrival);
          setTimeout(() => {
            arrival.answered = true;
            callback();
          }, DATA_DELAY_MS);
        })
        .catch(callback);
    },
  });
  server.on("error", () => {}); // a client killed mid-transaction resets its connection
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(processDatabaseTargets())("SIGKILL while the outbox is delivering, on $name", (target) => {
  let dataDir: string;
  let smtp: Awaited<ReturnType<typeof startSlowSmtp>>;
  let database: Awaited<ReturnType<ProcessDatabaseTarget["create"]>>;
  let env: Record<string, string>;
  let base: string;

  beforeAll(async () => {
    assertBuilt();
    dataDir = mkdtempSync(join(tmpdir(), "gatehouse-crash-"));
    smtp = await startSlowSmtp();
    database = await target.create();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      GATEHOUSE_BASE_URL: base,
      GATEHOUSE_DATA_DIR: dataDir,
      DATABASE_URL: database.databaseUrl,
      GATEHOUSE_MASTER_KEY: randomBytes(32).toString("base64"),
      SMTP_URL: smtp.url,
      LOG_LEVEL: "warn",
      GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN,
      GATEHOUSE_REGISTER_LIMIT_PER_IP: "1000",
      GATEHOUSE_MAIL_LIMIT_PER_IP: "1000",
      // Short lease and poll so the interrupted messages are taken up again within seconds.
      GATEHOUSE_OUTBOX_LEASE_SECONDS: "5",
      GATEHOUSE_DELIVERY_TIMEOUT_SECONDS: "4",
      GATEHOUSE_OUTBOX_POLL_INTERVAL_SECONDS: "1",
    };
  });
  afterAll(async () => {
    await smtp?.close();
    await database?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("delivers every message after a restart; only the one in flight is sent twice, with its Message-ID", { timeout: 180_000 }, async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const outbox = async () => {
      const response = await fetch(`${base}/v1/admin/outbox?limit=500`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      return ((await response.json()) as { messages: Array<{ to: string; messageId: string; status: string }> }).messages;
    };

    // 1. Queue MESSAGES confirmation emails; each registration is acknowledged (201) before the kill.
    const first = await startGatehouseProcess(env);
    const emails = Array.from({ length: MESSAGES }, (_, i) => `crash.${i}.${randomBytes(3).toString("hex")}@example.com`);
    for (let i = 0; i < emails.length; i += 6) {
      const statuses = await Promise.all(
        emails
          .slice(i, i + 6)
          .map(async (email) => (await post("/v1/users", { email, password: STRONG_PASSWORD, passwordConfirmation: STRONG_PASSWORD })).status),
      );
      expect(statuses.every((s) => s === 201)).toBe(true);
    }

    // 2. SIGKILL while a message's DATA has been received and its answer is still held.
    await until(() => smtp.arrivals.filter((a) => a.answered).length >= KILL_AFTER && smtp.arrivals.some((a) => !a.answered), 60_000, "mail in flight");
    first.child.kill("SIGKILL");
    const inFlightAtKill = smtp.arrivals.filter((a) => !a.answered).map((a) => a.messageId);
    const receivedBeforeKill = smtp.arrivals.length;
    expect(await first.exited).toBe("SIGKILL");
    expect(inFlightAtKill.length).toBeGreaterThanOrEqual(1);
    expect(new Set(smtp.arrivals.map((a) => a.to)).size).toBeLessThan(MESSAGES); // the restart has work left

    // 3. Restart on the same database and wait until the outbox has drained.
    const second = await startGatehouseProcess(env);
    try {
      await until(
        async () => {
          const messages = await outbox();
          return messages.length === MESSAGES && messages.every((m) => m.status === "sent");
        },
        90_000,
        "the outbox to drain",
      );
      await new Promise((resolve) => setTimeout(resolve, 1500)); // a stray extra send would arrive in this window
      const stored = await outbox();

      // Nothing acknowledged before the kill was lost: every registration's message is in the outbox, sent.
      expect(stored.map((m) => m.to).sort()).toEqual([...emails].sort());
      expect(stored.every((m) => m.status === "sent")).toBe(true);

      // Every message was delivered, each copy under the Message-ID fixed in the outbox.
      const copies = new Map<string, Arrival[]>();
      for (const arrival of smtp.arrivals) copies.set(arrival.to, [...(copies.get(arrival.to) ?? []), arrival]);
      for (const message of stored) {
        const received = copies.get(message.to) ?? [];
        expect(received.length, `copies of ${message.to}`).toBeGreaterThanOrEqual(1);
        expect(received.every((c) => c.messageId === message.messageId)).toBe(true);
      }

      // The only messages received twice are the ones in flight at the kill, and each of those exactly twice.
      const duplicated = [...copies.values()].filter((c) => c.length > 1);
      expect(duplicated.map((c) => c[0]!.messageId).sort()).toEqual([...inFlightAtKill].sort());
      expect(duplicated.every((c) => c.length === 2)).toBe(true);

      console.info(
        `[${target.name}] queued ${MESSAGES}; received before SIGKILL ${receivedBeforeKill} (in flight: ${inFlightAtKill.join(", ")}); ` +
          `received in all ${smtp.arrivals.length}, distinct ${copies.size}; duplicates: ${duplicated.map((c) => `${c[0]!.to} ${c[0]!.messageId} ×${c.length}`).join("; ")}`,
      );

      // The acknowledged account itself survived too.
      expect((await post("/v1/sessions", { login: emails[0], password: STRONG_PASSWORD })).status).toBe(201);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });
});

import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { auditEventsTable } from "../audit/tables.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "../../../test/support/factories.js";
import { latestEmailTo } from "../../../test/support/mail.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";
import type { MailTransport } from "../../kernel/mail/message.js";

const ADMIN_TOKEN = randomBytes(32).toString("base64url");
const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe.each(databaseTargets())("GET /v1/admin/outbox on $name", (target) => {
  let healthy = false;
  const sent: string[] = [];
  const transport: MailTransport = {
    name: "flaky",
    async send(message) {
      if (!healthy) throw new Error("550 mailbox unavailable");
      sent.push(message.messageId);
    },
  };
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, { mailTransport: transport, env: { GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN, GATEHOUSE_OUTBOX_MAX_ATTEMPTS: "2" } });
  });
  afterAll(() => t.close());

  /** Registers a user whose confirmation email then fails for good (two attempts). */
  async function failedMessageFor() {
    const user = await registerUser(t.app);
    await t.gatehouse.mail.idle();
    t.clock.advance(2);
    await t.gatehouse.mail.drain();
    const message = await latestEmailTo(t.gatehouse, user.email);
    expect(message.status).toBe("failed");
    return { user, message };
  }

  it("refuses callers without the admin token, in the same way whatever they send", async () => {
    for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: `Bearer ${ADMIN_TOKEN}x` }, { authorization: `Basic ${ADMIN_TOKEN}` }]) {
      const response = await t.app.inject({ method: "GET", url: "/v1/admin/outbox?status=failed", headers });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe("admin_token_invalid");
      expect(response.headers["www-authenticate"]).toBe('Bearer realm="gatehouse-admin"');
    }
  });

  it("lists permanently failed messages with their last error, and never their bodies", async () => {
    const { user, message } = await failedMessageFor();
    const response = await t.app.inject({ method: "GET", url: "/v1/admin/outbox?status=failed", headers: asAdmin });
    expect(response.statusCode).toBe(200);
    const listed = response.json().messages.find((m: { id: string }) => m.id === message.id);
    expect(listed).toEqual({
      id: message.id,
      channel: "email",
      to: user.email,
      subject: "Gatehouse: Confirm your email address",
      messageId: message.messageId,
      status: "failed",
      attempts: 2,
      lastError: "550 mailbox unavailable",
      nextAttemptAt: expect.any(String),
      createdAt: expect.any(String),
      sentAt: null,
    });
    expect(response.body).not.toContain("token=");
    expect(response.json().messages.every((m: { status: string }) => m.status === "failed")).toBe(true);
    // The same list through the library.
    expect((await t.gatehouse.outbox.list({ limit: 100, status: "failed" })).map((m) => m.id)).toContain(message.id);
    expect(await t.gatehouse.outbox.list({ limit: 100, status: "failed", channel: "sms" })).toEqual([]);
  });

  it("retries a failed message with fresh attempts and the same Message-ID", async () => {
    const { message } = await failedMessageFor();
    healthy = true;
    try {
      const retried = await t.app.inject({ method: "POST", url: `/v1/admin/outbox/${message.id}/retry`, headers: asAdmin });
      expect(retried.statusCode).toBe(200);
      expect(retried.json().message).toMatchObject({ id: message.id, status: "pending", attempts: 0 });
      await t.gatehouse.mail.idle();
      await t.gatehouse.mail.drain();
      const [audited] = await t.gatehouse.database.db
        .select()
        .from(auditEventsTable)
        .where(eq(auditEventsTable.requestId, retried.headers["x-request-id"] as string));
      expect(audited).toMatchObject({
        action: "outbox_message.retried",
        actorType: "admin",
        actorUserId: null,
        data: { messageId: message.id, channel: "email" },
      });
      const after = (await t.gatehouse.outbox.find(message.id))!;
      expect(after).toMatchObject({ status: "sent", attempts: 1, messageId: message.messageId });
      expect(sent).toContain(message.messageId);

      const again = await t.app.inject({ method: "POST", url: `/v1/admin/outbox/${message.id}/retry`, headers: asAdmin });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe("outbox_message_not_failed");
    } finally {
      healthy = false;
    }
    const unknown = await t.app.inject({ method: "POST", url: "/v1/admin/outbox/0190e8a0-0000-7000-8000-000000000000/retry", headers: asAdmin });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe("outbox_message_not_found");
    expect((await t.app.inject({ method: "POST", url: "/v1/admin/outbox/not-a-uuid/retry", headers: asAdmin })).statusCode).toBe(400);
  });
});

describe("admin routes without GATEHOUSE_ADMIN_TOKEN", () => {
  it("do not exist", async () => {
    const t = await startTestGatehouse(databaseTargets()[0]!);
    try {
      const response = await t.app.inject({ method: "GET", url: "/v1/admin/outbox?status=failed", headers: { authorization: "Bearer anything" } });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe("not_found");
    } finally {
      await t.close();
    }
  });
});

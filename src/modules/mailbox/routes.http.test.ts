import { describe, expect, it } from "vitest";
import { registerUser, uniqueEmail } from "../../../test/support/factories.js";
import { latestEmailTo } from "../../../test/support/mail.js";
import { startSmtpCapture } from "../../../test/support/smtp-capture.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

/**
 * The development mailbox shows reset links and codes to whoever asks, so it must not exist
 * wherever strangers can reach it. `GATEHOUSE_DEV_MAILBOX: ""` gives each Gatehouse the default
 * (the test support otherwise switches the mailbox on).
 * @see issue #15 (an anonymous caller read a reset link from /dev/mailbox and took the account over)
 */
const DEFAULT = { GATEHOUSE_DEV_MAILBOX: "" };
const LOCAL = { ...DEFAULT, GATEHOUSE_BASE_URL: "http://localhost:3000" };

const mailboxStatuses = async (t: TestGatehouse) => [
  (await t.app.inject({ method: "GET", url: "/dev/mailbox" })).statusCode,
  (await t.app.inject({ method: "GET", url: "/dev/mailbox/messages" })).statusCode,
];

async function withGatehouse(target: Parameters<typeof startTestGatehouse>[0], env: Record<string, string>, run: (t: TestGatehouse) => Promise<void>) {
  const t = await startTestGatehouse(target, { env: { GATEHOUSE_OUTBOX_MAX_ATTEMPTS: "1", ...env } });
  try {
    await run(t);
  } finally {
    await t.close();
  }
}

describe.each(databaseTargets())("development mailbox exposure on $name", (target) => {
  it("exists for a local start: no SMTP_URL, loopback base URL and interface", async () => {
    for (const base of ["http://localhost:3000", "http://[::1]:3000"]) {
      await withGatehouse(target, { ...DEFAULT, GATEHOUSE_BASE_URL: base }, async (t) => {
        expect(t.config.mail.devMailbox).toBe(true);
        expect(await mailboxStatuses(t)).toEqual([200, 200]);
        const user = await registerUser(t.app);
        await t.gatehouse.mail.idle();
        expect((await latestEmailTo(t.gatehouse, user.email)).status).toBe("sent");
      });
    }
  });

  it("does not exist when SMTP_URL is set, even on a loopback address", async () => {
    const smtp = await startSmtpCapture();
    try {
      await withGatehouse(target, { ...LOCAL, SMTP_URL: smtp.url }, async (t) => {
        expect(await mailboxStatuses(t)).toEqual([404, 404]);
      });
    } finally {
      await smtp.close();
    }
  });

  it("does not exist on a public base URL, and mail and SMS then fail visibly instead of waiting there", async () => {
    await withGatehouse(target, { ...DEFAULT, GATEHOUSE_BASE_URL: "https://id.example.com" }, async (t) => {
      expect(await mailboxStatuses(t)).toEqual([404, 404]);
      const user = await registerUser(t.app);
      await t.gatehouse.database.db.transaction((tx) =>
        t.gatehouse.mailer.enqueueSms(tx, { to: "+14155550123", template: "sign-in-code", variables: { code: "246810", ttlSeconds: 600 } }),
      );
      t.gatehouse.mailer.dispatch();
      await t.gatehouse.mail.idle();
      expect(await latestEmailTo(t.gatehouse, user.email)).toMatchObject({ status: "failed", lastError: "no transport configured: set SMTP_URL" });
      expect(await latestEmailTo(t.gatehouse, "+14155550123")).toMatchObject({
        status: "failed",
        lastError: expect.stringContaining("no transport configured"),
      });
    });
  });

  it("does not exist when the server listens beyond loopback, whatever the base URL says", async () => {
    await withGatehouse(target, { ...LOCAL, HOST: "0.0.0.0" }, async (t) => {
      expect(await mailboxStatuses(t)).toEqual([404, 404]);
    });
  });

  it("does not exist in production, nor when switched off", async () => {
    await withGatehouse(target, { ...LOCAL, NODE_ENV: "production" }, async (t) => {
      expect(await mailboxStatuses(t)).toEqual([404, 404]);
    });
    await withGatehouse(target, { ...LOCAL, GATEHOUSE_DEV_MAILBOX: "false" }, async (t) => {
      expect(await mailboxStatuses(t)).toEqual([404, 404]);
    });
  });

  it("exists on a public address only when GATEHOUSE_DEV_MAILBOX=true asks for it", async () => {
    await withGatehouse(target, { GATEHOUSE_BASE_URL: "https://staging.example.com", GATEHOUSE_DEV_MAILBOX: "true" }, async (t) => {
      expect(await mailboxStatuses(t)).toEqual([200, 200]);
    });
  });

  it("gives an anonymous caller no reset link to take an account over with (issue #15 reproduction)", async () => {
    // What happened: NODE_ENV left at its default, a public base URL, no SMTP yet.
    await withGatehouse(target, { ...DEFAULT, GATEHOUSE_BASE_URL: "https://id.example.com" }, async (t) => {
      const victim = await registerUser(t.app, { email: uniqueEmail("victim") });
      expect((await t.app.inject({ method: "POST", url: "/v1/password-resets", payload: { login: victim.email } })).statusCode).toBe(202);
      await t.gatehouse.mail.idle();
      const read = await t.app.inject({ method: "GET", url: `/dev/mailbox/messages?to=${encodeURIComponent(victim.email)}` });
      expect(read.statusCode).toBe(404);
      expect(read.body).not.toContain("reset-password");
      const page = await t.app.inject({ method: "GET", url: "/dev/mailbox" });
      expect(page.statusCode).toBe(404);
      expect(page.body).not.toContain(victim.email);
    });
  });
});

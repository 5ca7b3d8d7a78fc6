import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPage, submitForm } from "../../../test/support/browser-forms.js";
import { registerUser, signIn, STRONG_PASSWORD } from "../../../test/support/factories.js";
import { latestEmailTo } from "../../../test/support/mail.js";
import { startSmtpCapture, type SmtpCapture } from "../../../test/support/smtp-capture.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, TEST_BASE_URL, testConfig, type TestGatehouse } from "../../../test/support/test-gatehouse.js";
import { createGatehouse } from "../../gatehouse.js";
import { ConfigError } from "../config/load-config.js";
import type { MailTransport } from "./message.js";

describe.each(databaseTargets())("email over real SMTP on $name", (target) => {
  let smtp: SmtpCapture;
  let t: TestGatehouse;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    t = await startTestGatehouse(target, { env: { SMTP_URL: smtp.url, MAIL_FROM: "Gatehouse <auth@gatehouse.test>" } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it("delivers the confirmation email; following its link confirms the address", async () => {
    const arrival = (email: string) => smtp.waitFor(email);
    const email = `smtp.${Date.now()}@example.com`;
    const received = arrival(email);
    await registerUser(t.app, { email });
    const mail = await received;
    expect(mail.from?.text).toContain("auth@gatehouse.test");
    expect(mail.subject).toBe("Gatehouse: Confirm your email address");
    expect(mail.html).toBeTruthy();
    const link = new URL(/https?:\/\/\S+/.exec(mail.text ?? "")![0]);
    expect(link.origin).toBe(TEST_BASE_URL);
    const token = link.searchParams.get("token")!;
    expect(token).toBeTruthy();

    // The link opens a page; opening it changes nothing (a scanner's prefetch is harmless)…
    const { response: page, form, jar } = await openPage(t.app, `${link.pathname}${link.search}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers["referrer-policy"]).toBe("strict-origin");
    expect(page.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(form).toMatchObject({ action: "/ui/confirm-email", fields: { token } });
    expect((await t.gatehouse.accounts.getByEmail(email))?.emailConfirmed).toBe(false);
    // …the person's click submits the form.
    const confirmed = await submitForm(t.app, form!, jar);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain("Email confirmed");
    expect((await t.gatehouse.accounts.getByEmail(email))?.emailConfirmed).toBe(true);
    // Delivered in production mode (SMTP): the sealed body is gone from the outbox once sent.
    expect(mail.messageId).toBeTruthy();
  });

  it("resets a password through the emailed page", async () => {
    const user = await registerUser(t.app);
    await smtp.waitFor(user.email);
    const resetMail = smtp.waitFor(user.email, { match: (m) => (m.subject ?? "").includes("Reset") });
    await t.app.inject({ method: "POST", url: "/v1/password-resets", payload: { login: user.email } });
    const link = new URL(/https?:\/\/\S+/.exec((await resetMail).text ?? "")![0]);
    const { response: page, form, jar } = await openPage(t.app, `${link.pathname}${link.search}`);
    expect(page.body).toContain('name="password"');
    const submit = (password: string, confirmation: string) => submitForm(t.app, form!, jar, { fields: { password, passwordConfirmation: confirmation } });
    const mismatch = await submit("a brand new passphrase", "a different passphrase");
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain("does not match");
    const done = await submit("a brand new passphrase", "a brand new passphrase");
    expect(done.statusCode).toBe(200);
    await signIn(t.app, user.email, "a brand new passphrase");
    expect((await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: STRONG_PASSWORD } })).statusCode).toBe(401);
  });
});

describe.each(databaseTargets())("delivery retries on $name", (target) => {
  let healthy = false;
  const sent: string[] = [];
  const flaky: MailTransport = {
    name: "flaky",
    async send(message) {
      if (!healthy) throw new Error("connection refused");
      sent.push(message.messageId);
    },
  };
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, { mailTransport: flaky, env: { GATEHOUSE_OUTBOX_MAX_ATTEMPTS: "3" } });
  });
  afterAll(() => t.close());

  it("retries with exponential backoff, keeps the Message-ID, and delivers once the server is back", async () => {
    const user = await registerUser(t.app);
    await t.gatehouse.mail.idle();
    let message = await latestEmailTo(t.gatehouse, user.email);
    expect(message).toMatchObject({ status: "pending", attempts: 1, lastError: "connection refused" });

    await t.gatehouse.mail.drain(); // not due yet: backoff is 2 s after the first failure
    expect((await latestEmailTo(t.gatehouse, user.email)).attempts).toBe(1);
    t.clock.advance(2);
    await t.gatehouse.mail.drain();
    expect((await latestEmailTo(t.gatehouse, user.email)).attempts).toBe(2);

    healthy = true;
    t.clock.advance(4);
    await t.gatehouse.jobs.runNow("outbox");
    message = await latestEmailTo(t.gatehouse, user.email);
    expect(message.status).toBe("sent");
    expect(sent).toEqual([message.messageId]);
    healthy = false;
  });

  it("marks a message failed, visibly, after the last attempt", async () => {
    const user = await registerUser(t.app);
    await t.gatehouse.mail.idle();
    for (let i = 0; i < 5; i++) {
      t.clock.advance(60);
      await t.gatehouse.mail.drain();
    }
    const message = await latestEmailTo(t.gatehouse, user.email);
    expect(message).toMatchObject({ status: "failed", attempts: 3, lastError: "connection refused" });
  });
});

describe("production without a transport", () => {
  it("fails messages visibly instead of marking them sent", async () => {
    const t = await startTestGatehouse(databaseTargets()[0]!, { env: { NODE_ENV: "production", GATEHOUSE_OUTBOX_MAX_ATTEMPTS: "1" } });
    try {
      const user = await registerUser(t.app);
      await t.gatehouse.mail.idle();
      const message = await latestEmailTo(t.gatehouse, user.email);
      expect(message).toMatchObject({ status: "failed", attempts: 1, lastError: "no transport configured: set SMTP_URL" });
    } finally {
      await t.close();
    }
  });
});

describe("development mailbox", () => {
  it("shows queued mail as a page and as JSON", async () => {
    const t = await startTestGatehouse(databaseTargets()[0]!);
    try {
      const user = await registerUser(t.app);
      const json = (await t.app.inject({ method: "GET", url: `/dev/mailbox/messages?to=${encodeURIComponent(user.email)}` })).json();
      expect(json.messages).toHaveLength(1);
      expect(json.messages[0].text).toContain("/ui/confirm-email?token=");
      const page = await t.app.inject({ method: "GET", url: "/dev/mailbox" });
      expect(page.body).toContain(user.email);
      expect(page.body).toContain('<a href="http://gatehouse.test/ui/confirm-email?token=');
    } finally {
      await t.close();
    }
  });

  it("does not exist in production, where delivered bodies are wiped", async () => {
    const smtp = await startSmtpCapture();
    const t = await startTestGatehouse(databaseTargets()[0]!, { env: { NODE_ENV: "production", SMTP_URL: smtp.url } });
    try {
      expect((await t.app.inject({ method: "GET", url: "/dev/mailbox" })).statusCode).toBe(404);
      expect((await t.app.inject({ method: "GET", url: "/dev/mailbox/messages" })).statusCode).toBe(404);
      const user = await registerUser(t.app);
      await smtp.waitFor(user.email);
      await t.gatehouse.mail.idle();
      const stored = await latestEmailTo(t.gatehouse, user.email);
      expect(stored.status).toBe("sent");
      expect(stored.text).toBeNull();
    } finally {
      await t.close();
      await smtp.close();
    }
  });
});

describe.each(databaseTargets())("development mailbox with SMS on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target);
  });
  afterAll(() => t.close());

  it("lists SMS beside email, with their channel, phone number and text", async () => {
    const user = await registerUser(t.app);
    await t.gatehouse.database.db.transaction((tx) =>
      t.gatehouse.mailer.enqueueSms(tx, { to: "+14155550123", template: "sign-in-code", variables: { code: "246810", ttlSeconds: 600 } }),
    );
    t.gatehouse.mailer.dispatch();
    await t.gatehouse.mail.idle();

    const sms = (await t.app.inject({ method: "GET", url: `/dev/mailbox/messages?to=${encodeURIComponent("+14155550123")}` })).json();
    expect(sms.messages).toEqual([
      expect.objectContaining({
        channel: "sms",
        to: "+14155550123",
        subject: "",
        html: null,
        status: "sent",
        text: expect.stringMatching(/^246810 is your Gatehouse sign-in code/),
      }),
    ]);
    const email = (await t.app.inject({ method: "GET", url: `/dev/mailbox/messages?to=${encodeURIComponent(user.email)}` })).json();
    expect(email.messages[0]).toMatchObject({ channel: "email", to: user.email });

    const page = (await t.app.inject({ method: "GET", url: "/dev/mailbox" })).body;
    expect(page).toContain("<b>SMS</b> to +14155550123");
    expect(page).toContain("246810 is your Gatehouse sign-in code");
    expect(page).toContain(`Email to ${user.email}`);
  });
});

describe.each(databaseTargets())("templates from GATEHOUSE_TEMPLATES_DIR on $name", (target) => {
  let dir: string;
  let t: TestGatehouse;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-templates-"));
    writeFileSync(join(dir, "email-confirmation.subject.txt"), "Welcome to {{productName}}, please confirm\n");
    writeFileSync(join(dir, "email-confirmation.text.txt"), "Hi {{to}}!\n\nConfirm here: {{link}}\n\nValid for {{expiresIn}}. Not you? Ignore this email.\n");
    writeFileSync(
      join(dir, "email-confirmation.html"),
      '<p>Hi {{to}}! <a href="{{link}}">Confirm</a> within {{expiresIn}}.</p><p>Not you? Ignore this email.</p>',
    );
    t = await startTestGatehouse(target, { env: { GATEHOUSE_TEMPLATES_DIR: dir, GATEHOUSE_PRODUCT_NAME: "Acme <ID>" } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends the operator's wording, and its link still confirms the address", async () => {
    const user = await registerUser(t.app);
    const message = await latestEmailTo(t.gatehouse, user.email);
    expect(message.subject).toBe("Welcome to Acme <ID>, please confirm");
    const token = new URL(/https?:\/\/\S+/.exec(message.text!)![0]).searchParams.get("token")!;
    const link = `${TEST_BASE_URL}/ui/confirm-email?token=${token}`;
    expect(message.text).toBe(`Hi ${user.email}!\n\nConfirm here: ${link}\n\nValid for 2 days. Not you? Ignore this email.`);
    expect(message.html).toBe(`<p>Hi ${user.email}! <a href="${link}">Confirm</a> within 2 days.</p><p>Not you? Ignore this email.</p>`);
    const confirmed = await t.app.inject({ method: "POST", url: "/v1/email-confirmations", payload: { token } });
    expect(confirmed.statusCode).toBe(200);
  });
});

describe("GATEHOUSE_TEMPLATES_DIR at boot", () => {
  it("refuses to start with a template file that uses an unknown variable", async () => {
    const bad = mkdtempSync(join(tmpdir(), "gatehouse-templates-"));
    try {
      writeFileSync(join(bad, "password-changed.text.txt"), "Your code is {{code}}");
      // Checked before the database is opened: nothing has started when the boot stops.
      const boot = createGatehouse(testConfig({ GATEHOUSE_TEMPLATES_DIR: bad, GATEHOUSE_DATA_DIR: "memory://" }), { startJobs: false });
      await expect(boot).rejects.toThrow(ConfigError);
      await expect(boot).rejects.toThrow(/password-changed\.text\.txt uses \{\{code\}\}/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});

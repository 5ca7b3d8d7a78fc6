import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmsGateway, verifyWebhookSignature, type SmsGateway } from "../../../test/support/sms-gateway.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";
import { epochSeconds } from "../time/clock.js";
import type { OutgoingSms } from "./message.js";
import type { TemplatedSms } from "./mailer.js";

const SECRET = "whsec-0123456789abcdef0123456789abcdef";

let phoneCounter = 0;
const uniquePhone = () => `+1415555${String(phoneCounter++).padStart(4, "0")}`;

/** Queues an SMS the way a service does (in a transaction, then dispatch) and waits for the drain. */
async function sendSms(t: TestGatehouse, sms: OutgoingSms | TemplatedSms) {
  await t.gatehouse.database.db.transaction((tx) => t.gatehouse.mailer.enqueueSms(tx, sms));
  t.gatehouse.mailer.dispatch();
  await t.gatehouse.mail.idle();
}

const latestTo = async (t: TestGatehouse, to: string) => (await t.gatehouse.outbox.list({ limit: 1, recipient: to }))[0]!;

describe.each(databaseTargets())("SMS through the signed webhook on $name", (target) => {
  let gateway: SmsGateway;
  let t: TestGatehouse;
  beforeAll(async () => {
    gateway = await startSmsGateway({ secret: SECRET });
    t = await startTestGatehouse(target, {
      env: {
        GATEHOUSE_SMS_WEBHOOK_URL: `${gateway.url}/sms`,
        GATEHOUSE_SMS_WEBHOOK_SECRET: SECRET,
        GATEHOUSE_DELIVERY_TIMEOUT_SECONDS: "1",
        GATEHOUSE_PRODUCT_NAME: "Acme ID",
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await gateway.close();
  });

  it("POSTs {to, text, messageId} signed with HMAC-SHA256 over timestamp and body", async () => {
    const to = uniquePhone();
    const arrival = gateway.waitFor(to);
    await sendSms(t, { to, template: "sign-in-code", variables: { code: "042137", ttlSeconds: 600 } });
    const sms = await arrival;
    expect(sms.path).toBe("/sms");
    expect(sms.headers["content-type"]).toBe("application/json");
    expect(sms.signatureValid).toBe(true);
    expect(sms.headers["x-gatehouse-timestamp"]).toBe(String(epochSeconds(t.clock.now())));
    expect(JSON.parse(sms.rawBody)).toEqual({ to, text: sms.text, messageId: sms.messageId });
    expect(sms.text).toBe("042137 is your Acme ID sign-in code. It expires in 10 minutes. Didn't ask for it? Ignore this message.");
    const stored = await latestTo(t, to);
    expect(stored).toMatchObject({ channel: "sms", status: "sent", messageId: sms.messageId, attempts: 1 });
  });

  it("fails the signature check if the body or the timestamp is altered", async () => {
    const to = uniquePhone();
    const arrival = gateway.waitFor(to);
    await sendSms(t, { to, text: "hello" });
    const sms = await arrival;
    expect(verifyWebhookSignature(SECRET, sms.headers, sms.rawBody)).toBe(true);
    expect(verifyWebhookSignature(SECRET, sms.headers, sms.rawBody.replace("hello", "hellO"))).toBe(false);
    const later = { ...sms.headers, "x-gatehouse-timestamp": String(Number(sms.headers["x-gatehouse-timestamp"]) + 600) };
    expect(verifyWebhookSignature(SECRET, later, sms.rawBody)).toBe(false);
    expect(verifyWebhookSignature("another secret of some length", sms.headers, sms.rawBody)).toBe(false);
  });

  it("retries a non-2xx answer with backoff, with the same messageId, until the gateway accepts", async () => {
    const to = uniquePhone();
    gateway.respond(() => ({ status: 503, body: '{"error":"busy"}' }));
    await sendSms(t, { to, text: "first try fails" });
    expect(await latestTo(t, to)).toMatchObject({ status: "pending", attempts: 1, lastError: 'SMS webhook answered 503: {"error":"busy"}' });

    gateway.respond(() => ({ status: 204 }));
    t.clock.advance(2);
    const arrival = gateway.waitFor(to);
    await t.gatehouse.mail.drain();
    await arrival;
    const attempts = gateway.received.filter((r) => r.to === to);
    expect(attempts).toHaveLength(2);
    expect(new Set(attempts.map((a) => a.messageId)).size).toBe(1);
    expect(await latestTo(t, to)).toMatchObject({ status: "sent", attempts: 2, messageId: attempts[0]!.messageId });
  });

  it("gives up on a gateway that does not answer within the timeout, and retries later", async () => {
    const to = uniquePhone();
    gateway.respond(() => "hang");
    await sendSms(t, { to, text: "nobody answers" });
    gateway.respond(() => ({ status: 201 }));
    expect(await latestTo(t, to)).toMatchObject({ status: "pending", attempts: 1, lastError: "SMS webhook did not answer within 1 s" });
  });
});

describe.each(databaseTargets())("SMS through a Twilio-compatible API on $name", (target) => {
  let gateway: SmsGateway;
  let t: TestGatehouse;
  beforeAll(async () => {
    gateway = await startSmsGateway();
    t = await startTestGatehouse(target, {
      env: {
        GATEHOUSE_TWILIO_BASE_URL: `${gateway.url}/`,
        GATEHOUSE_TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef",
        GATEHOUSE_TWILIO_AUTH_TOKEN: "twilio-auth-token",
        GATEHOUSE_TWILIO_FROM: "+14155550199",
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await gateway.close();
  });

  it("POSTs To, From and Body as a form with basic auth to the account's Messages.json", async () => {
    const to = uniquePhone();
    const arrival = gateway.waitFor(to);
    await sendSms(t, { to, template: "verification-code", variables: { code: "555000", ttlSeconds: 600 } });
    const sms = await arrival;
    expect(sms.path).toBe("/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json");
    expect(sms.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(sms.headers.authorization).toBe(`Basic ${Buffer.from("AC0123456789abcdef0123456789abcdef:twilio-auth-token").toString("base64")}`);
    expect(sms.from).toBe("+14155550199");
    expect(sms.text).toBe("555000 is your Gatehouse verification code. It expires in 10 minutes. Didn't ask for it? Ignore this message.");
    expect(await latestTo(t, to)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("keeps Twilio's error as the message's last error and retries", async () => {
    const to = uniquePhone();
    gateway.respond(() => ({ status: 400, body: JSON.stringify({ code: 21211, message: `The 'To' number ${to} is not a valid phone number.`, status: 400 }) }));
    await sendSms(t, { to, text: "bad number" });
    gateway.respond(() => ({ status: 201 }));
    const stored = await latestTo(t, to);
    expect(stored.status).toBe("pending");
    expect(stored.lastError).toMatch(/^Twilio answered 400: .*21211/);
    expect(stored.lastError).not.toContain("twilio-auth-token");
  });
});

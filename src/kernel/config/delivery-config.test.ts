import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load-config.js";

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("delivery settings", () => {
  it("default to the development mailbox, built-in templates, and no admin routes", () => {
    const config = loadConfig({});
    expect(config.sms).toEqual({ webhook: null, twilio: null });
    expect(config.mail).toMatchObject({ templatesDir: null, deliveryTimeoutSeconds: 30 });
    expect(config.jobs.outboxLeaseSeconds).toBe(120);
    expect(config.admin.token).toBeNull();
  });

  it("select the signed webhook", () => {
    const config = loadConfig({ GATEHOUSE_SMS_WEBHOOK_URL: "https://sms.example.com/hook", GATEHOUSE_SMS_WEBHOOK_SECRET: "0123456789abcdef" });
    expect(config.sms.webhook).toEqual({ url: "https://sms.example.com/hook", secret: "0123456789abcdef" });
  });

  it("select Twilio, at api.twilio.com unless told otherwise", () => {
    const twilio = { GATEHOUSE_TWILIO_ACCOUNT_SID: "AC1", GATEHOUSE_TWILIO_AUTH_TOKEN: "token", GATEHOUSE_TWILIO_FROM: "+14155550100" };
    expect(loadConfig(twilio).sms.twilio).toEqual({ accountSid: "AC1", authToken: "token", from: "+14155550100", baseUrl: "https://api.twilio.com" });
    expect(loadConfig({ ...twilio, GATEHOUSE_TWILIO_BASE_URL: "http://127.0.0.1:9999/" }).sms.twilio?.baseUrl).toBe("http://127.0.0.1:9999");
  });

  it("require the webhook secret when the webhook URL is set, naming it", () => {
    expect(problemsOf({ GATEHOUSE_SMS_WEBHOOK_URL: "https://sms.example.com/hook" })).toContain(
      "GATEHOUSE_SMS_WEBHOOK_SECRET must be set when GATEHOUSE_SMS_WEBHOOK_URL is set",
    );
    expect(problemsOf({ GATEHOUSE_SMS_WEBHOOK_URL: "https://sms.example.com/hook", GATEHOUSE_SMS_WEBHOOK_SECRET: "short" })).toContain(
      "GATEHOUSE_SMS_WEBHOOK_SECRET must be at least 16 characters",
    );
    expect(problemsOf({ GATEHOUSE_SMS_WEBHOOK_URL: "ftp://sms.example.com", GATEHOUSE_SMS_WEBHOOK_SECRET: "0123456789abcdef" })).toContain(
      "GATEHOUSE_SMS_WEBHOOK_URL must be a URL starting with http:// or https://",
    );
  });

  it("require the Twilio token and sender when the account SID is set, naming each", () => {
    const message = problemsOf({ GATEHOUSE_TWILIO_ACCOUNT_SID: "AC1" });
    expect(message).toContain("GATEHOUSE_TWILIO_AUTH_TOKEN must be set when GATEHOUSE_TWILIO_ACCOUNT_SID is set");
    expect(message).toContain("GATEHOUSE_TWILIO_FROM must be set when GATEHOUSE_TWILIO_ACCOUNT_SID is set");
    expect(problemsOf({ GATEHOUSE_TWILIO_AUTH_TOKEN: "token" })).toContain("GATEHOUSE_TWILIO_ACCOUNT_SID must be set when GATEHOUSE_TWILIO_AUTH_TOKEN is set");
  });

  it("refuse two SMS gateways at once", () => {
    expect(
      problemsOf({
        GATEHOUSE_SMS_WEBHOOK_URL: "https://sms.example.com/hook",
        GATEHOUSE_SMS_WEBHOOK_SECRET: "0123456789abcdef",
        GATEHOUSE_TWILIO_ACCOUNT_SID: "AC1",
        GATEHOUSE_TWILIO_AUTH_TOKEN: "token",
        GATEHOUSE_TWILIO_FROM: "+14155550100",
      }),
    ).toContain("must not both be set");
  });

  it("keep the lease longer than a send may take", () => {
    expect(problemsOf({ GATEHOUSE_OUTBOX_LEASE_SECONDS: "30" })).toContain(
      "GATEHOUSE_OUTBOX_LEASE_SECONDS must be greater than GATEHOUSE_DELIVERY_TIMEOUT_SECONDS",
    );
    expect(loadConfig({ GATEHOUSE_OUTBOX_LEASE_SECONDS: "10", GATEHOUSE_DELIVERY_TIMEOUT_SECONDS: "5" }).jobs.outboxLeaseSeconds).toBe(10);
  });

  it("require an admin token long enough not to be guessed", () => {
    expect(problemsOf({ GATEHOUSE_ADMIN_TOKEN: "admin" })).toContain("GATEHOUSE_ADMIN_TOKEN must be at least 32 characters");
  });
});

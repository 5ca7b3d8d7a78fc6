import { createRequire } from "node:module";
import type Nodemailer from "nodemailer";
import type { Config } from "../config/load-config.js";
import type { Clock } from "../time/clock.js";
import type { MailTransport, SmsTransport } from "./message.js";
import { createWebhookSmsTransport } from "./sms-webhook.js";
import { createTwilioSmsTransport } from "./sms-twilio.js";

/**
 * Real SMTP through nodemailer; the Message-ID is the one fixed in the outbox. Nodemailer's own
 * timeouts (2 min to connect, 10 min of silence) would outlast the outbox lease, so they are bounded;
 * options in the URL's query string still win.
 */
export function createSmtpTransport(smtpUrl: string, timeoutSeconds = 30): MailTransport {
  // Loaded only with SMTP_URL: 2.6 MB of heap a server without SMTP need not hold.
  const nodemailer = createRequire(import.meta.url)("nodemailer") as typeof Nodemailer;
  const timeoutMs = timeoutSeconds * 1000;
  const transporter = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  return {
    name: "smtp",
    async send(message) {
      await transporter.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
      });
    },
    close: () => transporter.close(),
  };
}

/**
 * Development mailbox: the message already sits in the outbox, where /dev/mailbox reads it, so
 * "delivering" it only marks it sent.
 */
export const devMailboxTransport: MailTransport = {
  name: "dev-mailbox",
  send: async () => {},
};

/** Development SMS: kept in the outbox and shown by the development mailbox, like email. */
export const devSmsTransport: SmsTransport = {
  name: "dev-mailbox",
  send: async () => {},
};

/**
 * Where nothing is configured and there is no development mailbox (production, a public address:
 * see kernel/config/dev-mailbox.ts), a message cannot be delivered: it fails, is retried, and ends
 * up `failed` where operators see it — never "sent" into a mailbox nobody may read.
 */
export function unconfiguredTransport(setting: string): MailTransport & SmsTransport {
  return {
    name: "unconfigured",
    send: async () => {
      throw new Error(`no transport configured: set ${setting}`);
    },
  };
}

/** The SMTP server of SMTP_URL; else the development mailbox where it exists, or nothing at all. */
export function createConfiguredMailTransport(mail: Config["mail"], timeoutSeconds: number): MailTransport {
  if (mail.smtpUrl) return createSmtpTransport(mail.smtpUrl, timeoutSeconds);
  return mail.devMailbox ? devMailboxTransport : unconfiguredTransport("SMTP_URL");
}

/** The SMS gateway the configuration names (loadConfig allows at most one); else as for mail. */
export function createConfiguredSmsTransport(sms: Config["sms"], devMailbox: boolean, timeoutSeconds: number, clock: Clock): SmsTransport {
  if (sms.webhook) return createWebhookSmsTransport({ ...sms.webhook, timeoutSeconds, clock });
  if (sms.twilio) return createTwilioSmsTransport({ ...sms.twilio, timeoutSeconds });
  return devMailbox ? devSmsTransport : unconfiguredTransport("GATEHOUSE_SMS_WEBHOOK_URL or GATEHOUSE_TWILIO_ACCOUNT_SID");
}

import nodemailer from "nodemailer";
import type { MailTransport, SmsTransport } from "./message.js";

/** Real SMTP through nodemailer; the Message-ID is the one fixed in the outbox. */
export function createSmtpTransport(smtpUrl: string): MailTransport {
  const transporter = nodemailer.createTransport(smtpUrl);
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

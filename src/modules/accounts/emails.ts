import { describeDuration, renderEmail } from "../../kernel/mail/layout.js";
import type { OutgoingEmail } from "../../kernel/mail/message.js";

export function confirmationEmail(input: { to: string; productName: string; link: string; ttlSeconds: number }): OutgoingEmail {
  return {
    to: input.to,
    ...renderEmail({
      productName: input.productName,
      subject: "Confirm your email address",
      paragraphs: [`Confirm that ${input.to} is your email address for your ${input.productName} account.`],
      action: { label: "Confirm your email address", url: input.link },
      expiry: `This link expires in ${describeDuration(input.ttlSeconds)}.`,
      unrequestedNotice: "Didn't create an account? You can ignore this email; the address stays unconfirmed.",
    }),
  };
}

export function usernameReminderEmail(input: { to: string; productName: string; username: string | null }): OutgoingEmail {
  const paragraphs = input.username
    ? [`The username of your ${input.productName} account is: ${input.username}`]
    : [`Your ${input.productName} account has no username. Sign in with this email address instead.`];
  return {
    to: input.to,
    ...renderEmail({
      productName: input.productName,
      subject: "Your username",
      paragraphs,
      unrequestedNotice: "Didn't ask for this? You can ignore this email; nothing has changed.",
    }),
  };
}

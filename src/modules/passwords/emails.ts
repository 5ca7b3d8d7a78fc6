import { describeDuration, renderEmail } from "../../kernel/mail/layout.js";
import type { OutgoingEmail } from "../../kernel/mail/message.js";

export function passwordResetEmail(input: { to: string; productName: string; link: string; ttlSeconds: number }): OutgoingEmail {
  return {
    to: input.to,
    ...renderEmail({
      productName: input.productName,
      subject: "Reset your password",
      paragraphs: [`Someone asked to reset the password of the ${input.productName} account for ${input.to}.`],
      action: { label: "Choose a new password", url: input.link },
      expiry: `This link expires in ${describeDuration(input.ttlSeconds)} and works once.`,
      unrequestedNotice: "Didn't ask for this? You can ignore this email; your password stays as it is.",
    }),
  };
}

export function passwordChangedEmail(input: { to: string; productName: string }): OutgoingEmail {
  return {
    to: input.to,
    ...renderEmail({
      productName: input.productName,
      subject: "Your password was changed",
      paragraphs: [`The password of your ${input.productName} account was just changed, and your other sessions were signed out.`],
      unrequestedNotice: "Didn't do this? Reset your password at once and review your sessions.",
    }),
  };
}

import type { TemplatedEmail } from "../../kernel/mail/mailer.js";

// The wording lives in the template catalogue (src/kernel/mail/templates/catalogue.ts), where an
// operator's GATEHOUSE_TEMPLATES_DIR can replace it; the mailer renders it when the email is queued.

export function passwordResetEmail(input: { to: string; productName: string; link: string; ttlSeconds: number }): TemplatedEmail {
  return { to: input.to, template: "password-reset", variables: { link: input.link, ttlSeconds: input.ttlSeconds } };
}

export function passwordChangedEmail(input: { to: string; productName: string }): TemplatedEmail {
  return { to: input.to, template: "password-changed", variables: {} };
}

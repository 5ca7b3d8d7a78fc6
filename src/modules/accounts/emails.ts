import type { TemplatedEmail } from "../../kernel/mail/mailer.js";

// The wording lives in the template catalogue (src/kernel/mail/templates/catalogue.ts), where an
// operator's GATEHOUSE_TEMPLATES_DIR can replace it; the mailer renders it when the email is queued.
// `productName` stays in the inputs for callers; the mailer fills it from the configuration.

export function confirmationEmail(input: { to: string; productName: string; link: string; ttlSeconds: number }): TemplatedEmail {
  return { to: input.to, template: "email-confirmation", variables: { link: input.link, ttlSeconds: input.ttlSeconds } };
}

export function usernameReminderEmail(input: { to: string; productName: string; username: string | null }): TemplatedEmail {
  return input.username
    ? { to: input.to, template: "username-reminder", variables: { username: input.username } }
    : { to: input.to, template: "username-reminder-no-username", variables: {} };
}

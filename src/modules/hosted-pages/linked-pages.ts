declare module "../../kernel/mail/mailer.js" {
  interface LinkedPages {
    "confirm-email": true;
    "reset-password": true;
    "magic-link": true;
    "confirm-email-change": true;
  }
}

/**
 * Where the pages that emailed links open are served. Services name a page by purpose
 * (`mailer.link("reset-password", { token })`); this module, which serves them, says where.
 */
export const linkedPagePaths = {
  "confirm-email": "/ui/confirm-email",
  "reset-password": "/ui/reset-password",
  "magic-link": "/ui/magic-link",
  "confirm-email-change": "/ui/confirm-email-change",
} as const;

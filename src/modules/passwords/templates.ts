import { defineTemplates } from "../../kernel/mail/templates/catalogue.js";

declare module "../../kernel/mail/templates/catalogue.js" {
  interface TemplateVariables {
    "password-reset": { link: string; ttlSeconds: number };
    "password-changed": Record<string, never>;
    "recovery-code": { code: string; ttlSeconds: number };
  }
  interface SmsTemplates {
    "recovery-code": true;
  }
}

/** The wording of the passwords module's messages (GATEHOUSE_TEMPLATES_DIR can replace any part). */
export const passwordTemplates = defineTemplates({
  "password-reset": {
    variables: ["link", "ttlSeconds"],
    email: {
      subject: "Reset your password",
      paragraphs: ["Someone asked to reset the password of the {{productName}} account for {{to}}."],
      action: { label: "Choose a new password", url: "{{link}}" },
      expiry: "This link expires in {{expiresIn}} and works once.",
      unrequestedNotice: "Didn't ask for this? You can ignore this email; your password stays as it is.",
    },
  },
  "password-changed": {
    variables: [],
    email: {
      subject: "Your password was changed",
      paragraphs: ["The password of your {{productName}} account was just changed, and your other sessions were signed out."],
      unrequestedNotice: "Didn't do this? Reset your password at once and review your sessions.",
    },
  },
  "recovery-code": {
    variables: ["code", "ttlSeconds"],
    email: {
      subject: "Your account recovery code",
      paragraphs: ["Someone asked to recover the {{productName}} account for {{to}}. Enter this code to choose a new password:", "{{code}}"],
      expiry: "This code expires in {{expiresIn}} and works once.",
      unrequestedNotice: "Didn't ask for this? You can ignore this email; your password stays as it is.",
    },
    sms: `{{code}} is your {{productName}} account recovery code. It expires in {{expiresIn}}. Didn't ask for it? Ignore this message; your password stays as it is.`,
  },
});

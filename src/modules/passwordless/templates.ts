import { defineTemplates } from "../../kernel/mail/templates/catalogue.js";

declare module "../../kernel/mail/templates/catalogue.js" {
  interface TemplateVariables {
    "magic-link": { link: string; ttlSeconds: number };
    "sign-in-code": { code: string; ttlSeconds: number };
  }
  interface SmsTemplates {
    "sign-in-code": true;
  }
}

const IGNORE_SMS = "Didn't ask for it? Ignore this message.";

/** The wording of the passwordless module's messages (GATEHOUSE_TEMPLATES_DIR can replace any part). */
export const passwordlessTemplates = defineTemplates({
  "magic-link": {
    variables: ["link", "ttlSeconds"],
    email: {
      subject: "Your sign-in link",
      paragraphs: ["Use this link to sign in to {{productName}} as {{to}}."],
      action: { label: "Sign in to {{productName}}", url: "{{link}}" },
      expiry: "This link expires in {{expiresIn}} and works once.",
      unrequestedNotice: "Didn't ask for this? You can ignore this email; nobody can sign in without the link.",
    },
  },
  "sign-in-code": {
    variables: ["code", "ttlSeconds"],
    email: {
      subject: "Your sign-in code",
      paragraphs: ["Your {{productName}} sign-in code is:", "{{code}}", "Enter it where you asked to sign in. Never share it with anyone."],
      expiry: "This code expires in {{expiresIn}} and works once.",
      unrequestedNotice: "Didn't ask for this? You can ignore this email; nobody can sign in without the code.",
    },
    sms: `{{code}} is your {{productName}} sign-in code. It expires in {{expiresIn}}. ${IGNORE_SMS}`,
  },
});

import { defineTemplates } from "../../kernel/mail/templates/catalogue.js";

declare module "../../kernel/mail/templates/catalogue.js" {
  interface TemplateVariables {
    "reauthentication-code": { code: string; ttlSeconds: number };
  }
  interface SmsTemplates {
    "reauthentication-code": true;
  }
}

/** The wording of the sessions module's messages (GATEHOUSE_TEMPLATES_DIR can replace any part). */
export const sessionTemplates = defineTemplates({
  "reauthentication-code": {
    variables: ["code", "ttlSeconds"],
    email: {
      subject: "Confirm it's you",
      paragraphs: ["Enter this code to confirm it's you before changing your {{productName}} account:", "{{code}}", "Never share it with anyone."],
      expiry: "This code expires in {{expiresIn}} and works once.",
      unrequestedNotice: "Didn't ask for this? Someone may be signed in to your account: change your password and review your sessions.",
    },
    sms: `{{code}} is your {{productName}} code to confirm it's you. It expires in {{expiresIn}}. Didn't ask for it? Review your sessions.`,
  },
});

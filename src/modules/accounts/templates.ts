import { defineTemplates } from "../../kernel/mail/templates/catalogue.js";

declare module "../../kernel/mail/templates/catalogue.js" {
  interface TemplateVariables {
    "username-reminder": { username: string };
    "username-reminder-no-username": Record<string, never>;
  }
}

/** The wording of the accounts module's messages (GATEHOUSE_TEMPLATES_DIR can replace any part). */
export const accountTemplates = defineTemplates({
  "username-reminder": {
    variables: ["username"],
    email: {
      subject: "Your username",
      paragraphs: ["The username of your {{productName}} account is: {{username}}"],
      unrequestedNotice: "Didn't ask for this? You can ignore this email; nothing has changed.",
    },
  },
  "username-reminder-no-username": {
    variables: [],
    email: {
      subject: "Your username",
      paragraphs: ["Your {{productName}} account has no username. Sign in with this email address instead."],
      unrequestedNotice: "Didn't ask for this? You can ignore this email; nothing has changed.",
    },
  },
});

import { defineTemplates } from "../../kernel/mail/templates/catalogue.js";

declare module "../../kernel/mail/templates/catalogue.js" {
  interface TemplateVariables {
    "email-confirmation": { link: string; ttlSeconds: number };
    "verification-code": { code: string; ttlSeconds: number };
    "verify-email-link": { link: string; ttlSeconds: number };
    "email-change-confirm": { link: string; ttlSeconds: number };
    "email-change-notice": { newEmail: string };
    "identity-added": { identity: string };
    "identity-removed": { identity: string };
  }
  interface SmsTemplates {
    "verification-code": true;
    "identity-added": true;
    "identity-removed": true;
  }
}

const IGNORE_SMS = "Didn't ask for it? Ignore this message.";

/** The wording of the identities module's messages (GATEHOUSE_TEMPLATES_DIR can replace any part). */
export const identityTemplates = defineTemplates({
  "email-confirmation": {
    variables: ["link", "ttlSeconds"],
    email: {
      subject: "Confirm your email address",
      paragraphs: ["Confirm that {{to}} is your email address for your {{productName}} account."],
      action: { label: "Confirm your email address", url: "{{link}}" },
      expiry: "This link expires in {{expiresIn}}.",
      unrequestedNotice: "Didn't create an account? You can ignore this email; the address stays unconfirmed.",
    },
  },
  "verification-code": {
    variables: ["code", "ttlSeconds"],
    email: {
      subject: "Your verification code",
      paragraphs: ["Enter this code to verify {{to}} for your {{productName}} account:", "{{code}}"],
      expiry: "This code expires in {{expiresIn}} and works once.",
      unrequestedNotice: "Didn't ask for this? You can ignore this email; the address stays unverified.",
    },
    sms: `{{code}} is your {{productName}} verification code. It expires in {{expiresIn}}. ${IGNORE_SMS}`,
  },
  "verify-email-link": {
    variables: ["link", "ttlSeconds"],
    email: {
      subject: "Verify your email address",
      paragraphs: ["Confirm that {{to}} is your email address for your {{productName}} account."],
      action: { label: "Verify your email address", url: "{{link}}" },
      expiry: "This link expires in {{expiresIn}}.",
      unrequestedNotice: "Didn't ask for this? You can ignore this email; the address stays unverified.",
    },
  },
  "email-change-confirm": {
    variables: ["link", "ttlSeconds"],
    email: {
      subject: "Confirm your new email address",
      paragraphs: ["Someone asked to change the email address of a {{productName}} account to {{to}}. The change takes effect only when you confirm it."],
      action: { label: "Confirm the new address", url: "{{link}}" },
      expiry: "This link expires in {{expiresIn}} and works once.",
      unrequestedNotice: "Didn't ask for this? You can ignore this email; no account will use this address.",
    },
  },
  "email-change-notice": {
    variables: ["newEmail"],
    email: {
      subject: "Your email address is being changed",
      paragraphs: [
        "Someone asked to change the email address of your {{productName}} account from {{to}} to {{newEmail}}.",
        "The change takes effect only when it is confirmed from the new address.",
      ],
      unrequestedNotice: "Didn't ask for this? Someone may have access to your account: change your password and review your sessions.",
    },
  },
  "identity-added": {
    variables: ["identity"],
    email: {
      subject: "A new way to sign in was added to your account",
      paragraphs: ["{{identity}} was added to your {{productName}} account. It can now be used to sign in and to recover the account."],
      unrequestedNotice: "Didn't do this? Someone may have access to your account: remove it, change your password and review your sessions.",
    },
    sms: "{{identity}} was added to your {{productName}} account. Didn't do this? Someone may have access to your account: remove it and review your sessions.",
  },
  "identity-removed": {
    variables: ["identity"],
    email: {
      subject: "A way to sign in was removed from your account",
      paragraphs: ["{{identity}} was removed from your {{productName}} account. It can no longer be used to sign in or to recover the account."],
      unrequestedNotice: "Didn't do this? Someone may have access to your account: recover it at once and review your sessions.",
    },
    sms: "{{identity}} was removed from your {{productName}} account. Didn't do this? Recover your account at once and review your sessions.",
  },
});

import type { EmailLayoutInput } from "../layout.js";

/**
 * What each template needs from its caller. Every template also receives `productName` and `to`
 * (the recipient), and `ttlSeconds` becomes `expiresIn` ("15 minutes") for the text.
 */
export interface TemplateVariables {
  "email-confirmation": { link: string; ttlSeconds: number };
  "password-reset": { link: string; ttlSeconds: number };
  "password-changed": Record<string, never>;
  "username-reminder": { username: string };
  "username-reminder-no-username": Record<string, never>;
  "magic-link": { link: string; ttlSeconds: number };
  "sign-in-code": { code: string; ttlSeconds: number };
  "verification-code": { code: string; ttlSeconds: number };
  "verify-email-link": { link: string; ttlSeconds: number };
  "recovery-code": { code: string; ttlSeconds: number };
  "email-change-confirm": { link: string; ttlSeconds: number };
  "email-change-notice": { newEmail: string };
  "identity-added": { identity: string };
  "identity-removed": { identity: string };
  "reauthentication-code": { code: string; ttlSeconds: number };
}

export type TemplateName = keyof TemplateVariables;
/** Templates that also exist as an SMS text. */
export type SmsTemplateName = "sign-in-code" | "verification-code" | "recovery-code" | "identity-added" | "identity-removed" | "reauthentication-code";

/** A built-in template: its caller's variables, an email layout and optional SMS text, with `{{variable}}` placeholders. */
interface BuiltInTemplate<N extends TemplateName> {
  variables: ReadonlyArray<keyof TemplateVariables[N]>;
  email: Omit<EmailLayoutInput, "productName">;
  sms?: string;
}

const IGNORE_SMS = "Didn't ask for it? Ignore this message.";

/**
 * The built-in wording. Placeholders are substituted after layout, so the layout's HTML escaping
 * never sees a value: the renderer escapes values itself.
 */
export const builtInTemplates: { [N in TemplateName]: BuiltInTemplate<N> } = {
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
};

export const templateNames = Object.keys(builtInTemplates) as TemplateName[];

export const isSmsTemplate = (name: string): name is SmsTemplateName => name in builtInTemplates && builtInTemplates[name as TemplateName].sms !== undefined;

export const isTemplateName = (name: string): name is TemplateName => Object.hasOwn(builtInTemplates, name);

/** The placeholders a template may use: the caller's variables plus those every template gets. */
export function placeholdersOf(name: TemplateName): string[] {
  const own = builtInTemplates[name].variables.map(String);
  return ["productName", "to", ...own, ...(own.includes("ttlSeconds") ? ["expiresIn"] : [])];
}

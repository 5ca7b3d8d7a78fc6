/**
 * identities — the email addresses and phone numbers of users: normalisation, logins (what a
 * person types to sign in), verification by code or link, adding and removing them (with a recent
 * proof, told to the account), email change held until the new address confirms it, and claiming
 * an account registered without proof. Users themselves are accounts'; codes and links are stored
 * by tokens. It never tells whether an identity belongs to an account.
 */
export { createIdentitiesService, type IdentitiesService, type IdentitiesConfig, type SignInIdentity, type VerificationMethod } from "./service.js";
export type { EmailChange } from "./email-change.js";
export { identitiesRoutes } from "./routes.js";
export { IdentityErrors } from "./errors.js";
export type { Identity } from "./views.js";
export type { IdentityType, IdentityRow } from "./tables.js";

export { enforceSendLimits, enqueueCode } from "./delivery.js";
export { IdentitySchema } from "./schemas.js";
export { identityTemplates } from "./templates.js";
export { createIdentityRateRules } from "./rate-rules.js";

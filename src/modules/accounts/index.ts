/**
 * accounts — users and their identities: registration with a password, passwordless users, email
 * addresses and phone numbers (normalised, verified by code or link, added and removed), email
 * confirmation, email change held until confirmed, lookups by id, subject, email, phone or username,
 * availability checks, username reminders, and the signed-in user's profile. Password rules live in
 * passwords/; sessions, codes and tokens live in sessions/ and tokens/.
 */
export { createUserWrites, type UpdateUserRow } from "./user-writes.js";
export { createAccountsService, type AccountsService, type RegistrationInput, type RegistrationOptions } from "./service.js";
export { createIdentitiesService, type IdentitiesService, type IdentitiesConfig, type SignInIdentity, type VerificationMethod } from "./identities.js";
export type { EmailChange } from "./email-change.js";
export { accountsRoutes } from "./routes.js";
export { identitiesRoutes } from "./identities-routes.js";
export { AccountErrors, identityValueErrors } from "./errors.js";
export type { User, Identity, PublicProfile } from "./views.js";
export type { IdentityType, IdentityRow } from "./tables.js";
export { normalizeEmail, normalizePhone, normalizeIdentity, type IdentityInput, type NormalizedIdentity } from "./identity-values.js";
export { enforceSendLimits, enqueueCode } from "./identity-delivery.js";
export { EmailInput, UsernameInput, IdentityTypeInput, IdentityValueInput, CodeInput, UserSchema, IdentitySchema, exampleUser } from "./schemas.js";

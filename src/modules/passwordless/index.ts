/**
 * passwordless — signing in without a password: magic links by email and numeric codes by email
 * or SMS, each signing in the identity's user or registering a passwordless one. Identities are
 * accounts'; codes and links are stored by tokens/; sessions are started by sessions/. It never
 * reveals whether an identity has an account.
 */
export { createPasswordlessService, type PasswordlessService, type PasswordlessConfig, type PasswordlessSignIn } from "./service.js";
export { passwordlessRoutes } from "./routes.js";
export { PasswordlessErrors } from "./errors.js";
export { passwordlessTemplates } from "./templates.js";

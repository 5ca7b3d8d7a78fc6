/**
 * accounts — users: registration with a password, email confirmation, lookups by id, subject,
 * email or username (all case-insensitive), username reminders, and the signed-in user's profile.
 * Password rules live in passwords/; sessions and tokens live in sessions/ and tokens/.
 */
export { createAccountsService, type AccountsService, type RegistrationInput } from "./service.js";
export { accountsRoutes } from "./routes.js";
export { AccountErrors } from "./errors.js";
export type { User } from "./views.js";
export { EmailInput, UsernameInput } from "./schemas.js";

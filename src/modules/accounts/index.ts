/**
 * accounts — users: registration with a password, the user row and its one writer, lookups by id,
 * subject and username, availability checks, username reminders, and the signed-in user's profile.
 * Email addresses and phone numbers are identities'; passwords are authenticators'.
 */
export { createUserRows, type UserRows, type UpdateUserRow } from "./user-rows.js";
export { createAccountsService, type AccountsService, type RegistrationInput, type RegistrationOptions } from "./service.js";
export { accountsRoutes } from "./routes.js";
export { AccountErrors, registrationErrors } from "./errors.js";
export { toUser, type User, type PublicProfile } from "./views.js";
export { usersTable, type UserRow } from "./tables.js";
export { UserSchema, exampleUser } from "./schemas.js";
export { accountTemplates } from "./templates.js";
export { createAccountRateRules } from "./rate-rules.js";

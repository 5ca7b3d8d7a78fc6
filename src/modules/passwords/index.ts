/**
 * passwords — changing a password with the current one, and resetting a forgotten one by emailed
 * link or by code. The password policy, hashing and verification are the authenticators module's;
 * this module decides what a change proves and what it ends (sessions, reset links, mail).
 */
export { createPasswordsService, type PasswordsService } from "./service.js";
export { passwordsRoutes } from "./routes.js";
export { PasswordErrors } from "./errors.js";
export { passwordTemplates } from "./templates.js";

/**
 * passwords — the password policy (NIST SP 800-63B-4: length, blocklist, no personal data, not
 * guessable by zxcvbn's patterns, no composition rules), changing a password, and resetting it by
 * emailed link or code. Hashing itself is the kernel's (argon2id); this module decides when a
 * password is acceptable and what a change ends.
 */
export { createPasswordsService, type PasswordsService } from "./service.js";
export { passwordsRoutes } from "./routes.js";
export { PasswordErrors, passwordPolicyErrors } from "./errors.js";
export { checkNewPassword, isPasswordTooLong, normalizePassword, PASSWORD_MAX_LENGTH } from "./policy.js";

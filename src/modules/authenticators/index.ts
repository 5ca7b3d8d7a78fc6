/**
 * authenticators — how a user proves who they are: the password policy (NIST SP 800-63B-4 length,
 * blocklist, personal data, zxcvbn guessability, no composition rules), argon2id hashing through
 * the kernel's hasher, verification with equal work when there is no hash, rehashing, and the only
 * writer of password hashes. TOTP, passkeys and recovery codes belong here next. It starts no
 * session and sends no mail: sign-in flows call it, then the one sign-in path.
 */
export { createAuthenticatorsService, type AuthenticatorsService, type PasswordHolder } from "./service.js";
export { AuthenticatorErrors, passwordPolicyErrors } from "./errors.js";
export { checkNewPassword, checkConfirmation, isPasswordTooLong, normalizePassword, PASSWORD_MAX_LENGTH, type PasswordContext } from "./password-policy.js";

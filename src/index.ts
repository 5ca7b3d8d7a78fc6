/**
 * Gatehouse as a library: `createGatehouse(loadConfig(env))` returns typed services; `buildServer`
 * serves them over HTTP.
 */
export { createGatehouse, type Gatehouse, type GatehouseOptions } from "./gatehouse.js";
export { buildServer } from "./server.js";
export { loadConfig, ConfigError, type Config } from "./kernel/config/load-config.js";
export { AppError } from "./kernel/errors/app-error.js";
export type { Clock } from "./kernel/time/clock.js";
export type { MailTransport, EmailEnvelope } from "./kernel/mail/message.js";
export type { RequestContext } from "./kernel/http/request-context.js";
export type { User, AccountsService, PublicProfile } from "./modules/accounts/index.js";
export type { Identity, IdentitiesService, IdentityType, VerificationMethod } from "./modules/identities/index.js";
export type { IdentityInput } from "./kernel/addresses/normalize.js";
export type { PasswordlessService, PasswordlessSignIn } from "./modules/passwordless/index.js";
export type { Session, SessionGrant, SessionsService, SignInProof, FailedSignIn, Reauthentication, Reauthenticated } from "./modules/sessions/index.js";
export type { Principal } from "./kernel/http/principal.js";
export type { PasswordsService } from "./modules/passwords/index.js";
export type { AuthenticatorsService, PasswordHolder, PasswordContext } from "./modules/authenticators/index.js";
export { checkNewPassword } from "./modules/authenticators/index.js";
export type { SigningKeys, RotationResult } from "./kernel/signing-keys/signing-keys.js";
export type { Keyring } from "./kernel/crypto/keyring.js";
export type { TokenStore, StoredToken, AccessTokens, AccessTokenClaims, MagicCodes, CodeCheck, CodeIssue } from "./modules/tokens/index.js";
export { TokenPurposes, CodePurposes } from "./modules/tokens/index.js";
export type { LoginHistoryService, LoginAttempt } from "./modules/login-history/index.js";
export type { AuditService } from "./modules/audit/index.js";

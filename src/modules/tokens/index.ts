/**
 * tokens — the token store (single-use secrets for a purpose, revocation by token or jti, expiry,
 * changes held until confirmed), short numeric codes scoped to their recipient with attempt limits,
 * the JWKS of the kernel's signing keys, and access-token issue/verify. It knows no
 * users or sessions: callers pass subjects and session ids.
 */
export { createTokenStore, TokenPurposes, type TokenStore, type StoredToken, type TokenReference } from "./token-store.js";
export {
  createMagicCodes,
  CodePurposes,
  codeFailure,
  codeLocked,
  type MagicCodes,
  type MagicCodesConfig,
  type CodeCheck,
  type CodeIssue,
  type CodeRecipient,
} from "./magic-codes.js";
export { createAccessTokens, type AccessTokens, type AccessTokenClaims, type IssuedAccessToken } from "./access-tokens.js";
export { createRevokedTokenIds, type RevokedTokenIds } from "./revoked-token-ids.js";
export { tokensRoutes } from "./routes.js";
export { TokenErrors, codeErrors } from "./errors.js";

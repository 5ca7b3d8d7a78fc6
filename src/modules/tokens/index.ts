/**
 * tokens — the token store (single-use secrets for a purpose, revocation by token or jti, expiry),
 * the signing keys of access tokens with their JWKS, and access-token issue/verify. It knows no
 * users or sessions: callers pass subjects and session ids.
 */
export { createTokenStore, TokenPurposes, type TokenStore, type StoredToken, type TokenReference } from "./token-store.js";
export { createSigningKeys, type SigningKeys } from "./signing-keys.js";
export { createAccessTokens, type AccessTokens, type AccessTokenClaims, type IssuedAccessToken } from "./access-tokens.js";
export { tokensRoutes } from "./routes.js";
export { TokenErrors } from "./errors.js";

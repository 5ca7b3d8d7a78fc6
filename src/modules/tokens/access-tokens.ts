import { errors as joseErrors, jwtVerify, SignJWT, type JWTHeaderParameters } from "jose";
import { generateId } from "../../kernel/crypto/random.js";
import { AppError } from "../../kernel/errors/app-error.js";
import { addSeconds, epochSeconds, type Clock } from "../../kernel/time/clock.js";
import { TokenErrors } from "./errors.js";
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_CLOCK_TOLERANCE_SECONDS, type SigningKeys } from "../../kernel/signing-keys/signing-keys.js";

/** RFC 9068 media type of a JWT access token. */
const ACCESS_TOKEN_TYPE = "at+jwt";

export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  /** When the user last proved who they are in this session (OpenID Connect `auth_time`), epoch seconds. */
  auth_time?: number;
  roles: string[];
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresAt: Date;
  expiresInSeconds: number;
}

export interface AccessTokens {
  issue(input: { subject: string; sessionId: string; roles: string[]; authenticatedAt: Date }): Promise<IssuedAccessToken>;
  /** Verifies signature, algorithm, type, issuer, audience and expiry. Throws `invalid_token`. */
  verify(token: string): Promise<AccessTokenClaims>;
}

export function createAccessTokens(deps: { keys: SigningKeys; clock: Clock; issuer: string; audience: string; ttlSeconds: number }): AccessTokens {
  const { keys, clock, issuer, audience, ttlSeconds } = deps;
  const invalid = (cause?: unknown) => new AppError(TokenErrors.invalid_token, { cause });

  const resolveKey = async (header: JWTHeaderParameters) => {
    // Keys come only from our own key set: a token may not point at its own key (jku, jwk, x5u, x5c).
    if (header.jku !== undefined || header.jwk !== undefined || header.x5u !== undefined || header.x5c !== undefined) throw invalid();
    if (typeof header.kid !== "string") throw invalid();
    const key = await keys.verificationKey(header.kid);
    // The algorithm is pinned per key: a token for this kid must use the key's own algorithm.
    if (!key || header.alg !== key.alg) throw invalid();
    return key.publicKey;
  };

  return {
    async issue({ subject, sessionId, roles, authenticatedAt }) {
      const key = await keys.current();
      const now = clock.now();
      const expiresAt = addSeconds(now, ttlSeconds);
      const jti = generateId();
      const token = await new SignJWT({ sid: sessionId, auth_time: epochSeconds(authenticatedAt), roles })
        .setProtectedHeader({ alg: key.alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(subject)
        .setJti(jti)
        .setIssuedAt(epochSeconds(now))
        .setExpirationTime(epochSeconds(expiresAt))
        .sign(key.privateKey);
      return { token, jti, expiresAt, expiresInSeconds: ttlSeconds };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, resolveKey, {
          algorithms: [ACCESS_TOKEN_ALGORITHM],
          typ: ACCESS_TOKEN_TYPE,
          issuer,
          audience,
          clockTolerance: ACCESS_TOKEN_CLOCK_TOLERANCE_SECONDS,
          currentDate: clock.now(),
          requiredClaims: ["sub", "sid", "jti", "iat", "exp"],
        });
        if (typeof payload.sid !== "string" || !Array.isArray(payload.roles)) throw invalid();
        if (payload.auth_time !== undefined && typeof payload.auth_time !== "number") throw invalid();
        return payload as unknown as AccessTokenClaims;
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (error instanceof joseErrors.JOSEError || error instanceof TypeError) throw invalid(error);
        throw invalid(error);
      }
    },
  };
}

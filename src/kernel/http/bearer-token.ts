import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * A check of `Authorization: Bearer <token>` against one configured secret. Both sides are hashed
 * before the constant-time comparison, so neither the token's bytes nor its length leak through
 * timing (as in modules/admin/admin-token.ts).
 */
export function createBearerTokenCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer (\S+)$/i.exec(authorization?.trim() ?? "");
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  };
}

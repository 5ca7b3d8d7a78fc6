import { createHash, randomBytes, randomInt } from "node:crypto";
import { v7 as uuidv7 } from "uuid";

/**
 * The one place Gatehouse produces randomness. Bearer secrets carry 256 bits from the OS CSPRNG,
 * well above the 128-bit floor in ARCHITECTURE.md, encoded base64url so they travel in URLs.
 */
export function generateSecretToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** Time-ordered UUID (RFC 9562 v7) for primary keys: index-friendly and unguessable enough for ids. */
export function generateId(): string {
  return uuidv7();
}

/** A numeric code of `digits` digits with uniform distribution (no modulo bias). */
export function generateNumericCode(digits: number): string {
  return randomInt(0, 10 ** digits)
    .toString()
    .padStart(digits, "0");
}

export function randomKeyBytes(length: number): Buffer {
  return randomBytes(length);
}

/** SHA-256 hex digest: how every bearer secret is stored (only the digest, never the secret). */
export function digestToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

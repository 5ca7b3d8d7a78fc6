import { digestToken, generateId, generateSecretToken } from "../../kernel/crypto/random.js";
import type { Executor } from "../../kernel/db/database.js";
import { addSeconds, type Clock } from "../../kernel/time/clock.js";
import {
  consumeToken,
  deleteExpiredTokens,
  findLiveTokenFor,
  findToken,
  insertToken,
  listExpiredTokens,
  revokeTokenRow,
  revokeTokensForSubject,
} from "./store.js";
import type { TokenRow } from "./tables.js";

/** Purposes used by Gatehouse itself; library users may store tokens under their own. */
export const TokenPurposes = {
  emailConfirmation: "email_confirmation",
  passwordReset: "password_reset",
  signIn: "sign_in",
  revocation: "revocation",
  magicLink: "magic_link",
  /** A change of email address held until the new address confirms it (a confirmation change). */
  emailChange: "email_change",
} as const;

export type StoredToken = TokenRow;

/** A token to look up: by its secret value or by its jti. */
export type TokenReference = { token: string } | { jti: string };

/**
 * The token store (Ash `Token` resource): secrets kept for a purpose, with subject and extra data,
 * single-use consumption, revocation by token or jti, and expiry. Only SHA-256 digests are stored.
 * Every method takes the executor first so it joins the caller's transaction.
 */
export interface TokenStore {
  /** Generates a random secret (256 bits), stores its digest and returns the secret, once. */
  issue(
    executor: Executor,
    input: { purpose: string; subject: string | null; ttlSeconds: number; extraData?: Record<string, unknown> },
  ): Promise<{ token: string; jti: string; expiresAt: Date }>;
  /** Stores a token made elsewhere (e.g. a JWT) for a purpose (Ash `store_token`). */
  store(
    executor: Executor,
    input: { token: string; jti?: string; purpose: string; subject?: string; expiresAt: Date; extraData?: Record<string, unknown> },
  ): Promise<StoredToken>;
  /** Looks a token up by value or jti, optionally for one purpose (Ash `get_token`); null when unknown. */
  get(executor: Executor, reference: TokenReference, purpose?: string): Promise<StoredToken | null>;
  /** Uses a live token once: null when unknown, expired, revoked, already used or of another purpose. */
  consume(executor: Executor, token: string, purpose: string): Promise<StoredToken | null>;
  /** Revokes a token; for one never stored (a JWT), records a revocation by its jti (Ash `revoke_token`). */
  revoke(executor: Executor, reference: TokenReference, options?: { expiresAt?: Date }): Promise<void>;
  /** True when the token or jti has been revoked (Ash `revoked?`). */
  isRevoked(executor: Executor, reference: TokenReference): Promise<boolean>;
  /** Revokes every live token of a purpose for a subject (e.g. other reset links after a reset). */
  revokeAllFor(executor: Executor, subject: string, purpose: string): Promise<number>;
  /**
   * Holds changes until they are confirmed (Ash `store_confirmation_changes`): issues a token for
   * `purpose` whose extra data carries `changes`; nothing is applied until the token is consumed.
   */
  storeConfirmationChanges(
    executor: Executor,
    input: { purpose: string; subject: string; changes: Record<string, unknown>; ttlSeconds: number },
  ): Promise<{ token: string; jti: string; expiresAt: Date }>;
  /** The changes held by a live confirmation token, by jti (Ash `get_confirmation_changes`); null otherwise. */
  getConfirmationChanges(executor: Executor, jti: string): Promise<Record<string, unknown> | null>;
  /** The newest live token of a purpose for a subject (e.g. a pending email change); null when none. */
  findLiveFor(executor: Executor, subject: string, purpose: string): Promise<StoredToken | null>;
  /** Tokens past their expiry (Ash `read_expired`). */
  readExpired(executor: Executor, limit?: number): Promise<StoredToken[]>;
  /** Deletes tokens past their expiry (Ash `expunge_expired`). */
  expungeExpired(executor: Executor): Promise<number>;
}

const byReference = (reference: TokenReference) => ("token" in reference ? { tokenHash: digestToken(reference.token) } : { jti: reference.jti });

// Revocation records outlive any token they could name; the expunge job removes them after this.
const DEFAULT_REVOCATION_TTL_SECONDS = 400 * 86_400;

export function createTokenStore(deps: { clock: Clock }): TokenStore {
  const { clock } = deps;
  const issue: TokenStore["issue"] = async (executor, input) => {
    const token = generateSecretToken();
    const now = clock.now();
    const row = await insertToken(executor, {
      id: generateId(),
      jti: generateId(),
      tokenHash: digestToken(token),
      purpose: input.purpose,
      subject: input.subject,
      extraData: input.extraData ?? {},
      expiresAt: addSeconds(now, input.ttlSeconds),
      createdAt: now,
    });
    return { token, jti: row.jti, expiresAt: row.expiresAt };
  };

  return {
    issue,
    store: (executor, input) =>
      insertToken(executor, {
        id: generateId(),
        jti: input.jti ?? generateId(),
        tokenHash: digestToken(input.token),
        purpose: input.purpose,
        subject: input.subject ?? null,
        extraData: input.extraData ?? {},
        expiresAt: input.expiresAt,
        createdAt: clock.now(),
      }),
    get: (executor, reference, purpose) => findToken(executor, { ...byReference(reference), purpose }),
    consume: (executor, token, purpose) => consumeToken(executor, digestToken(token), purpose, clock.now()),
    async revoke(executor, reference, options = {}) {
      const existing = await findToken(executor, byReference(reference));
      const now = clock.now();
      if (existing) return revokeTokenRow(executor, existing.id, now);
      await insertToken(executor, {
        id: generateId(),
        jti: "jti" in reference ? reference.jti : generateId(),
        tokenHash: "token" in reference ? digestToken(reference.token) : null,
        purpose: TokenPurposes.revocation,
        expiresAt: options.expiresAt ?? addSeconds(now, DEFAULT_REVOCATION_TTL_SECONDS),
        revokedAt: now,
        createdAt: now,
      });
    },
    async isRevoked(executor, reference) {
      const row = await findToken(executor, byReference(reference));
      return row?.revokedAt != null;
    },
    storeConfirmationChanges: (executor, input) =>
      issue(executor, { purpose: input.purpose, subject: input.subject, ttlSeconds: input.ttlSeconds, extraData: { changes: input.changes } }),
    async getConfirmationChanges(executor, jti) {
      const row = await findToken(executor, { jti });
      if (!row || row.consumedAt || row.revokedAt || row.expiresAt <= clock.now()) return null;
      const changes = row.extraData.changes;
      return changes && typeof changes === "object" ? (changes as Record<string, unknown>) : null;
    },
    findLiveFor: (executor, subject, purpose) => findLiveTokenFor(executor, subject, purpose, clock.now()),
    revokeAllFor: (executor, subject, purpose) => revokeTokensForSubject(executor, subject, purpose, clock.now()),
    readExpired: (executor, limit = 1000) => listExpiredTokens(executor, clock.now(), limit),
    expungeExpired: (executor) => deleteExpiredTokens(executor, clock.now()),
  };
}

import type { HashRequester, PasswordHasher } from "../../kernel/crypto/password-hasher.js";
import type { Executor } from "../../kernel/db/database.js";
import { AppError } from "../../kernel/errors/app-error.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import type { Clock } from "../../kernel/time/clock.js";
import type { UpdateUserRow } from "../accounts/index.js";
import { AuthenticatorErrors } from "./errors.js";
import { checkConfirmation, checkNewPassword, isPasswordTooLong, normalizePassword, type PasswordContext } from "./password-policy.js";

/** The stored credential a verification reads: a user's id and password hash (null: no password). */
export interface PasswordHolder {
  id: string;
  passwordHash: string | null;
}

export interface AuthenticatorsService {
  /**
   * Checks a new password (and its confirmation) against the policy and hashes it, off the event
   * loop. Throws the policy's codes, password_confirmation_mismatch, server_busy.
   */
  hashNewPassword(input: { password: string; confirmation: string; personal?: PasswordContext }, requester: HashRequester): Promise<string>;
  /**
   * True when `password` is `holder`'s. The same hash work is spent whether or not a hash exists
   * (or the holder at all), so the answer time says nothing about the account; an over-long
   * password is refused without hashing. `rehashed`: a new hash when the stored one is weaker than
   * today's parameters, for the caller to store with `setPassword` once the sign-in succeeds.
   */
  verifyPassword(holder: PasswordHolder | null, password: string, requester: HashRequester): Promise<{ ok: boolean; rehashed: string | null }>;
  /**
   * Checks the current password of a signed-in user before a change, counted on the account's
   * sign-in counter (guesses here are sign-in guesses). Throws invalid_current_password, rate_limited.
   */
  verifyCurrentPassword(holder: PasswordHolder, password: string | undefined, requester: HashRequester): Promise<void>;
  /** Stores a password hash made by `hashNewPassword` or `verifyPassword`, in the caller's transaction. */
  setPassword(executor: Executor, userId: string, passwordHash: string): Promise<void>;
  /** Removes the password (a claimed account's, set without proof of its address). */
  clearPassword(executor: Executor, userId: string): Promise<void>;
}

/**
 * The only module that knows how a user proves who they are: the password policy, hashing,
 * verification with equal work, rehashing, and the only writer of password hashes. TOTP, passkeys
 * and recovery codes join it. Other modules call it; it calls nobody's service.
 */
export function createAuthenticatorsService(deps: {
  clock: Clock;
  hasher: PasswordHasher;
  limiter: RateLimiter;
  rules: RateRules;
  updateUserRow: UpdateUserRow;
  config: { passwordMinLength: number };
}): AuthenticatorsService {
  const { clock, hasher, limiter, rules, updateUserRow, config } = deps;

  const verifyPassword: AuthenticatorsService["verifyPassword"] = async (holder, password, requester) => {
    if (isPasswordTooLong(password)) return { ok: false, rehashed: null };
    const normalized = normalizePassword(password);
    if (!holder?.passwordHash) {
      await hasher.verifyAgainstNothing(normalized, requester);
      return { ok: false, rehashed: null };
    }
    if (!(await hasher.verify(holder.passwordHash, normalized, requester))) return { ok: false, rehashed: null };
    return { ok: true, rehashed: hasher.needsRehash(holder.passwordHash) ? await hasher.hash(normalized, requester) : null };
  };

  const writeHash = async (executor: Executor, userId: string, passwordHash: string | null) => {
    await updateUserRow(executor, userId, { passwordHash, updatedAt: clock.now() });
  };

  return {
    async hashNewPassword({ password, confirmation, personal }, requester) {
      checkConfirmation(password, confirmation);
      return hasher.hash(checkNewPassword(password, config.passwordMinLength, personal), requester);
    },

    verifyPassword,

    async verifyCurrentPassword(holder, password, requester) {
      const accountKey = `user:${holder.id}`;
      await limiter.enforce([[rules.signInPerAccount, accountKey]]);
      const { ok } = password === undefined ? { ok: false } : await verifyPassword(holder, password, requester);
      if (!ok) throw new AppError(AuthenticatorErrors.invalid_current_password);
      await limiter.reset(rules.signInPerAccount, accountKey);
    },

    setPassword: writeHash,
    clearPassword: (executor, userId) => writeHash(executor, userId, null),
  };
}

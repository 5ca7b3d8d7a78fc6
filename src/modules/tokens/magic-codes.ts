import { createHmac, timingSafeEqual } from "node:crypto";
import { generateId, generateNumericCode } from "../../kernel/crypto/random.js";
import { AppError } from "../../kernel/errors/app-error.js";
import type { Executor } from "../../kernel/db/database.js";
import { addSeconds, type Clock } from "../../kernel/time/clock.js";
import { deleteIdleMagicCodes, insertMagicCodeIfAbsent, lockMagicCode, updateMagicCode } from "./store.js";
import { TokenErrors } from "./errors.js";
import type { MagicCodeRow } from "./tables.js";

/** Purposes of codes sent by Gatehouse. A code of one purpose never satisfies another. */
export const CodePurposes = {
  signIn: "sign_in",
  identityVerification: "identity_verification",
  passwordRecovery: "password_recovery",
  /** A fresh proof of identity inside a session: sent to one of the user's identities, kept under the session's id. */
  reauthentication: "reauthentication",
} as const;

/** Where a code was sent: the channel (email, phone) and the normalised address or number. */
export interface CodeRecipient {
  channel: string;
  recipient: string;
}

export type CodeIssue = { issued: true; code: string; expiresAt: Date } | { issued: false; retryAfterSeconds: number };

export type CodeCheck =
  { ok: true; extraData: Record<string, unknown> } | { ok: false; reason: "invalid" } | { ok: false; reason: "locked"; retryAfterSeconds: number };

export const codeLocked = (retryAfterSeconds: number) => new AppError(TokenErrors.too_many_code_attempts, { retryAfterSeconds });

/** The error of a refused code: too_many_code_attempts (429, Retry-After) while locked, else invalid_code. */
export function codeFailure(check: CodeCheck): AppError {
  return !check.ok && check.reason === "locked" ? codeLocked(check.retryAfterSeconds) : new AppError(TokenErrors.invalid_code);
}

/**
 * Short numeric codes (EzAuth magic codes): low entropy, so they are only ever looked up scoped to
 * the recipient they were sent to, for one purpose, and guessing is bounded twice: a code dies after
 * `maxAttempts` wrong guesses, and the same number of failures across codes locks the recipient's
 * codes of that purpose. Each lockout lasts twice as long as the one before (from `lockoutSeconds`
 * up to `lockoutMaxSeconds`), so an attacker's rate falls to `maxAttempts` guesses per longest
 * lockout. Requesting a new code replaces the previous one (only the latest works); neither that nor
 * the end of a lockout clears the failures or the lockouts: only a correct code does.
 *
 * Both methods take the caller's executor and lock the row for the rest of its transaction, so
 * concurrent guesses are counted one after the other. A caller must commit the transaction of a
 * failed `verify`, or the failure is not counted: return the outcome from the transaction and
 * throw after it.
 */
export interface MagicCodes {
  /** Issues a new code (replacing any live one), or refuses while the recipient is locked. */
  issue(executor: Executor, input: CodeRecipient & { purpose: string; ttlSeconds: number; extraData?: Record<string, unknown> }): Promise<CodeIssue>;
  /** Checks a code in constant time; consumes it on success and clears the failures and lockouts. */
  verify(executor: Executor, input: CodeRecipient & { purpose: string; code: string }): Promise<CodeCheck>;
  /**
   * Deletes rows with no live code and no running lockout, once they carry no failures, or once
   * they have been idle for `lockoutMemorySeconds`.
   */
  expunge(executor: Executor): Promise<number>;
}

export interface MagicCodesConfig {
  length: number;
  maxAttempts: number;
  /** The first lockout. */
  lockoutSeconds: number;
  /** The longest lockout: the doubling stops here. */
  lockoutMaxSeconds: number;
}

/** The n-th lockout since the last correct code (n ≥ 1): the first lasts `lockoutSeconds`, each next one twice as long, up to the cap. */
export function lockoutSecondsFor(lockouts: number, config: Pick<MagicCodesConfig, "lockoutSeconds" | "lockoutMaxSeconds">): number {
  return Math.min(config.lockoutSeconds * 2 ** Math.max(0, lockouts - 1), config.lockoutMaxSeconds);
}

/**
 * How long a row that remembers failures is kept after its last use. Forgetting restarts the
 * doubling, so waiting for it must not pay: an attacker who never waits settles at `maxAttempts`
 * guesses per cap; one who stops after n lockouts and waits to be forgotten gets n × `maxAttempts`
 * guesses per (first n − 1 lockouts + this period). The second is never faster once this period is
 * n caps, n being the first lockout that reaches the cap: (doublings to the cap + 1) caps, 6 days
 * with the defaults (an hour doubling to a day).
 */
export function lockoutMemorySeconds(config: Pick<MagicCodesConfig, "lockoutSeconds" | "lockoutMaxSeconds">): number {
  const doublings = Math.max(0, Math.ceil(Math.log2(config.lockoutMaxSeconds / config.lockoutSeconds)));
  return (doublings + 1) * config.lockoutMaxSeconds;
}

export function createMagicCodes(deps: { clock: Clock; key: Buffer; config: MagicCodesConfig }): MagicCodes {
  // A keyed hash (the key derived for this purpose only, keyring.ts): a copy of the table alone does
  // not give the codes back, as a plain SHA-256 of a six-digit code would after a million guesses.
  const { clock, config, key } = deps;
  // Purpose and recipient are in the MAC too: a hash copied to another row matches nothing there.
  const codeHash = (purpose: string, to: CodeRecipient, code: string) =>
    createHmac("sha256", key).update(`${purpose}\n${to.channel}\n${to.recipient}\n${code}`, "utf8").digest();

  const secondsUntil = (date: Date | null) => Math.max(1, Math.ceil(((date?.getTime() ?? 0) - clock.now().getTime()) / 1000));
  // `failures_reset_at` is the end of the current (or last) lockout.
  const isLocked = (row: MagicCodeRow, now: Date) => row.failedAttempts >= config.maxAttempts && row.failuresResetAt !== null && row.failuresResetAt > now;
  /** Failures that count towards the next lockout: a lockout that has run out starts the count again. */
  const failuresSoFar = (row: MagicCodeRow, now: Date) => (row.failedAttempts >= config.maxAttempts && !isLocked(row, now) ? 0 : row.failedAttempts);
  const memorySeconds = lockoutMemorySeconds(config);

  /** The row of (purpose, recipient), created empty if absent, locked for this transaction. */
  const lockedRow = async (executor: Executor, purpose: string, to: CodeRecipient): Promise<MagicCodeRow> => {
    const now = clock.now();
    await insertMagicCodeIfAbsent(executor, { id: generateId(), purpose, channel: to.channel, recipient: to.recipient, createdAt: now, updatedAt: now });
    return (await lockMagicCode(executor, purpose, to.channel, to.recipient))!;
  };

  return {
    async issue(executor, input) {
      const now = clock.now();
      const row = await lockedRow(executor, input.purpose, input);
      if (isLocked(row, now)) return { issued: false, retryAfterSeconds: secondsUntil(row.failuresResetAt) };
      const code = generateNumericCode(config.length);
      const expiresAt = addSeconds(now, input.ttlSeconds);
      // Failures and lockouts outlive codes: a new code leaves them as they are.
      await updateMagicCode(executor, row.id, {
        codeHash: codeHash(input.purpose, input, code).toString("hex"),
        extraData: input.extraData ?? {},
        expiresAt,
        codeAttempts: 0,
        updatedAt: now,
      });
      return { issued: true, code, expiresAt };
    },

    async verify(executor, input) {
      const now = clock.now();
      const row = await lockedRow(executor, input.purpose, input);
      if (isLocked(row, now)) return { ok: false, reason: "locked", retryAfterSeconds: secondsUntil(row.failuresResetAt) };

      const presented = codeHash(input.purpose, input, input.code.trim());
      // Compared in constant time against the stored MAC, or against a dummy when there is no live
      // code, so the answer time does not tell whether a code exists for this recipient.
      const stored = row.codeHash ? Buffer.from(row.codeHash, "hex") : Buffer.alloc(presented.length);
      const matches = timingSafeEqual(stored, presented);
      const live = row.codeHash !== null && row.expiresAt !== null && row.expiresAt > now && row.codeAttempts < config.maxAttempts;
      if (matches && live) {
        await updateMagicCode(executor, row.id, {
          codeHash: null,
          expiresAt: null,
          codeAttempts: 0,
          failedAttempts: 0,
          failuresResetAt: null,
          lockouts: 0,
          updatedAt: now,
        });
        return { ok: true, extraData: row.extraData };
      }

      // Every wrong answer counts, whether or not a code was live (or an account exists): the
      // lock then behaves the same for every recipient and says nothing about either. Failures do
      // not expire with time, or an attacker could pace guesses just under the limit forever.
      const failedAttempts = failuresSoFar(row, now) + 1;
      const codeAttempts = row.codeAttempts + 1;
      const locks = failedAttempts >= config.maxAttempts;
      const lockouts = locks ? row.lockouts + 1 : row.lockouts;
      const dead = codeAttempts >= config.maxAttempts || locks;
      await updateMagicCode(executor, row.id, {
        codeAttempts,
        failedAttempts,
        ...(locks ? { lockouts, failuresResetAt: addSeconds(now, lockoutSecondsFor(lockouts, config)) } : {}),
        ...(dead ? { codeHash: null, expiresAt: null } : {}),
        updatedAt: now,
      });
      return { ok: false, reason: "invalid" };
    },

    expunge: (executor) => {
      const now = clock.now();
      return deleteIdleMagicCodes(executor, now, addSeconds(now, -memorySeconds));
    },
  };
}

import type { Database, Executor } from "../../kernel/db/database.js";
import { AppError } from "../../kernel/errors/app-error.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Mailer } from "../../kernel/mail/mailer.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import type { Clock } from "../../kernel/time/clock.js";
import { type AccountsService } from "../accounts/index.js";
import { enforceSendLimits, enqueueCode, type IdentitiesService, type IdentityRow } from "../identities/index.js";
import { normalizeEmail, type IdentityInput } from "../../kernel/addresses/normalize.js";
import type { AuditService } from "../audit/index.js";
import type { SessionsService } from "../sessions/index.js";
import { codeFailure, CodePurposes, TokenPurposes, type MagicCodes, type TokenStore } from "../tokens/index.js";
import { AuthenticatorErrors, checkConfirmation, checkNewPassword, type AuthenticatorsService, type PasswordContext } from "../authenticators/index.js";
import { PasswordErrors } from "./errors.js";

export interface PasswordsDeps {
  db: Database;
  clock: Clock;
  authenticators: AuthenticatorsService;
  accounts: AccountsService;
  identities: IdentitiesService;
  codes: MagicCodes;
  sessions: SessionsService;
  tokens: TokenStore;
  mailer: Mailer;
  audit: AuditService;
  limiter: RateLimiter;
  rules: RateRules;
  config: { passwordMinLength: number; passwordResetTtlSeconds: number; codeTtlSeconds: number };
}

export interface PasswordsService {
  /**
   * Changes the password of a signed-in user after checking the current one, and revokes the
   * user's other sessions. Throws invalid_current_password, password policy errors.
   */
  change(
    input: { userId: string; sessionId: string; currentPassword: string; newPassword: string; newPasswordConfirmation: string },
    context: RequestContext,
  ): Promise<{ revokedSessions: number }>;
  /**
   * Emails a reset link when the login (email or username) names an account. Returns the same way
   * whether or not it does, so callers cannot learn which accounts exist. Throttled per login and IP.
   */
  requestReset(login: string, context: RequestContext): Promise<void>;
  /** Sets a new password with an emailed reset token (single use) and revokes every session. */
  completeReset(input: { token: string; password: string; passwordConfirmation: string }, context: RequestContext): Promise<void>;
  /**
   * Sends a recovery code to an email address or phone number (by email or SMS) when it belongs to
   * an account (EzAuth `request_password_recovery`). Returns the same way whether or not it does.
   * Throttled per identity and IP; throws invalid_email, invalid_phone_number, rate_limited.
   */
  requestRecoveryCode(identity: IdentityInput, context: RequestContext): Promise<void>;
  /**
   * Sets a new password with a recovery code sent to the identity and revokes every session. Throws
   * invalid_code, too_many_code_attempts, password policy errors.
   */
  completeRecoveryWithCode(input: IdentityInput & { code: string; password: string; passwordConfirmation: string }, context: RequestContext): Promise<void>;
}

export function createPasswordsService(deps: PasswordsDeps): PasswordsService {
  const { db, clock, authenticators, accounts, identities, codes, sessions, tokens, mailer, audit, limiter, rules, config } = deps;
  /** What a user's password may not contain. */
  const personalOf = (user: PasswordContext): PasswordContext => ({ email: user.email, username: user.username, name: user.name });

  /** After any reset: the owner is back in, so clear the sign-in throttle an attacker may have run up. */
  const clearSignInThrottles = (user: { id: string }) => limiter.reset(rules.signInPerAccount, `user:${user.id}`);

  /**
   * Verifies the identity a reset reached. When that is its first proof, the account passes to whoever
   * holds the identity: identities attached before the proof go (the reset replaces the password and
   * ends every session anyway).
   */
  const claimWith = async (tx: Executor, userId: string, identity: IdentityRow, context: RequestContext) => {
    const firstProof = identity.verifiedAt === null;
    await identities.markVerified(tx, identity);
    if (!firstProof) return;
    const removedIdentities = await identities.removeUnprovenIdentities(tx, userId, identity);
    await audit.record(tx, { action: "credentials.unverified_cleared", actorUserId: userId, subjectUserId: userId, data: { removedIdentities } }, context);
  };

  return {
    async change(input, context) {
      checkConfirmation(input.newPassword, input.newPasswordConfirmation);
      const user = await accounts.findRowById(db, input.userId);
      if (!user) throw new AppError(AuthenticatorErrors.invalid_current_password);
      await authenticators.verifyCurrentPassword(user, input.currentPassword, context);
      const passwordHash = await authenticators.hashNewPassword(
        { password: input.newPassword, confirmation: input.newPasswordConfirmation, personal: personalOf(user) },
        context,
      );
      const revokedSessions = await db.transaction(async (tx) => {
        await authenticators.setPassword(tx, user.id, passwordHash);
        const revoked = await sessions.revokeOthers(user.id, input.sessionId, context, tx);
        await tokens.revokeAllFor(tx, user.id, TokenPurposes.passwordReset);
        await audit.record(tx, { action: "password.changed", actorUserId: user.id, subjectUserId: user.id, data: { revokedSessions: revoked } }, context);
        if (user.email) await mailer.enqueue(tx, { to: user.email, template: "password-changed", variables: {} });
        return revoked;
      });
      mailer.dispatch();
      return { revokedSessions };
    },

    async requestReset(login, context) {
      const found = await identities.enforceMailLimits(db, login, context);
      // An account without an email address recovers by code on its phone instead.
      if (!found?.email) return;
      // Earlier links stay valid: a flood of requests by someone else cannot invalidate the owner's link.
      const queued = await db.transaction(async (tx) => {
        const user = await accounts.findRowById(tx, found.id);
        if (!user?.email) return false;
        const { token } = await tokens.issue(tx, { purpose: TokenPurposes.passwordReset, subject: user.id, ttlSeconds: config.passwordResetTtlSeconds });
        await mailer.enqueue(tx, {
          to: user.email,
          template: "password-reset",
          variables: { link: mailer.link("reset-password", { token }), ttlSeconds: config.passwordResetTtlSeconds },
        });
        await audit.record(tx, { action: "password.reset_requested", subjectUserId: user.id }, context);
        return true;
      });
      if (queued) mailer.dispatch();
    },

    async completeReset(input, context) {
      checkConfirmation(input.password, input.passwordConfirmation);
      const live = await tokens.get(db, { token: input.token }, TokenPurposes.passwordReset);
      const user = live?.subject ? await accounts.findRowById(db, live.subject) : null;
      if (!live || !user || live.consumedAt || live.revokedAt || live.expiresAt <= clock.now()) throw new AppError(PasswordErrors.invalid_reset_token);
      // Policy is checked before the token is spent, so a rejected password does not burn the link.
      const passwordHash = await authenticators.hashNewPassword(
        { password: input.password, confirmation: input.passwordConfirmation, personal: personalOf(user) },
        context,
      );
      const done = await db.transaction(async (tx) => {
        if (!(await tokens.consume(tx, input.token, TokenPurposes.passwordReset))) return false;
        await authenticators.setPassword(tx, user.id, passwordHash);
        // Following the emailed link proves control of the address: its identity is verified.
        const address = user.email ? normalizeEmail(user.email) : null;
        const identity = address ? await identities.findRow(tx, { type: "email", value: address }) : null;
        if (identity) await claimWith(tx, user.id, identity.identity, context);
        await tokens.revokeAllFor(tx, user.id, TokenPurposes.passwordReset);
        await sessions.revokeAll(user.id, context, "password_reset", tx);
        await audit.record(tx, { action: "password.reset", actorUserId: user.id, subjectUserId: user.id }, context);
        if (user.email) await mailer.enqueue(tx, { to: user.email, template: "password-changed", variables: {} });
        return true;
      });
      if (!done) throw new AppError(PasswordErrors.invalid_reset_token);
      await clearSignInThrottles(user);
      mailer.dispatch();
    },

    async requestRecoveryCode(input, context) {
      const identity = identities.normalize(input);
      await enforceSendLimits(limiter, rules, identity, CodePurposes.passwordRecovery, context);
      const queued = await db.transaction(async (tx) => {
        const found = await identities.findRow(tx, identity);
        if (!found) return false;
        const issued = await codes.issue(tx, {
          purpose: CodePurposes.passwordRecovery,
          channel: identity.type,
          recipient: identity.value,
          ttlSeconds: config.codeTtlSeconds,
          extraData: { userId: found.user.id },
        });
        // While wrong codes have locked this identity, nothing new is sent, and the answer stays the same.
        if (!issued.issued) return false;
        await enqueueCode(mailer, tx, identity, "recovery-code", { code: issued.code, ttlSeconds: config.codeTtlSeconds });
        await audit.record(tx, { action: "password.recovery_code_requested", subjectUserId: found.user.id, data: { type: identity.type } }, context);
        return true;
      });
      if (queued) mailer.dispatch();
    },

    async completeRecoveryWithCode(input, context) {
      await limiter.enforce([[rules.codeVerifyPerIp, context.ip]]);
      const identity = identities.normalize(input);
      // The checks that do not depend on the account run first and say nothing about it; the
      // personal-data check runs once the code has proven who is asking.
      const passwordHash = await authenticators.hashNewPassword({ password: input.password, confirmation: input.passwordConfirmation }, context);
      const outcome = await db.transaction(async (tx) => {
        const check = await codes.verify(tx, { purpose: CodePurposes.passwordRecovery, channel: identity.type, recipient: identity.value, code: input.code });
        if (!check.ok) return { check };
        const found = await identities.findRow(tx, identity);
        if (!found || found.user.id !== check.extraData.userId) return { check: { ok: false as const, reason: "invalid" as const } };
        const { user } = found;
        // Throwing here rolls the transaction back, so a refused password does not spend the code.
        checkNewPassword(input.password, config.passwordMinLength, personalOf(user));
        // The code reached the identity: that proves control of it.
        await claimWith(tx, user.id, found.identity, context);
        await authenticators.setPassword(tx, user.id, passwordHash);
        await tokens.revokeAllFor(tx, user.id, TokenPurposes.passwordReset);
        await sessions.revokeAll(user.id, context, "password_reset", tx);
        await audit.record(
          tx,
          { action: "password.reset", actorUserId: user.id, subjectUserId: user.id, data: { method: "recovery_code", type: identity.type } },
          context,
        );
        if (user.email) await mailer.enqueue(tx, { to: user.email, template: "password-changed", variables: {} });
        return { check, user };
      });
      if (!outcome.user) throw codeFailure(outcome.check);
      await clearSignInThrottles(outcome.user);
      mailer.dispatch();
    },
  };
}

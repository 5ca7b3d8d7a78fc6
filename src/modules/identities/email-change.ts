import { generateId } from "../../kernel/crypto/random.js";
import type { Database } from "../../kernel/db/database.js";
import { AppError } from "../../kernel/errors/app-error.js";
import { assertRecentAuthentication } from "../../kernel/http/principal.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Mailer } from "../../kernel/mail/mailer.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import type { Clock } from "../../kernel/time/clock.js";
import type { AuditService } from "../audit/index.js";
import type { AuthenticatorsService } from "../authenticators/index.js";
import { TokenPurposes, type TokenStore } from "../tokens/index.js";
import { IdentityErrors } from "./errors.js";
import { enforceSendLimits } from "./delivery.js";
import type { IdentityRecords } from "./records.js";
import { normalizeEmail, type IdentityInput, type NormalizedIdentity } from "../../kernel/addresses/normalize.js";
import { AccountErrors, toUser, type User, type UserRow } from "../accounts/index.js";
import { deleteIdentity, findIdentityWithUser, insertIdentity, updateIdentity } from "./store.js";

/**
 * A change of email address held until the new address confirms it (Ash
 * `store_confirmation_changes` / `get_confirmation_changes`): the change waits in the token store,
 * a link goes to the new address and a notice to the old one; only the link applies it.
 */
export interface EmailChange {
  /**
   * Holds a change of email address until the new address confirms it: a link to the new address,
   * a notice to the old one. Requires the current password when the account has one, else a recent
   * authentication (reauthenticate by code first). Silent when the new address belongs to another
   * account. Throws invalid_email, email_unchanged, invalid_current_password, reauthentication_required, rate_limited.
   */
  requestEmailChange(userId: string, input: { email: string; currentPassword?: string }, context: RequestContext): Promise<void>;
  /** Applies a held email change with the link's token. Throws invalid_email_change_token, identity_taken. */
  confirmEmailChange(token: string, context: RequestContext): Promise<User>;
  /** The email change waiting for confirmation (Ash `get_confirmation_changes`), if any. */
  pendingEmailChange(userId: string): Promise<{ email: string; expiresAt: Date } | null>;
}

export interface EmailChangeDeps {
  db: Database;
  clock: Clock;
  authenticators: AuthenticatorsService;
  tokens: TokenStore;
  mailer: Mailer;
  audit: AuditService;
  limiter: RateLimiter;
  rules: RateRules;
  records: IdentityRecords;
  normalize: (input: IdentityInput) => NormalizedIdentity;
  config: { emailChangeTtlSeconds: number; reauthenticationMaxAgeSeconds: number };
}

export function createEmailChange(deps: EmailChangeDeps): EmailChange {
  const { db, clock, authenticators, tokens, mailer, audit, limiter, rules, records, normalize, config } = deps;
  const { syncPrimaryEmail } = records;

  /**
   * The proof a change of address needs: the current password when the account has one (counted
   * like a sign-in, on the account's counter), else a recent proof of an identity of the account.
   */
  const checkProof = async (user: UserRow, currentPassword: string | undefined, context: RequestContext) => {
    if (user.passwordHash === null) return assertRecentAuthentication(context.principal, config.reauthenticationMaxAgeSeconds, clock.now());
    await authenticators.verifyCurrentPassword(user, currentPassword, context);
  };

  const requestEmailChange: EmailChange["requestEmailChange"] = async (userId, input, context) => {
    const identity = normalize({ type: "email", value: input.email });
    const user = await records.users.findById(db, userId);
    if (!user) throw new AppError(AccountErrors.user_not_found);
    if (user.email !== null && normalizeEmail(user.email) === identity.value) throw new AppError(IdentityErrors.email_unchanged);
    await checkProof(user, input.currentPassword, context);
    await enforceSendLimits(limiter, rules, identity, TokenPurposes.emailChange, context);
    const queued = await db.transaction(async (tx) => {
      const existing = await findIdentityWithUser(tx, "email", identity.value);
      if (existing && existing.user.id !== userId) return false;
      // One change at a time: a new request replaces the one waiting.
      await tokens.revokeAllFor(tx, userId, TokenPurposes.emailChange);
      const { token } = await tokens.storeConfirmationChanges(tx, {
        purpose: TokenPurposes.emailChange,
        subject: userId,
        changes: { email: input.email.trim(), from: user.email },
        ttlSeconds: config.emailChangeTtlSeconds,
      });
      const link = mailer.link("confirm-email-change", { token });
      await mailer.enqueue(tx, { to: identity.value, template: "email-change-confirm", variables: { link, ttlSeconds: config.emailChangeTtlSeconds } });
      if (user.email) await mailer.enqueue(tx, { to: user.email, template: "email-change-notice", variables: { newEmail: input.email.trim() } });
      await audit.record(tx, { action: "email_change.requested", actorUserId: userId, subjectUserId: userId }, context);
      return true;
    });
    if (queued) mailer.dispatch();
  };

  const confirmEmailChange: EmailChange["confirmEmailChange"] = async (token, context) => {
    const user = await db.transaction(async (tx) => {
      const stored = await tokens.consume(tx, token, TokenPurposes.emailChange);
      const changes = stored?.extraData.changes as { email?: unknown; from?: unknown } | undefined;
      const user = stored?.subject ? await records.users.lock(tx, stored.subject) : null;
      const email = typeof changes?.email === "string" ? changes.email : null;
      const next = email ? normalizeEmail(email) : null;
      // The change was asked of the address the account had then; if that has changed since, it is stale.
      if (!user || !email || !next || (changes?.from ?? null) !== user.email) return null;
      const existing = await findIdentityWithUser(tx, "email", next);
      if (existing && existing.user.id !== user.id) throw new AppError(IdentityErrors.identity_taken);
      const previous = user.email ? await findIdentityWithUser(tx, "email", normalizeEmail(user.email) ?? "") : null;
      if (previous && previous.identity.value !== next) await deleteIdentity(tx, previous.identity.id);
      if (existing) await updateIdentity(tx, existing.identity.id, { verifiedAt: existing.identity.verifiedAt ?? clock.now() });
      else await insertIdentity(tx, { id: generateId(), userId: user.id, type: "email", value: next, verifiedAt: clock.now(), createdAt: clock.now() });
      // The link reached the new address: it is confirmed as it becomes the primary one.
      await records.users.update(tx, user.id, { email, emailConfirmedAt: clock.now(), updatedAt: clock.now() });
      await audit.record(tx, { action: "email.changed", actorUserId: user.id, subjectUserId: user.id, data: { from: user.email, to: email } }, context);
      return syncPrimaryEmail(tx, user.id);
    });
    if (!user) throw new AppError(IdentityErrors.invalid_email_change_token);
    return toUser(user);
  };

  const pendingEmailChange: EmailChange["pendingEmailChange"] = async (userId) => {
    const stored = await tokens.findLiveFor(db, userId, TokenPurposes.emailChange);
    const changes = stored ? await tokens.getConfirmationChanges(db, stored.jti) : null;
    return stored && typeof changes?.email === "string" ? { email: changes.email, expiresAt: stored.expiresAt } : null;
  };

  return { requestEmailChange, confirmEmailChange, pendingEmailChange };
}

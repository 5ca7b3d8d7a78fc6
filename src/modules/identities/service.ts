import { AddressErrors } from "../../kernel/addresses/errors.js";
import type { AuthenticatorsService } from "../authenticators/index.js";
import type { Database, Executor } from "../../kernel/db/database.js";
import { AppError } from "../../kernel/errors/app-error.js";
import { assertRecentAuthentication } from "../../kernel/http/principal.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Mailer } from "../../kernel/mail/mailer.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import type { Clock } from "../../kernel/time/clock.js";
import type { AuditService } from "../audit/index.js";
import { codeFailure, codeLocked, CodePurposes, TokenPurposes, type MagicCodes, type TokenStore } from "../tokens/index.js";
import { IdentityErrors } from "./errors.js";
import { createEmailChange, type EmailChange } from "./email-change.js";
import { enforceSendLimits, enqueueCode, enqueueOnChannel } from "./delivery.js";
import { createIdentityRecords, type SignInIdentity } from "./records.js";
import { normalizeEmail, normalizeIdentity, phoneRegionOf, type IdentityInput, type NormalizedIdentity } from "../../kernel/addresses/normalize.js";
import { toUser, type User, type UserRow, type UserRows } from "../accounts/index.js";
import { generateId } from "../../kernel/crypto/random.js";
import { createLogins } from "./logins.js";
import { deleteIdentity, findIdentityWithUser, insertIdentity, listIdentities } from "./store.js";
import type { IdentityRow } from "./tables.js";
import { toIdentity, type Identity } from "./views.js";

export interface IdentitiesConfig {
  codeTtlSeconds: number;
  emailConfirmationTtlSeconds: number;
  emailChangeTtlSeconds: number;
  /** How old the caller's last proof of identity may be for adding or removing an identity. */
  reauthenticationMaxAgeSeconds: number;
  defaultPhoneRegion: string | null;
  /** Regions whose numbers may be used; empty: all. */
  phoneRegions: string[];
}

export interface IdentitiesDeps {
  db: Database;
  clock: Clock;
  authenticators: AuthenticatorsService;
  tokens: TokenStore;
  codes: MagicCodes;
  mailer: Mailer;
  audit: AuditService;
  limiter: RateLimiter;
  rules: RateRules;
  /** User rows in the caller's transaction (accounts'; updates evict the cached row after commit). */
  users: UserRows;
  config: IdentitiesConfig;
}

/** How a verification reaches an email address: a numeric code, or a link. Phones always get a code. */
export type VerificationMethod = "code" | "link";

export type { SignInIdentity };

/**
 * Identities (EzAuth): the email addresses and phone numbers of users, how they are verified (by
 * code or link), added and removed, and how a user's email address is changed (held until the new
 * address confirms it, Ash `store_confirmation_changes`). Responses of sending methods never say
 * whether an identity belongs to an account.
 */
export interface IdentitiesService extends EmailChange {
  /** Normalises an email (lower case) or phone (E.164). Throws invalid_email, invalid_phone_number. */
  normalize(input: IdentityInput): NormalizedIdentity;
  /** A verified identity with its user (EzAuth `get_verified_identity`); null when unknown or unverified. */
  getVerified(input: IdentityInput): Promise<{ user: User; identity: Identity } | null>;
  /**
   * The user of a verified identity, creating a passwordless user when the identity is new and
   * verifying it when it was unverified (EzAuth `find_or_create_*_identity`). The caller vouches
   * that control of the identity was proven.
   */
  findOrCreateVerified(input: IdentityInput, context: RequestContext): Promise<{ user: User; identity: Identity; created: boolean }>;
  /** Creates a passwordless user with one verified identity (EzAuth `create_user_with_email/phone`). Throws identity_taken. */
  createPasswordlessUser(input: IdentityInput, context: RequestContext): Promise<{ user: User; identity: Identity }>;
  list(userId: string): Promise<Identity[]>;
  /** True when the email or phone belongs to an account, verified or not. */
  isTaken(input: IdentityInput): Promise<boolean>;
  /**
   * Sends a code (or, for an email, a link) that adds the identity to the user's account, or
   * verifies it if it is already there unverified. Silent when the identity belongs to another
   * account or is already verified. A signed-in caller must have authenticated recently, and an
   * account with no verified identity can only verify its own (not add new ones). Throws
   * reauthentication_required, verified_identity_required, rate_limited, too_many_code_attempts.
   */
  requestVerification(userId: string, input: IdentityInput & { method?: VerificationMethod }, context: RequestContext): Promise<void>;
  /**
   * Checks a verification code and adds or verifies the identity. With `userId`, the code must
   * have been requested by that user. Throws invalid_code, too_many_code_attempts, identity_taken.
   */
  verifyWithCode(input: IdentityInput & { code: string; userId?: string }, context: RequestContext): Promise<{ user: User; identity: Identity }>;
  /**
   * Consumes an emailed verification link: post-signup confirmation and added addresses alike.
   * Throws invalid_confirmation_token.
   */
  verifyWithLink(token: string, context: RequestContext): Promise<{ user: User; identity: Identity }>;
  /** Sends a new confirmation link or code to an unverified email address; silent otherwise. */
  resendEmailConfirmation(email: string, method: VerificationMethod, context: RequestContext): Promise<void>;
  /**
   * Removes an identity from the user's account and tells it and the account's other verified
   * addresses. A signed-in caller must have authenticated recently. Throws reauthentication_required,
   * identity_not_found, last_sign_in_method, last_recovery_channel.
   */
  remove(userId: string, identityId: string, context: RequestContext): Promise<void>;
  /**
   * Called when an identity was just proven for the first time by someone signing in or recovering
   * with it: the account is theirs now, and every other identity (attached before that proof, by
   * whoever held the account) is removed. Returns how many. The caller ends sessions and credentials.
   */
  removeUnprovenIdentities(executor: Executor, userId: string, proven: IdentityRow): Promise<number>;
  /**
   * The user a login names (an email address when it contains "@", a phone number when it starts
   * with "+", else a username), in the caller's executor; null when none.
   */
  findUserByLogin(executor: Executor, login: string): Promise<UserRow | null>;
  /** The one spelling `findUserByLogin` reads a login as (email lower-cased, phone E.164, username lower-cased). */
  canonicalLogin(login: string): string;
  /** The user of any of the email identities; null for an unknown or malformed address. */
  findUserByEmail(executor: Executor, email: string): Promise<UserRow | null>;
  /**
   * Counts a mail-sending request per IP and per target (the account the login names, else its
   * canonical form) before anything is sent; returns the account, if any. Throws rate_limited.
   */
  enforceMailLimits(executor: Executor, login: string, context: RequestContext): Promise<UserRow | null>;
  /**
   * The address typed at password registration, as the user's unverified email identity, and the
   * link that confirms it, in the registration's transaction.
   */
  attachRegistrationEmail(executor: Executor, userId: string, email: string): Promise<void>;
  // In-transaction building blocks for the passwordless and passwords modules.
  /** Resolves a proven identity to its user for sign-in, verifying it, or creating a user when allowed; null otherwise. */
  resolveForSignIn(
    executor: Executor,
    identity: NormalizedIdentity,
    options: { allowSignUp: boolean; method: string },
    context: RequestContext,
  ): Promise<SignInIdentity | null>;
  findRow(executor: Executor, identity: NormalizedIdentity): Promise<{ identity: IdentityRow; user: UserRow } | null>;
  /** Marks an identity verified and keeps the user's primary email in step. */
  markVerified(executor: Executor, identity: IdentityRow): Promise<{ user: UserRow; identity: IdentityRow }>;
}

/** Verification codes carry who asked and what verifying does. */
interface VerificationIntent {
  userId: string;
  intent: "add" | "verify";
}

const isIntent = (data: Record<string, unknown>): data is Record<string, unknown> & VerificationIntent =>
  typeof data.userId === "string" && (data.intent === "add" || data.intent === "verify");

export function createIdentitiesService(deps: IdentitiesDeps): IdentitiesService {
  const { db, clock, authenticators, tokens, codes, mailer, audit, limiter, rules, config } = deps;

  const normalize = (input: IdentityInput): NormalizedIdentity => {
    const normalized = normalizeIdentity(input, config.defaultPhoneRegion);
    if (!normalized) throw new AppError(input.type === "email" ? AddressErrors.invalid_email : AddressErrors.invalid_phone_number);
    if (normalized.type === "phone" && config.phoneRegions.length > 0 && !config.phoneRegions.includes(phoneRegionOf(normalized.value) ?? "")) {
      throw new AppError(AddressErrors.phone_region_not_allowed);
    }
    return normalized;
  };
  const { users } = deps;
  const logins = createLogins({ users, limiter, rules, defaultPhoneRegion: config.defaultPhoneRegion });
  const records = createIdentityRecords({ clock, audit, mailer, users });
  const { syncPrimaryEmail, markVerified, attachVerified, insertPasswordlessUser, resolveForSignIn, notifyIdentities, removeAllIdentitiesBut } = records;
  const assertRecent = (context: RequestContext) => assertRecentAuthentication(context.principal, config.reauthenticationMaxAgeSeconds, clock.now());
  const emailChange = createEmailChange({ db, clock, authenticators, tokens, mailer, audit, limiter, rules, records, normalize, config });

  /** Queues a code or link verifying `identity` for `intent`; returns the code outcome when locked. */
  const queueVerification = async (executor: Executor, identity: NormalizedIdentity, intent: VerificationIntent, method: VerificationMethod) => {
    if (identity.type === "email" && method === "link") {
      const { token } = await tokens.issue(executor, {
        purpose: TokenPurposes.emailConfirmation,
        subject: intent.userId,
        ttlSeconds: config.emailConfirmationTtlSeconds,
        extraData: { email: identity.value, intent: intent.intent },
      });
      const link = mailer.link("confirm-email", { token });
      const ttlSeconds = config.emailConfirmationTtlSeconds;
      await mailer.enqueue(
        executor,
        intent.intent === "add"
          ? { to: identity.value, template: "verify-email-link", variables: { link, ttlSeconds } }
          : { to: identity.value, template: "email-confirmation", variables: { link, ttlSeconds } },
      );
      return { issued: true as const };
    }
    const issued = await codes.issue(executor, {
      purpose: CodePurposes.identityVerification,
      channel: identity.type,
      recipient: identity.value,
      ttlSeconds: config.codeTtlSeconds,
      extraData: { ...intent },
    });
    if (issued.issued) await enqueueCode(mailer, executor, identity, "verification-code", { code: issued.code, ttlSeconds: config.codeTtlSeconds });
    return issued;
  };

  return {
    normalize,

    async getVerified(input) {
      const identity = normalize(input);
      const found = await findIdentityWithUser(db, identity.type, identity.value);
      if (!found || found.identity.verifiedAt === null) return null;
      return { user: toUser(found.user), identity: toIdentity(found.identity) };
    },

    async findOrCreateVerified(input, context) {
      const identity = normalize(input);
      const resolved = await db.transaction((tx) => resolveForSignIn(tx, identity, { allowSignUp: true, method: "library" }, context));
      if (!resolved) throw new AppError(IdentityErrors.identity_taken); // unreachable: sign-up is allowed
      return { user: toUser(resolved.user), identity: toIdentity(resolved.identity), created: resolved.created };
    },

    async createPasswordlessUser(input, context) {
      const identity = normalize(input);
      const created = await db.transaction((tx) => insertPasswordlessUser(tx, identity, "library", context));
      if (!created) throw new AppError(IdentityErrors.identity_taken);
      return { user: toUser(created.user), identity: toIdentity(created.identity) };
    },

    list: async (userId) => (await listIdentities(db, userId)).map(toIdentity),

    async isTaken(input) {
      const identity = normalize(input);
      return (await findIdentityWithUser(db, identity.type, identity.value)) !== null;
    },

    async requestVerification(userId, input, context) {
      const identity = normalize(input);
      const method = identity.type === "phone" ? "code" : (input.method ?? "code");
      assertRecent(context);
      // Decided on the caller's own identities only, so the answer says nothing about anyone else's.
      const own = await listIdentities(db, userId);
      const isOwn = own.some((i) => i.type === identity.type && i.value === identity.value);
      if (!isOwn && !own.some((i) => i.verifiedAt !== null)) throw new AppError(IdentityErrors.verified_identity_required);
      await enforceSendLimits(limiter, rules, identity, CodePurposes.identityVerification, context);
      const outcome = await db.transaction(async (tx) => {
        const existing = await findIdentityWithUser(tx, identity.type, identity.value);
        // Someone else's, or already verified: nothing to send, and the answer is the same.
        if (existing && (existing.user.id !== userId || existing.identity.verifiedAt !== null)) return { issued: true as const, queued: false };
        const issued = await queueVerification(tx, identity, { userId, intent: existing ? "verify" : "add" }, method);
        if (issued.issued) {
          await audit.record(
            tx,
            { action: "identity.verification_requested", actorUserId: userId, subjectUserId: userId, data: { type: identity.type, method } },
            context,
          );
        }
        return { ...issued, queued: issued.issued };
      });
      if (!outcome.issued) throw codeLocked(outcome.retryAfterSeconds);
      if (outcome.queued) mailer.dispatch();
    },

    async verifyWithCode(input, context) {
      await limiter.enforce([[rules.codeVerifyPerIp, context.ip]]);
      const identity = normalize(input);
      const outcome = await db.transaction(async (tx) => {
        const check = await codes.verify(tx, {
          purpose: CodePurposes.identityVerification,
          channel: identity.type,
          recipient: identity.value,
          code: input.code,
        });
        if (!check.ok) return { check };
        const intent = check.extraData;
        // A code requested by one user cannot add the identity to another's account.
        if (!isIntent(intent) || (input.userId !== undefined && intent.userId !== input.userId))
          return { check: { ok: false as const, reason: "invalid" as const } };
        if (intent.intent === "add") return { check, result: await attachVerified(tx, intent.userId, identity, context) };
        const existing = await findIdentityWithUser(tx, identity.type, identity.value);
        if (!existing || existing.user.id !== intent.userId) return { check: { ok: false as const, reason: "invalid" as const } };
        return { check, result: await attachVerified(tx, intent.userId, identity, context) };
      });
      if (!outcome.result) throw codeFailure(outcome.check);
      mailer.dispatch(); // the notices of an added identity
      return { user: toUser(outcome.result.user), identity: toIdentity(outcome.result.identity) };
    },

    async verifyWithLink(token, context) {
      const result = await db.transaction(async (tx) => {
        const stored = await tokens.consume(tx, token, TokenPurposes.emailConfirmation);
        const email = typeof stored?.extraData.email === "string" ? normalizeEmail(stored.extraData.email) : null;
        if (!stored?.subject || !email) return null;
        const existing = await findIdentityWithUser(tx, "email", email);
        // The address must still be the one the link was sent for: a link for an address the user
        // has since replaced confirms nothing.
        if (existing?.user.id === stored.subject) {
          const attached = await attachVerified(tx, stored.subject, { type: "email", value: email }, context);
          await audit.record(tx, { action: "email.confirmed", actorUserId: stored.subject, subjectUserId: stored.subject }, context);
          return attached;
        }
        if (!existing && stored.extraData.intent === "add" && (await users.findById(tx, stored.subject))) {
          return attachVerified(tx, stored.subject, { type: "email", value: email }, context);
        }
        return null;
      });
      if (!result) throw new AppError(IdentityErrors.invalid_confirmation_token);
      mailer.dispatch(); // the notices of an added identity
      return { user: toUser(result.user), identity: toIdentity(result.identity) };
    },

    async resendEmailConfirmation(email, method, context) {
      const identity = normalizeIdentity({ type: "email", value: email }, null);
      await limiter.enforce([
        [rules.mailPerIp, context.ip],
        [rules.mailPerTarget, identity?.value ?? email.trim().toLowerCase()],
        // Codes are throttled per resend interval; links keep the older per-window limit only.
        ...(method === "code"
          ? [[rules.resendPerTarget, `${CodePurposes.identityVerification}:email:${identity?.value}`] as [typeof rules.resendPerTarget, string]]
          : []),
      ]);
      if (!identity) return;
      const outcome = await db.transaction(async (tx) => {
        const existing = await findIdentityWithUser(tx, "email", identity.value);
        if (!existing || existing.identity.verifiedAt !== null) return { issued: true as const, queued: false };
        const issued = await queueVerification(tx, identity, { userId: existing.user.id, intent: "verify" }, method);
        return { ...issued, queued: issued.issued };
      });
      // A locked identity gets nothing new, silently: this endpoint answers the same for everyone.
      if (outcome.queued) mailer.dispatch();
    },

    async remove(userId, identityId, context) {
      assertRecent(context);
      await db.transaction(async (tx) => {
        // Locking the user serialises removals: two at once cannot both leave "one other" behind.
        const user = await users.lock(tx, userId);
        const identities = user ? await listIdentities(tx, userId) : [];
        const target = identities.find((i) => i.id === identityId);
        if (!user || !target) throw new AppError(IdentityErrors.identity_not_found);
        const remaining = identities.filter((i) => i.id !== identityId);
        // A password needs a login name to be typed with: with no identity left, only a username.
        const passwordStillUsable = user.passwordHash !== null && user.username !== null;
        if (remaining.length === 0 && !passwordStillUsable) throw new AppError(IdentityErrors.last_sign_in_method);
        // A username and password still sign in, but a forgotten password could then never be reset.
        if (remaining.length === 0) throw new AppError(IdentityErrors.last_recovery_channel);
        await deleteIdentity(tx, target.id);
        await syncPrimaryEmail(tx, userId);
        await audit.record(
          tx,
          { action: "identity.removed", actorUserId: userId, subjectUserId: userId, data: { identityId: target.id, type: target.type } },
          context,
        );
        // The address being removed hears of it too: it may be the owner's, removed by someone else.
        if (target.verifiedAt !== null) await enqueueOnChannel(mailer, tx, target, "identity-removed", { identity: target.value });
        await notifyIdentities(tx, userId, "identity-removed", target);
      });
      mailer.dispatch();
    },

    removeUnprovenIdentities: removeAllIdentitiesBut,
    findUserByLogin: logins.findUser,
    canonicalLogin: logins.canonical,
    findUserByEmail: logins.userByEmail,
    enforceMailLimits: logins.enforceMailLimits,

    async attachRegistrationEmail(executor, userId, email) {
      const identity = normalize({ type: "email", value: email });
      // The address starts unverified: it was typed, not proven.
      await insertIdentity(executor, { id: generateId(), userId, type: "email", value: identity.value, verifiedAt: null, createdAt: clock.now() });
      await queueVerification(executor, identity, { userId, intent: "verify" }, "link");
    },

    ...emailChange,
    resolveForSignIn,
    findRow: (executor, identity) => findIdentityWithUser(executor, identity.type, identity.value),
    markVerified,
  };
}

import { generateId } from "../../kernel/crypto/random.js";
import type { Database, Executor } from "../../kernel/db/database.js";
import { uniqueViolation } from "../../kernel/db/errors.js";
import type { RowCache } from "../../kernel/db/row-cache.js";
import { AppError } from "../../kernel/errors/app-error.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Mailer } from "../../kernel/mail/mailer.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import type { Clock } from "../../kernel/time/clock.js";
import type { AuditService } from "../audit/index.js";
import type { AuthenticatorsService } from "../authenticators/index.js";
import { TokenPurposes, type TokenStore } from "../tokens/index.js";
import { AccountErrors } from "./errors.js";
import type { IdentitiesService, VerificationMethod } from "./identities.js";
import { normalizeEmail, normalizePhone } from "./identity-values.js";
import { findUserByEmail, findUserById, findUserByUsername, insertIdentity, insertUser, updateUser } from "./store.js";
import type { UserRow } from "./tables.js";
import type { UpdateUserRow } from "./user-writes.js";
import { toUser, type User } from "./views.js";

const METADATA_MAX_BYTES = 16 * 1024;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The shape UsernameInput allows at registration (schemas.ts). */
const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface RegistrationInput {
  email: string;
  password: string;
  passwordConfirmation: string;
  username?: string | null;
  name?: string | null;
  metadata?: Record<string, unknown>;
}

export interface RegistrationOptions {
  /** More work in the registration's transaction (starting a session): both commit, or neither. */
  inTransaction?: (executor: Executor, user: User) => Promise<void>;
}

export interface AccountsService {
  /**
   * Creates a user with a password and emails a confirmation link, in one transaction.
   * Throws email_taken, username_taken, password policy errors, metadata_too_large, rate_limited.
   */
  register(input: RegistrationInput, context: RequestContext, options?: RegistrationOptions): Promise<User>;
  /** Consumes an emailed confirmation token and marks the address confirmed. Throws invalid_confirmation_token. */
  confirmEmail(token: string, context: RequestContext): Promise<User>;
  /** Sends a new confirmation link (or code) if the address belongs to an unconfirmed account. Silent otherwise. */
  resendConfirmation(email: string, context: RequestContext, method?: VerificationMethod): Promise<void>;
  /** Emails the username to the address if it belongs to an account. Silent otherwise. */
  sendUsernameReminder(email: string, context: RequestContext): Promise<void>;
  getById(id: string): Promise<User | null>;
  /** The user named by a JWT `sub` claim (Ash `get_by_subject`); null for unknown or malformed subjects. */
  getBySubject(subject: string): Promise<User | null>;
  getByEmail(email: string): Promise<User | null>;
  getByUsername(username: string): Promise<User | null>;
  isEmailTaken(email: string): Promise<boolean>;
  isUsernameTaken(username: string): Promise<boolean>;
  /** Row-level lookup for sign-in: an email when the login contains "@", a phone when it starts with "+", else a username. */
  findRowByLogin(executor: Executor, login: string): Promise<UserRow | null>;
  /**
   * The one spelling of a login name that `findRowByLogin` reads it as (email lower-cased, phone
   * E.164, username lower-cased), so counters keyed on it cannot be dodged by respelling it.
   */
  canonicalLogin(login: string): string;
  /**
   * Counts a mail-sending request per IP and per target (the account the login names, else its
   * canonical form) before anything is looked up for sending; returns the account, if any. Throws rate_limited.
   */
  enforceMailLimits(executor: Executor, login: string, context: RequestContext): Promise<UserRow | null>;
  findRowById(executor: Executor, id: string): Promise<UserRow | null>;
  updateRow(executor: Executor, id: string, changes: Partial<UserRow>): Promise<UserRow | null>;
}

export interface AccountsDeps {
  db: Database;
  clock: Clock;
  authenticators: AuthenticatorsService;
  tokens: TokenStore;
  mailer: Mailer;
  audit: AuditService;
  limiter: RateLimiter;
  rules: RateRules;
  identities: IdentitiesService;
  /** Users by id, for the reads behind every authenticated request. */
  userCache: RowCache<User>;
  updateUserRow: UpdateUserRow;
  config: { emailConfirmationTtlSeconds: number; defaultPhoneRegion: string | null };
}

export function createAccountsService(deps: AccountsDeps): AccountsService {
  const { db, clock, authenticators, tokens, mailer, audit, limiter, rules, identities, userCache, config } = deps;
  const getById = async (id: string) =>
    UUID_PATTERN.test(id)
      ? userCache.get(id, async () => {
          const row = await findUserById(db, id);
          return row ? toUser(row) : null;
        })
      : null;

  const queueConfirmation = async (executor: Executor, user: UserRow & { email: string }) => {
    const { token } = await tokens.issue(executor, {
      purpose: TokenPurposes.emailConfirmation,
      subject: user.id,
      ttlSeconds: config.emailConfirmationTtlSeconds,
      // The address being confirmed: if the user's email changes, an old link confirms nothing.
      extraData: { email: normalizeEmail(user.email), intent: "verify" },
    });
    await mailer.enqueue(executor, { to: user.email, template: "email-confirmation", variables: { link: mailer.link("/ui/confirm-email", { token }), ttlSeconds: config.emailConfirmationTtlSeconds } });
  };


  const byEmail = async (executor: Executor, email: string) => {
    const normalized = normalizeEmail(email);
    return normalized ? findUserByEmail(executor, normalized) : null;
  };

  const findRowByLogin = async (executor: Executor, login: string) => {
    const trimmed = login.trim();
    if (trimmed.includes("@")) return byEmail(executor, trimmed);
    // Usernames start with a letter or digit, so a leading "+" can only be a phone number.
    if (trimmed.startsWith("+")) {
      const phone = normalizePhone(trimmed, config.defaultPhoneRegion);
      return phone ? ((await identities.findRow(executor, { type: "phone", value: phone }))?.user ?? null) : null;
    }
    // Usernames are ASCII; PostgreSQL's lower() would fold other letters ("İ" to "i") into a match
    // that no counter keyed on the spelling would see.
    return USERNAME_PATTERN.test(trimmed) ? findUserByUsername(executor, trimmed) : null;
  };

  const canonicalLogin = (login: string) => {
    const trimmed = login.trim();
    if (trimmed.includes("@")) return normalizeEmail(trimmed) ?? trimmed.toLowerCase();
    if (trimmed.startsWith("+")) return normalizePhone(trimmed, config.defaultPhoneRegion) ?? trimmed;
    return trimmed.toLowerCase();
  };

  /** Mail a login name can trigger is counted per account, or per canonical login when it names none. */
  const enforceMailLimits = async (executor: Executor, login: string, context: RequestContext) => {
    const user = await findRowByLogin(executor, login);
    await limiter.enforce([[rules.mailPerIp, context.ip], [rules.mailPerTarget, user ? `user:${user.id}` : canonicalLogin(login)]]);
    return user;
  };

  return {
    async register(input, context, options = {}) {
      await limiter.enforce([[rules.registerPerIp, context.ip]]);
      const email = input.email.trim();
      const normalizedEmail = normalizeEmail(email);
      if (!normalizedEmail) throw new AppError(AccountErrors.invalid_email);
      const username = input.username?.trim() || null;
      if (input.metadata && Buffer.byteLength(JSON.stringify(input.metadata)) > METADATA_MAX_BYTES) {
        throw new AppError(AccountErrors.metadata_too_large);
      }
      const passwordHash = await authenticators.hashNewPassword({ password: input.password, confirmation: input.passwordConfirmation, personal: { email, username, name: input.name } }, context);
      const now = clock.now();
      try {
        const user = await db.transaction(async (tx) => {
          const row = await insertUser(tx, {
            id: generateId(),
            email,
            username,
            passwordHash,
            name: input.name?.trim() || null,
            metadata: input.metadata ?? {},
            createdAt: now,
            updatedAt: now,
          });
          // The address starts unverified: it was typed, not proven.
          await insertIdentity(tx, { id: generateId(), userId: row.id, type: "email", value: normalizedEmail, verifiedAt: null, createdAt: now });
          await queueConfirmation(tx, { ...row, email });
          await audit.record(tx, { action: "user.registered", actorUserId: row.id, subjectUserId: row.id }, context);
          await options.inTransaction?.(tx, toUser(row));
          return row;
        });
        mailer.dispatch();
        return toUser(user);
      } catch (error) {
        const constraint = uniqueViolation(error);
        if (constraint?.includes("username")) throw new AppError(AccountErrors.username_taken);
        if (constraint !== null) throw new AppError(AccountErrors.email_taken);
        throw error;
      }
    },

    // Post-signup confirmation is identity verification by link: one mechanism for both.
    confirmEmail: async (token, context) => (await identities.verifyWithLink(token, context)).user,

    resendConfirmation: (email, context, method = "link") => identities.resendEmailConfirmation(email, method, context),

    async sendUsernameReminder(email, context) {
      const row = await enforceMailLimits(db, email, context);
      if (!row?.email) return;
      const to = row.email;
      await db.transaction(async (tx) => {
        await mailer.enqueue(tx, row.username ? { to, template: "username-reminder", variables: { username: row.username } } : { to, template: "username-reminder-no-username", variables: {} });
        await audit.record(tx, { action: "username.reminder_requested", subjectUserId: row.id }, context);
      });
      mailer.dispatch();
    },

    getById,
    getBySubject: getById,
    getByEmail: async (email) => {
      const row = await byEmail(db, email);
      return row ? toUser(row) : null;
    },
    getByUsername: async (username) => {
      const row = await findUserByUsername(db, username.trim());
      return row ? toUser(row) : null;
    },
    isEmailTaken: async (email) => (await byEmail(db, email)) !== null,
    isUsernameTaken: async (username) => (await findUserByUsername(db, username.trim())) !== null,
    findRowByLogin,
    canonicalLogin,
    enforceMailLimits,
    findRowById: findUserById,
    updateRow: deps.updateUserRow,
  };
}

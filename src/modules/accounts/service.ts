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
import type { IdentitiesService, VerificationMethod } from "../identities/index.js";
import { AccountErrors } from "./errors.js";
import { findUserById, findUserByUsername } from "./store.js";
import type { UserRow } from "./tables.js";
import type { UserRows } from "./user-rows.js";
import { toUser, type User } from "./views.js";

const METADATA_MAX_BYTES = 16 * 1024;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  findRowById(executor: Executor, id: string): Promise<UserRow | null>;
  updateRow(executor: Executor, id: string, changes: Partial<UserRow>): Promise<UserRow | null>;
}

export interface AccountsDeps {
  db: Database;
  clock: Clock;
  authenticators: AuthenticatorsService;
  mailer: Mailer;
  audit: AuditService;
  limiter: RateLimiter;
  rules: RateRules;
  identities: IdentitiesService;
  /** Users by id, for the reads behind every authenticated request. */
  userCache: RowCache<User>;
  users: UserRows;
}

export function createAccountsService(deps: AccountsDeps): AccountsService {
  const { db, clock, authenticators, mailer, audit, limiter, rules, identities, userCache, users } = deps;
  const getById = async (id: string) =>
    UUID_PATTERN.test(id)
      ? userCache.get(id, async () => {
          const row = await findUserById(db, id);
          return row ? toUser(row) : null;
        })
      : null;

  return {
    async register(input, context, options = {}) {
      await limiter.enforce([[rules.registerPerIp, context.ip]]);
      const email = input.email.trim();
      identities.normalize({ type: "email", value: email }); // throws invalid_email
      const username = input.username?.trim() || null;
      if (input.metadata && Buffer.byteLength(JSON.stringify(input.metadata)) > METADATA_MAX_BYTES) {
        throw new AppError(AccountErrors.metadata_too_large);
      }
      const passwordHash = await authenticators.hashNewPassword(
        { password: input.password, confirmation: input.passwordConfirmation, personal: { email, username, name: input.name } },
        context,
      );
      const now = clock.now();
      try {
        const user = await db.transaction(async (tx) => {
          const row = await users.insert(tx, {
            id: generateId(),
            email,
            username,
            passwordHash,
            name: input.name?.trim() || null,
            metadata: input.metadata ?? {},
            createdAt: now,
            updatedAt: now,
          });
          await identities.attachRegistrationEmail(tx, row.id, email);
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
      const row = await identities.enforceMailLimits(db, email, context);
      if (!row?.email) return;
      const to = row.email;
      await db.transaction(async (tx) => {
        await mailer.enqueue(
          tx,
          row.username
            ? { to, template: "username-reminder", variables: { username: row.username } }
            : { to, template: "username-reminder-no-username", variables: {} },
        );
        await audit.record(tx, { action: "username.reminder_requested", subjectUserId: row.id }, context);
      });
      mailer.dispatch();
    },

    getById,
    getBySubject: getById,
    getByEmail: async (email) => {
      const row = await identities.findUserByEmail(db, email);
      return row ? toUser(row) : null;
    },
    getByUsername: async (username) => {
      const row = await findUserByUsername(db, username.trim());
      return row ? toUser(row) : null;
    },
    isEmailTaken: async (email) => (await identities.findUserByEmail(db, email)) !== null,
    isUsernameTaken: async (username) => (await findUserByUsername(db, username.trim())) !== null,
    findRowById: findUserById,
    updateRow: users.update,
  };
}

import type { Database, Executor } from "../../kernel/db/database.js";
import { AppError } from "../../kernel/errors/app-error.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Mailer } from "../../kernel/mail/mailer.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import { type AccountsService, type User } from "../accounts/index.js";
import { enforceSendLimits, enqueueCode, type IdentitiesService, type SignInIdentity } from "../identities/index.js";
import { normalizeEmail, type IdentityInput } from "../../kernel/addresses/normalize.js";
import type { AuditService } from "../audit/index.js";
import type { AuthenticatorsService } from "../authenticators/index.js";
import type { SessionGrant, SessionsService } from "../sessions/index.js";
import { codeFailure, CodePurposes, TokenPurposes, type CodeCheck, type MagicCodes, type TokenStore } from "../tokens/index.js";
import { PasswordlessErrors } from "./errors.js";

export interface PasswordlessConfig {
  magicLinkTtlSeconds: number;
  codeTtlSeconds: number;
  /** A link or code for an unknown identity creates a passwordless user (true), or is not sent (false). */
  allowSignUp: boolean;
}

export interface PasswordlessDeps {
  db: Database;
  accounts: AccountsService;
  authenticators: AuthenticatorsService;
  identities: IdentitiesService;
  sessions: SessionsService;
  tokens: TokenStore;
  codes: MagicCodes;
  mailer: Mailer;
  audit: AuditService;
  limiter: RateLimiter;
  rules: RateRules;
  config: PasswordlessConfig;
}

/** A passwordless sign-in: the session, the user, and whether the user was created by it. */
export interface PasswordlessSignIn extends SessionGrant {
  user: User;
  created: boolean;
}

/**
 * Sign-in without a password (Ash `request_magic_link` / `sign_in_with_magic_link`, EzAuth magic
 * links and codes): a long single-use link by email, or a short code by email or SMS. Either signs
 * in the identity's user, or registers a passwordless user for a new identity when sign-up is
 * allowed. Requests answer the same whether or not the identity belongs to an account.
 */
export interface PasswordlessService {
  /** Emails a magic link (10 minutes by default, single use). Throttled per address and IP. Throws invalid_email, rate_limited. */
  requestMagicLink(email: string, context: RequestContext): Promise<void>;
  /**
   * Consumes a magic link and starts a session; at most one of any number of concurrent
   * presentations succeeds. Throws invalid_magic_link.
   */
  signInWithMagicLink(token: string, context: RequestContext): Promise<PasswordlessSignIn>;
  /**
   * Consumes a magic link like `signInWithMagicLink`, but hands back a sign-in token (60 s, single
   * use) instead of a session: for the hosted page, which passes it on to the application.
   */
  exchangeMagicLink(token: string, context: RequestContext): Promise<{ signInToken: string; expiresIn: number; user: User }>;
  /** Sends a sign-in code by email or SMS. Throttled per identity (with a resend interval) and IP. */
  requestSignInCode(identity: IdentityInput, context: RequestContext): Promise<void>;
  /** Checks a sign-in code and starts a session. Throws invalid_code, too_many_code_attempts. */
  signInWithCode(input: IdentityInput & { code: string }, context: RequestContext): Promise<PasswordlessSignIn>;
}

export function createPasswordlessService(deps: PasswordlessDeps): PasswordlessService {
  const { db, accounts, authenticators, identities, sessions, tokens, codes, mailer, audit, limiter, rules, config } = deps;

  /**
   * The first proof of control of an identity that was only ever typed (at password registration).
   * Whoever registered it may not be its owner (account pre-hijacking): the owner is now signing
   * in, so everything set without that proof goes — the password, the sessions started with it, and
   * every other identity attached meanwhile. The owner can set a password again by recovery.
   */
  const dropUnprovenCredentials = async (executor: Executor, resolved: SignInIdentity, context: RequestContext) => {
    if (!resolved.firstVerification) return;
    if (resolved.user.passwordHash !== null) await authenticators.clearPassword(executor, resolved.user.id);
    const revoked = await sessions.revokeAll(resolved.user.id, context, "unproven_credentials", executor);
    const removedIdentities = await identities.removeUnprovenIdentities(executor, resolved.user.id, resolved.identity);
    await audit.record(
      executor,
      {
        action: "credentials.unverified_cleared",
        actorUserId: resolved.user.id,
        subjectUserId: resolved.user.id,
        data: { revokedSessions: revoked, removedIdentities },
      },
      context,
    );
  };

  /** Consumes the link and resolves its user, in the caller's transaction; null when it signs in nobody. */
  const redeemMagicLink = async (executor: Executor, token: string, context: RequestContext) => {
    const stored = await tokens.consume(executor, token, TokenPurposes.magicLink);
    const email = typeof stored?.extraData.email === "string" ? normalizeEmail(stored.extraData.email) : null;
    if (!stored || !email) return null;
    const resolved = await identities.resolveForSignIn(
      executor,
      { type: "email", value: email },
      { allowSignUp: config.allowSignUp, method: "magic_link" },
      context,
    );
    // A link sent to an account's address signs in that account only, even if the address has moved since.
    if (!resolved || (stored.subject !== null && stored.subject !== resolved.user.id)) return null;
    await dropUnprovenCredentials(executor, resolved, context);
    return resolved;
  };

  const withUser = async (grant: SessionGrant, resolved: SignInIdentity): Promise<PasswordlessSignIn> => {
    const user = (await accounts.getById(resolved.user.id))!;
    return { ...grant, user, created: resolved.created };
  };

  return {
    async requestMagicLink(email, context) {
      const identity = identities.normalize({ type: "email", value: email });
      await enforceSendLimits(limiter, rules, identity, TokenPurposes.magicLink, context);
      const queued = await db.transaction(async (tx) => {
        const found = await identities.findRow(tx, identity);
        if (!found && !config.allowSignUp) return false;
        const { token } = await tokens.issue(tx, {
          purpose: TokenPurposes.magicLink,
          // Bound to the account when there is one; an unknown address is bound to nobody yet.
          subject: found?.user.id ?? null,
          ttlSeconds: config.magicLinkTtlSeconds,
          extraData: { email: identity.value },
        });
        // Earlier links stay valid: requests by someone else cannot invalidate the owner's link.
        await mailer.enqueue(tx, {
          to: identity.value,
          template: "magic-link",
          variables: { link: mailer.link("magic-link", { token }), ttlSeconds: config.magicLinkTtlSeconds },
        });
        await audit.record(tx, { action: "magic_link.requested", subjectUserId: found?.user.id ?? null }, context);
        return true;
      });
      if (queued) mailer.dispatch();
    },

    async signInWithMagicLink(token, context) {
      await limiter.enforce([[rules.codeVerifyPerIp, context.ip]]);
      const outcome = await db.transaction(async (tx) => {
        const resolved = await redeemMagicLink(tx, token, context);
        return resolved
          ? { resolved, grant: await sessions.completeSignIn(tx, { userId: resolved.user.id, method: "magic_link", amr: ["email"] }, context) }
          : null;
      });
      if (!outcome) {
        await sessions.recordFailedSignIn({ userId: null, method: "magic_link", reason: "invalid_token" }, context);
        throw new AppError(PasswordlessErrors.invalid_magic_link);
      }
      return withUser(outcome.grant, outcome.resolved);
    },

    async exchangeMagicLink(token, context) {
      await limiter.enforce([[rules.codeVerifyPerIp, context.ip]]);
      const outcome = await db.transaction(async (tx) => {
        const resolved = await redeemMagicLink(tx, token, context);
        return resolved ? { resolved, issued: await sessions.issueSignInToken(resolved.user.id, context, { executor: tx, method: "magic_link" }) } : null;
      });
      if (!outcome) {
        await sessions.recordFailedSignIn({ userId: null, method: "magic_link", reason: "invalid_token" }, context);
        throw new AppError(PasswordlessErrors.invalid_magic_link);
      }
      return { signInToken: outcome.issued.token, expiresIn: outcome.issued.expiresIn, user: (await accounts.getById(outcome.resolved.user.id))! };
    },

    async requestSignInCode(input, context) {
      const identity = identities.normalize(input);
      await enforceSendLimits(limiter, rules, identity, CodePurposes.signIn, context);
      const queued = await db.transaction(async (tx) => {
        const found = await identities.findRow(tx, identity);
        if (!found && !config.allowSignUp) return false;
        const issued = await codes.issue(tx, {
          purpose: CodePurposes.signIn,
          channel: identity.type,
          recipient: identity.value,
          ttlSeconds: config.codeTtlSeconds,
          extraData: { userId: found?.user.id ?? null },
        });
        // While wrong codes have locked this identity nothing is sent, and the answer is the same.
        if (!issued.issued) return false;
        await enqueueCode(mailer, tx, identity, "sign-in-code", { code: issued.code, ttlSeconds: config.codeTtlSeconds });
        await audit.record(tx, { action: "sign_in_code.requested", subjectUserId: found?.user.id ?? null, data: { type: identity.type } }, context);
        return true;
      });
      if (queued) mailer.dispatch();
    },

    async signInWithCode(input, context) {
      await limiter.enforce([[rules.codeVerifyPerIp, context.ip]]);
      const identity = identities.normalize(input);
      const method = identity.type === "email" ? "email_code" : "sms_code";
      const outcome = await db.transaction(async (tx): Promise<{ check: CodeCheck; resolved?: SignInIdentity; grant?: SessionGrant }> => {
        const check = await codes.verify(tx, { purpose: CodePurposes.signIn, channel: identity.type, recipient: identity.value, code: input.code });
        if (!check.ok) return { check };
        const resolved = await identities.resolveForSignIn(tx, identity, { allowSignUp: config.allowSignUp, method }, context);
        const boundTo = check.extraData.userId;
        if (!resolved || (typeof boundTo === "string" && boundTo !== resolved.user.id)) return { check: { ok: false, reason: "invalid" } };
        await dropUnprovenCredentials(tx, resolved, context);
        return {
          check,
          resolved,
          grant: await sessions.completeSignIn(
            tx,
            { userId: resolved.user.id, method, amr: identity.type === "email" ? ["otp", "email"] : ["otp", "sms"] },
            context,
          ),
        };
      });
      if (!outcome.grant || !outcome.resolved) {
        const owner = await identities.findRow(db, identity);
        await sessions.recordFailedSignIn({ userId: owner?.user.id ?? null, method, reason: "invalid_code" }, context);
        throw codeFailure(outcome.check);
      }
      return withUser(outcome.grant, outcome.resolved);
    },
  };
}

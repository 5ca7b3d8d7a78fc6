import type { Counter } from "prom-client";
import type { PasswordHasher } from "../../kernel/crypto/password-hasher.js";
import { digestToken, generateId, generateSecretToken } from "../../kernel/crypto/random.js";
import { afterCommit } from "../../kernel/db/after-commit.js";
import type { Database, Executor } from "../../kernel/db/database.js";
import type { RowCache } from "../../kernel/db/row-cache.js";
import { AppError } from "../../kernel/errors/app-error.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import { throttleKey, type RateRules } from "../../kernel/rate-limit/rules.js";
import { addSeconds, type Clock } from "../../kernel/time/clock.js";
import type { AccountsService } from "../accounts/index.js";
import type { AuditService } from "../audit/index.js";
import type { AuthzService } from "../authz/index.js";
import type { LoginFailureReason, LoginHistoryService } from "../login-history/index.js";
import { isPasswordTooLong, normalizePassword } from "../passwords/policy.js";
import { TokenErrors, TokenPurposes, type AccessTokenClaims, type AccessTokens, type TokenStore } from "../tokens/index.js";
import { SessionErrors } from "./errors.js";
import {
  deleteEndedSessions,
  deleteExpiredRefreshTokens,
  findLiveSession,
  findRefreshToken,
  insertRefreshToken,
  insertSession,
  listLiveSessions,
  revokeSessionRows,
  rotateRefreshToken,
} from "./store.js";
import type { SessionRow } from "./tables.js";
import { toSession, type Session, type SessionGrant } from "./views.js";

export interface SessionsConfig {
  sessionTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshReuseIntervalSeconds: number;
  signInTokenTtlSeconds: number;
  requireEmailConfirmation: boolean;
}

export interface SessionsDeps {
  db: Database;
  clock: Clock;
  hasher: PasswordHasher;
  accounts: AccountsService;
  accessTokens: AccessTokens;
  tokens: TokenStore;
  authz: AuthzService;
  loginHistory: LoginHistoryService;
  audit: AuditService;
  limiter: RateLimiter;
  rules: RateRules;
  signInOutcomes: Counter<"outcome">;
  /** What a token check needs of a live session, by session id. */
  liveSessionCache: RowCache<LiveSession>;
  config: SessionsConfig;
}

export interface LiveSession {
  userId: string;
  expiresAt: Date;
}

/** The caller of an authenticated request. */
export interface Authentication {
  userId: string;
  sessionId: string;
  claims: AccessTokenClaims;
}

export interface SessionsService {
  /**
   * Password sign-in by email or username (case-insensitive). Throttled per login name and per IP
   * before any hashing; unknown accounts cost the same hash work as known ones. Every attempt is
   * recorded in the login history. Throws invalid_credentials, email_not_confirmed, rate_limited.
   */
  signInWithPassword(input: { login: string; password: string }, context: RequestContext): Promise<SessionGrant>;
  /** Exchanges a short-lived, single-use sign-in token for a session. Throws invalid_sign_in_token. */
  signInWithToken(token: string, context: RequestContext): Promise<SessionGrant>;
  /** Issues a sign-in token (60 s by default, single use) for a user (Ash `sign_in_with_token`). */
  issueSignInToken(userId: string, context: RequestContext, executor?: Executor): Promise<{ token: string; expiresAt: Date; expiresIn: number }>;
  /** Starts a session for a user who has already proved who they are (EzAuth `generate_user_session_token`). */
  createSession(userId: string, method: string, context: RequestContext, executor?: Executor): Promise<SessionGrant>;
  /**
   * Rotates a refresh token. A spent token presented again revokes its session (reuse detection),
   * except within the configured reuse interval. Throws invalid_refresh_token, refresh_token_reused.
   */
  refresh(refreshToken: string, context: RequestContext): Promise<SessionGrant>;
  /** Verifies an access token and that its session is still live. Throws invalid_token. */
  authenticate(accessToken: string): Promise<Authentication>;
  list(userId: string): Promise<Session[]>;
  /** Revokes one of the user's sessions. Throws session_not_found. */
  revoke(userId: string, sessionId: string, context: RequestContext): Promise<void>;
  /** Revokes every session of the user except `keepSessionId`; returns how many. */
  revokeOthers(userId: string, keepSessionId: string, context: RequestContext, executor?: Executor): Promise<number>;
  /** Revokes every session of the user (EzAuth `revoke_user_sessions`). */
  revokeAll(userId: string, context: RequestContext, reason: string, executor?: Executor): Promise<number>;
  /** Deletes sessions and refresh tokens that ended more than a day ago. */
  expunge(): Promise<number>;
}

interface PendingGrant {
  session: SessionRow;
  roles: string[];
  refreshToken: string;
  refreshExpiresIn: number;
}

/** A refresh token's remaining lifetime as `refresh_expire_in` reports it: 0 means it never expires. */
const secondsLeft = (expiresAt: Date | null, now: Date) => (expiresAt ? Math.max(0, Math.round((expiresAt.getTime() - now.getTime()) / 1000)) : 0);

/** Ended sessions are kept this long so "why was I signed out?" can still be answered. */
const ENDED_SESSION_RETENTION_SECONDS = 86_400;

export function createSessionsService(deps: SessionsDeps): SessionsService {
  const { db, clock, hasher, accounts, accessTokens, tokens, authz, loginHistory, audit, limiter, rules, liveSessionCache, config } = deps;
  const invalidCredentials = () => new AppError(SessionErrors.invalid_credentials);

  const newRefreshToken = async (executor: Executor, session: SessionRow, parentId: string | null) => {
    const refreshToken = generateSecretToken();
    const now = clock.now();
    const ttl = config.refreshTokenTtlSeconds;
    const expiresAt = ttl === 0 ? null : new Date(Math.min(addSeconds(now, ttl).getTime(), session.expiresAt.getTime()));
    await insertRefreshToken(executor, { id: generateId(), sessionId: session.id, parentId, tokenHash: digestToken(refreshToken), createdAt: now, expiresAt });
    return { refreshToken, refreshExpiresIn: secondsLeft(expiresAt, now) };
  };

  /** Inside the transaction: the refresh token and the roles. Signing happens after commit. */
  const prepareGrant = async (executor: Executor, session: SessionRow, parentId: string | null): Promise<PendingGrant> => {
    const roles = await authz.roleNamesFor(executor, session.userId);
    const { refreshToken, refreshExpiresIn } = await newRefreshToken(executor, session, parentId);
    return { session, roles, refreshToken, refreshExpiresIn };
  };

  const completeGrant = async ({ session, roles, refreshToken, refreshExpiresIn }: PendingGrant): Promise<SessionGrant> => {
    const access = await accessTokens.issue({ subject: session.userId, sessionId: session.id, roles });
    return { tokenType: "Bearer", accessToken: access.token, expiresIn: access.expiresInSeconds, refreshToken, refreshExpiresIn, session: toSession(session) };
  };

  const startSession = async (executor: Executor, userId: string, method: string, context: RequestContext) => {
    const now = clock.now();
    const session = await insertSession(executor, {
      id: generateId(),
      userId,
      method,
      ip: context.ip,
      userAgent: context.userAgent,
      createdAt: now,
      authenticatedAt: now,
      lastUsedAt: now,
      expiresAt: addSeconds(now, config.sessionTtlSeconds),
    });
    await loginHistory.record(executor, { userId, method, succeeded: true }, context);
    await audit.record(executor, { action: "session.created", actorUserId: userId, subjectUserId: userId, ip: context.ip, userAgent: context.userAgent, data: { sessionId: session.id, method } });
    return prepareGrant(executor, session, null);
  };

  const recordFailure = async (userId: string | null, method: string, reason: LoginFailureReason, context: RequestContext) => {
    deps.signInOutcomes.inc({ outcome: reason });
    await db.transaction(async (tx) => {
      await loginHistory.record(tx, { userId, method, succeeded: false, reason }, context);
      if (userId) await audit.record(tx, { action: "sign_in.failed", outcome: "failure", actorUserId: userId, subjectUserId: userId, ip: context.ip, userAgent: context.userAgent, data: { method, reason } });
    });
  };

  const revokeWhere = async (executor: Executor, where: Parameters<typeof revokeSessionRows>[1], context: RequestContext, reason: string) => {
    const revoked = await revokeSessionRows(executor, where, clock.now(), reason);
    // Evicted here once committed, not only by the change notification, which can be lost on its way back.
    afterCommit(executor, () => revoked.forEach((id) => liveSessionCache.evict(id)));
    for (const sessionId of revoked) {
      await audit.record(executor, { action: "session.revoked", actorUserId: where.userId, subjectUserId: where.userId, ip: context.ip, userAgent: context.userAgent, data: { sessionId, reason } });
    }
    return revoked.length;
  };

  type RotationOutcome = { grant: PendingGrant } | { reused: { sessionId: string; userId: string } } | { invalid: true };

  const rotate = async (refreshToken: string): Promise<RotationOutcome> => {
    const tokenHash = digestToken(refreshToken);
    const now = clock.now();
    const childToken = generateSecretToken();
    const fast = await rotateRefreshToken(db, {
      tokenHash,
      now,
      child: { id: generateId(), tokenHash: digestToken(childToken), ttlSeconds: config.refreshTokenTtlSeconds },
    }, authz.roleNamesSql);
    if (fast.spent) {
      if (!fast.session) return { invalid: true };
      const refreshExpiresIn = secondsLeft(fast.child.expiresAt, now);
      return { grant: { session: fast.session, roles: fast.roles, refreshToken: childToken, refreshExpiresIn } };
    }
    // Unknown, or spent before: decide between the reuse interval's sibling and reuse detection.
    return db.transaction(async (tx): Promise<RotationOutcome> => {
      const existing = await findRefreshToken(tx, tokenHash);
      // An expired token stays dead even inside the reuse interval: no sibling for it.
      if (!existing?.spentAt || (existing.expiresAt && existing.expiresAt <= now)) return { invalid: true };
      const session = await findLiveSession(tx, existing.sessionId, now);
      if (!session) return { invalid: true };
      const withinReuseInterval = now.getTime() - existing.spentAt.getTime() <= config.refreshReuseIntervalSeconds * 1000;
      if (withinReuseInterval && config.refreshReuseIntervalSeconds > 0) {
        // Two tabs refreshing at once: the late one gets a sibling in the same family, not a new family.
        return { grant: await prepareGrant(tx, session, existing.id) };
      }
      return { reused: { sessionId: session.id, userId: session.userId } };
    });
  };

  return {
    async signInWithPassword({ login, password }, context) {
      const method = "password";
      try {
        await limiter.enforce([[rules.signInPerIp, context.ip], [rules.signInPerAccount, throttleKey(login)]]);
      } catch (error) {
        const row = await accounts.findRowByLogin(db, login);
        await recordFailure(row?.id ?? null, method, "throttled", context);
        throw error;
      }
      const user = await accounts.findRowByLogin(db, login);
      // An over-long password cannot be anyone's: refuse it without hashing it at all.
      if (isPasswordTooLong(password)) {
        await recordFailure(user?.id ?? null, method, user ? "wrong_password" : "unknown_account", context);
        throw invalidCredentials();
      }
      const normalized = normalizePassword(password);
      if (!user || user.passwordHash === null) {
        await hasher.verifyAgainstNothing(normalized);
        await recordFailure(user?.id ?? null, method, user ? "no_password" : "unknown_account", context);
        throw invalidCredentials();
      }
      if (!(await hasher.verify(user.passwordHash, normalized))) {
        await recordFailure(user.id, method, "wrong_password", context);
        throw invalidCredentials();
      }
      // An account with no email address (phone only) has nothing to confirm.
      if (config.requireEmailConfirmation && user.email !== null && user.emailConfirmedAt === null) {
        await recordFailure(user.id, method, "email_not_confirmed", context);
        throw new AppError(SessionErrors.email_not_confirmed);
      }
      const pending = await db.transaction(async (tx) => {
        await limiter.reset(rules.signInPerAccount, throttleKey(login), tx);
        if (hasher.needsRehash(user.passwordHash!)) {
          await accounts.updateRow(tx, user.id, { passwordHash: await hasher.hash(normalized), updatedAt: clock.now() });
        }
        return startSession(tx, user.id, method, context);
      });
      deps.signInOutcomes.inc({ outcome: "success" });
      return completeGrant(pending);
    },

    async signInWithToken(token, context) {
      const pending = await db.transaction(async (tx) => {
        const stored = await tokens.consume(tx, token, TokenPurposes.signIn);
        const user = stored?.subject ? await accounts.findRowById(tx, stored.subject) : null;
        return user ? startSession(tx, user.id, "sign_in_token", context) : null;
      });
      if (!pending) {
        await recordFailure(null, "sign_in_token", "invalid_token", context);
        throw new AppError(SessionErrors.invalid_sign_in_token);
      }
      deps.signInOutcomes.inc({ outcome: "success" });
      return completeGrant(pending);
    },

    async issueSignInToken(userId, context, executor) {
      const issue = async (tx: Executor) => {
        const issued = await tokens.issue(tx, { purpose: TokenPurposes.signIn, subject: userId, ttlSeconds: config.signInTokenTtlSeconds });
        await audit.record(tx, { action: "sign_in_token.issued", actorUserId: userId, subjectUserId: userId, ip: context.ip, userAgent: context.userAgent });
        return { token: issued.token, expiresAt: issued.expiresAt, expiresIn: config.signInTokenTtlSeconds };
      };
      return executor ? issue(executor) : db.transaction(issue);
    },

    createSession: async (userId, method, context, executor) =>
      completeGrant(await (executor ? startSession(executor, userId, method, context) : db.transaction((tx) => startSession(tx, userId, method, context)))),

    async refresh(refreshToken, context) {
      const outcome = await rotate(refreshToken);
      if ("grant" in outcome) return completeGrant(outcome.grant);
      if ("invalid" in outcome) throw new AppError(SessionErrors.invalid_refresh_token);
      // Reuse of a spent token means it may have been stolen: end the whole family, committed
      // in its own transaction so the revocation stands even though this request fails.
      await db.transaction(async (tx) => {
        await revokeWhere(tx, { userId: outcome.reused.userId, sessionId: outcome.reused.sessionId }, context, "refresh_token_reused");
        await audit.record(tx, { action: "session.reuse_detected", outcome: "failure", subjectUserId: outcome.reused.userId, ip: context.ip, userAgent: context.userAgent, data: { sessionId: outcome.reused.sessionId } });
      });
      throw new AppError(SessionErrors.refresh_token_reused);
    },

    async authenticate(accessToken) {
      const claims = await accessTokens.verify(accessToken);
      // A signed token is not enough: its session must still be live, so sign-out takes effect at once
      // (the cache is evicted by the commit that ends a session, on every node).
      const now = clock.now();
      const session = await liveSessionCache.get(claims.sid, async () => {
        const row = await findLiveSession(db, claims.sid, now);
        return row ? { userId: row.userId, expiresAt: row.expiresAt } : null;
      });
      if (!session || session.expiresAt <= now || session.userId !== claims.sub) throw new AppError(TokenErrors.invalid_token);
      return { userId: claims.sub, sessionId: claims.sid, claims };
    },

    list: async (userId) => (await listLiveSessions(db, userId, clock.now())).map(toSession),

    async revoke(userId, sessionId, context) {
      const count = await db.transaction((tx) => revokeWhere(tx, { userId, sessionId }, context, "revoked"));
      if (count === 0) throw new AppError(SessionErrors.session_not_found);
    },

    revokeOthers: (userId, keepSessionId, context, executor) =>
      executor
        ? revokeWhere(executor, { userId, exceptSessionId: keepSessionId }, context, "revoked_by_user")
        : db.transaction((tx) => revokeWhere(tx, { userId, exceptSessionId: keepSessionId }, context, "revoked_by_user")),

    revokeAll: (userId, context, reason, executor) =>
      executor ? revokeWhere(executor, { userId }, context, reason) : db.transaction((tx) => revokeWhere(tx, { userId }, context, reason)),

    async expunge() {
      const cutoff = addSeconds(clock.now(), -ENDED_SESSION_RETENTION_SECONDS);
      return (await deleteExpiredRefreshTokens(db, cutoff)) + (await deleteEndedSessions(db, cutoff));
    },
  };
}

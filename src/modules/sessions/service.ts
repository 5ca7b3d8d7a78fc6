import type { Registry } from "prom-client";
import type { AuthenticatorsService } from "../authenticators/index.js";
import { digestToken, generateId, generateSecretToken } from "../../kernel/crypto/random.js";
import { afterCommit } from "../../kernel/db/after-commit.js";
import type { Database, Executor } from "../../kernel/db/database.js";
import type { RowCache } from "../../kernel/db/row-cache.js";
import { AppError } from "../../kernel/errors/app-error.js";
import type { Principal } from "../../kernel/http/principal.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Mailer } from "../../kernel/mail/mailer.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import { addSeconds, type Clock } from "../../kernel/time/clock.js";
import type { AccountsService } from "../accounts/index.js";
import type { IdentitiesService } from "../identities/index.js";
import type { IdentityInput } from "../../kernel/addresses/normalize.js";
import type { AuditService } from "../audit/index.js";
import type { AuthzService } from "../authz/index.js";
import type { LoginHistoryService } from "../login-history/index.js";
import { TokenErrors, TokenPurposes, type AccessTokens, type MagicCodes, type RevokedTokenIds, type TokenStore } from "../tokens/index.js";
import { SessionErrors } from "./errors.js";
import { createGrants, secondsLeft, type PendingGrant } from "./grants.js";
import { createPasswordSignIn } from "./password-sign-in.js";
import { createReauthentications, type Reauthenticated, type Reauthentication } from "./reauthentication.js";
import { createSignInPressure } from "./sign-in-pressure.js";
import { createSignIns, type FailedSignIn, type SignInProof } from "./sign-in.js";
import {
  deleteEndedSessions,
  deleteExpiredRefreshTokens,
  findLiveSession,
  findRefreshToken,
  findSessionForTokenCheck,
  listLiveSessions,
  revokeSessionRows,
  rotateRefreshToken,
} from "./store.js";
import type { Session, SessionGrant } from "./views.js";
import { toSession } from "./views.js";
import { sql } from "drizzle-orm";

export interface SessionsConfig {
  sessionTtlSeconds: number;
  sessionIdleTimeoutSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshReuseIntervalSeconds: number;
  signInTokenTtlSeconds: number;
  requireEmailConfirmation: boolean;
  codeTtlSeconds: number;
  /** Failed password sign-ins are answered this much later while most of this node's sign-ins fail; 0: never. */
  signInSlowdownMs: number;
}

export interface SessionsDeps {
  db: Database;
  clock: Clock;
  authenticators: AuthenticatorsService;
  accounts: AccountsService;
  identities: IdentitiesService;
  accessTokens: AccessTokens;
  tokens: TokenStore;
  codes: MagicCodes;
  mailer: Mailer;
  authz: AuthzService;
  loginHistory: LoginHistoryService;
  audit: AuditService;
  limiter: RateLimiter;
  rules: RateRules;
  /** Where the sign-in metrics are registered. */
  registry: Registry;
  /** What a token check needs of a live session, by session id. */
  liveSessionCache: RowCache<LiveSession>;
  /** Access tokens revoked one by one, before they expire. */
  revokedTokenIds: RevokedTokenIds;
  config: SessionsConfig;
}

export interface LiveSession {
  userId: string;
  expiresAt: Date;
}

export type { SignInProof, FailedSignIn, Reauthentication, Reauthenticated };

export interface SessionsService {
  /**
   * Password sign-in by email, phone or username (case-insensitive). Refused at once for a network
   * that failed on too many accounts; throttled per network and per account before any hashing;
   * unknown accounts cost the same hash work as known ones. Throws invalid_credentials,
   * email_not_confirmed, rate_limited, server_busy.
   */
  signInWithPassword(input: { login: string; password: string }, context: RequestContext): Promise<SessionGrant>;
  /**
   * Exchanges a short-lived, single-use sign-in token for a session. A token issued from a session
   * starts one bound to it (no later expiry, same authentication time, ends with it); the token
   * dies with that session. Throws invalid_sign_in_token.
   */
  signInWithToken(token: string, context: RequestContext): Promise<SessionGrant>;
  /**
   * Issues a sign-in token (60 s by default, single use) for a user (Ash `sign_in_with_token`).
   * `from`: the session it hands off (the caller's), or the method that proved the user (a hosted magic-link page).
   */
  issueSignInToken(
    userId: string,
    context: RequestContext,
    options?: { executor?: Executor; fromSessionId?: string; method?: string },
  ): Promise<{ token: string; expiresAt: Date; expiresIn: number }>;
  /**
   * The one way a proven user becomes a session: records login history, the audit entry and the
   * sign-in metric, in the caller's transaction. Every sign-in method ends here.
   */
  completeSignIn(executor: Executor, proof: SignInProof, context: RequestContext): Promise<SessionGrant>;
  /** Records a failed sign-in of any method (login history, audit, metric). */
  recordFailedSignIn(attempt: FailedSignIn, context: RequestContext): Promise<void>;
  /** Starts a session for a user the application has already proved (EzAuth `generate_user_session_token`). */
  createSession(userId: string, method: string, context: RequestContext, executor?: Executor): Promise<SessionGrant>;
  /**
   * Rotates a refresh token. A spent token presented again revokes its session (reuse detection),
   * except within the configured reuse interval. An idle session (unused past the idle timeout)
   * has ended. Throws invalid_refresh_token, refresh_token_reused.
   */
  refresh(refreshToken: string, context: RequestContext): Promise<SessionGrant>;
  /** Verifies an access token, that it was not revoked, and that its session is still live. Throws invalid_token. */
  authenticate(accessToken: string): Promise<Principal>;
  /**
   * Revokes one access token before it expires, on every node at once, leaving its session (and
   * its refresh token) alive: for a token that may have leaked. Throws invalid_token for a token
   * that is not a valid one of Gatehouse's.
   */
  revokeAccessToken(accessToken: string, context: RequestContext): Promise<void>;
  /** Sends a code for `reauthenticate` to one of the caller's verified identities. */
  requestReauthenticationCode(principal: Principal, target: IdentityInput | undefined, context: RequestContext): Promise<void>;
  /** Renews the session's authentication time with the password or a code; returns an access token carrying it. */
  reauthenticate(principal: Principal, proof: Reauthentication, context: RequestContext): Promise<Reauthenticated>;
  list(userId: string): Promise<Session[]>;
  /** Revokes one of the user's sessions, and the sessions handed off from it. Throws session_not_found. */
  revoke(userId: string, sessionId: string, context: RequestContext): Promise<void>;
  /** Revokes every session of the user except `keepSessionId`, and what they were about to change; returns how many. */
  revokeOthers(userId: string, keepSessionId: string, context: RequestContext, executor?: Executor): Promise<number>;
  /** Revokes every session of the user (EzAuth `revoke_user_sessions`), and what they were about to change. */
  revokeAll(userId: string, context: RequestContext, reason: string, executor?: Executor): Promise<number>;
  /** Deletes sessions and refresh tokens that ended more than a day ago. */
  expunge(): Promise<number>;
}

/** Ended sessions are kept this long so "why was I signed out?" can still be answered. */
const ENDED_SESSION_RETENTION_SECONDS = 86_400;

export function createSessionsService(deps: SessionsDeps): SessionsService {
  const { db, clock, accessTokens, tokens, authz, audit, liveSessionCache, config } = deps;
  const grants = createGrants({ clock, accessTokens, authz, refreshTokenTtlSeconds: config.refreshTokenTtlSeconds });
  const signIns = createSignIns({ db, clock, grants, loginHistory: deps.loginHistory, audit, registry: deps.registry, config });
  const pressure = createSignInPressure({ clock, registry: deps.registry, slowdownMs: config.signInSlowdownMs });
  const signInWithPassword = createPasswordSignIn({ ...deps, signIns, pressure, config });
  const reauthentications = createReauthentications({ ...deps, grants, config });
  const idleSince = (now: Date) => addSeconds(now, -config.sessionIdleTimeoutSeconds);
  const inTransaction = <T>(executor: Executor | undefined, work: (tx: Executor) => Promise<T>) => (executor ? work(executor) : db.transaction(work));

  /**
   * Ends sessions (and those handed off from them). When a user is signed out everywhere, the
   * changes they had started die too: a held email change, unspent sign-in tokens.
   */
  const revokeWhere = async (executor: Executor, where: Parameters<typeof revokeSessionRows>[1], context: RequestContext, reason: string) => {
    const revoked = await revokeSessionRows(executor, where, clock.now(), reason);
    // Evicted here once committed, not only by the change notification, which can be lost on its way back.
    afterCommit(executor, () => revoked.forEach((id) => liveSessionCache.evict(id)));
    for (const sessionId of revoked) {
      await audit.record(executor, { action: "session.revoked", actorUserId: where.userId, subjectUserId: where.userId, data: { sessionId, reason } }, context);
    }
    if (where.sessionId === undefined) {
      await tokens.revokeAllFor(executor, where.userId, TokenPurposes.emailChange);
      await tokens.revokeAllFor(executor, where.userId, TokenPurposes.signIn);
    }
    return revoked.length;
  };

  type RotationOutcome = { grant: PendingGrant } | { reused: { sessionId: string; userId: string } } | { invalid: true };

  const rotate = async (refreshToken: string, context: RequestContext): Promise<RotationOutcome> => {
    const tokenHash = digestToken(refreshToken);
    const now = clock.now();
    const childToken = generateSecretToken();
    const fast = await rotateRefreshToken(
      db,
      { tokenHash, now, idleSince: idleSince(now), child: { id: generateId(), tokenHash: digestToken(childToken), ttlSeconds: config.refreshTokenTtlSeconds } },
      authz.roleNamesSql,
      audit.recordFrom(
        sql`live`,
        { action: "session.refreshed", actorUserId: sql`live.user_id`, subjectUserId: sql`live.user_id`, data: sql`jsonb_build_object('sessionId', live.id)` },
        context,
      ),
    );
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
      const session = await findLiveSession(tx, existing.sessionId, now, idleSince(now));
      if (!session) return { invalid: true };
      const withinReuseInterval = now.getTime() - existing.spentAt.getTime() <= config.refreshReuseIntervalSeconds * 1000;
      if (withinReuseInterval && config.refreshReuseIntervalSeconds > 0) {
        // Two tabs refreshing at once: the late one gets a sibling in the same family, not a new family.
        await audit.record(
          tx,
          { action: "session.refreshed", actorUserId: session.userId, subjectUserId: session.userId, data: { sessionId: session.id } },
          context,
        );
        return { grant: await grants.prepare(tx, session, existing.id) };
      }
      return { reused: { sessionId: session.id, userId: session.userId } };
    });
  };

  const signInWithToken: SessionsService["signInWithToken"] = async (token, context) => {
    const grant = await db.transaction(async (tx) => {
      const stored = await tokens.consume(tx, token, TokenPurposes.signIn);
      const user = stored?.subject ? await deps.accounts.findRowById(tx, stored.subject) : null;
      if (!stored || !user) return null;
      const fromSessionId = typeof stored.extraData.fromSessionId === "string" ? stored.extraData.fromSessionId : null;
      const parent = fromSessionId ? await findLiveSession(tx, fromSessionId, clock.now(), idleSince(clock.now())) : null;
      // A hand-off from a session dies with it.
      if (fromSessionId && (!parent || parent.userId !== user.id)) return null;
      const method = typeof stored.extraData.method === "string" ? stored.extraData.method : "sign_in_token";
      return signIns.complete(
        tx,
        {
          userId: user.id,
          method,
          amr: [],
          ...(parent ? { parent: { sessionId: parent.id, authenticatedAt: parent.authenticatedAt, expiresAt: parent.expiresAt } } : {}),
        },
        context,
      );
    });
    if (!grant) {
      await signIns.fail({ userId: null, method: "sign_in_token", reason: "invalid_token" }, context);
      throw new AppError(SessionErrors.invalid_sign_in_token);
    }
    return grant;
  };

  return {
    signInWithPassword,
    signInWithToken,

    async issueSignInToken(userId, context, options = {}) {
      return inTransaction(options.executor, async (tx) => {
        const extraData = { ...(options.fromSessionId ? { fromSessionId: options.fromSessionId } : {}), ...(options.method ? { method: options.method } : {}) };
        const issued = await tokens.issue(tx, { purpose: TokenPurposes.signIn, subject: userId, ttlSeconds: config.signInTokenTtlSeconds, extraData });
        await audit.record(
          tx,
          { action: "sign_in_token.issued", actorUserId: userId, subjectUserId: userId, data: { fromSessionId: options.fromSessionId ?? null } },
          context,
        );
        return { token: issued.token, expiresAt: issued.expiresAt, expiresIn: config.signInTokenTtlSeconds };
      });
    },

    completeSignIn: signIns.complete,
    recordFailedSignIn: signIns.fail,

    createSession: (userId, method, context, executor) => inTransaction(executor, (tx) => signIns.complete(tx, { userId, method, amr: [] }, context)),

    async refresh(refreshToken, context) {
      const outcome = await rotate(refreshToken, context);
      if ("grant" in outcome) return grants.complete(outcome.grant);
      if ("invalid" in outcome) throw new AppError(SessionErrors.invalid_refresh_token);
      // Reuse of a spent token means it may have been stolen: end the whole family, committed
      // in its own transaction so the revocation stands even though this request fails.
      await db.transaction(async (tx) => {
        await revokeWhere(tx, { userId: outcome.reused.userId, sessionId: outcome.reused.sessionId }, context, "refresh_token_reused");
        await audit.record(
          tx,
          { action: "session.reuse_detected", outcome: "failure", subjectUserId: outcome.reused.userId, data: { sessionId: outcome.reused.sessionId } },
          context,
        );
      });
      throw new AppError(SessionErrors.refresh_token_reused);
    },

    async authenticate(accessToken) {
      const claims = await accessTokens.verify(accessToken);
      if (await deps.revokedTokenIds.has(claims.jti)) throw new AppError(TokenErrors.invalid_token);
      // A signed token is not enough: its session must still be live, so sign-out takes effect at once
      // (the cache is evicted by the commit that ends a session, on every node). Idleness needs no
      // check here: a session goes idle only long after its last access token expired.
      const now = clock.now();
      const session = await liveSessionCache.get(claims.sid, () => findSessionForTokenCheck(db, claims.sid, now));
      if (!session || session.expiresAt <= now || session.userId !== claims.sub) throw new AppError(TokenErrors.invalid_token);
      // A token from before auth_time was issued counts as proven at the epoch: any freshness check refuses it.
      return { userId: claims.sub, sessionId: claims.sid, authenticatedAt: new Date((claims.auth_time ?? 0) * 1000) };
    },

    async revokeAccessToken(accessToken, context) {
      const claims = await accessTokens.verify(accessToken);
      await db.transaction(async (tx) => {
        // The record need not outlive the token: after `exp` it would be refused anyway.
        await tokens.revoke(tx, { jti: claims.jti }, { expiresAt: new Date(claims.exp * 1000) });
        await audit.record(
          tx,
          { action: "access_token.revoked", actorUserId: claims.sub, subjectUserId: claims.sub, data: { sessionId: claims.sid, jti: claims.jti } },
          context,
        );
      });
    },

    requestReauthenticationCode: reauthentications.requestCode,
    reauthenticate: reauthentications.reauthenticate,

    list: async (userId) => (await listLiveSessions(db, userId, clock.now(), idleSince(clock.now()))).map(toSession),

    async revoke(userId, sessionId, context) {
      const count = await db.transaction((tx) => revokeWhere(tx, { userId, sessionId }, context, "revoked"));
      if (count === 0) throw new AppError(SessionErrors.session_not_found);
    },

    revokeOthers: (userId, keepSessionId, context, executor) =>
      inTransaction(executor, (tx) => revokeWhere(tx, { userId, exceptSessionId: keepSessionId }, context, "revoked_by_user")),

    revokeAll: (userId, context, reason, executor) => inTransaction(executor, (tx) => revokeWhere(tx, { userId }, context, reason)),

    async expunge() {
      const cutoff = addSeconds(clock.now(), -ENDED_SESSION_RETENTION_SECONDS);
      return (await deleteExpiredRefreshTokens(db, cutoff)) + (await deleteEndedSessions(db, cutoff, idleSince(cutoff)));
    },
  };
}

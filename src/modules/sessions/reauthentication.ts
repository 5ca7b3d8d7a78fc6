import { IdentityErrors } from "../identities/index.js";
import type { Database } from "../../kernel/db/database.js";
import { AppError } from "../../kernel/errors/app-error.js";
import type { Principal } from "../../kernel/http/principal.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Mailer } from "../../kernel/mail/mailer.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import { addSeconds, type Clock } from "../../kernel/time/clock.js";
import { type AccountsService } from "../accounts/index.js";
import { enforceSendLimits, enqueueCode, type IdentitiesService } from "../identities/index.js";
import { type IdentityInput } from "../../kernel/addresses/normalize.js";
import type { AuditService } from "../audit/index.js";
import type { AuthzService } from "../authz/index.js";
import { AuthenticatorErrors, type AuthenticatorsService } from "../authenticators/index.js";
import { codeFailure, CodePurposes, TokenErrors, type MagicCodes } from "../tokens/index.js";
import type { Grants } from "./grants.js";
import { updateAuthenticatedAt } from "./store.js";

/** The proof a signed-in user gives again: the password, or a code sent to one of their identities. */
export type Reauthentication = { password: string } | { code: string };

/** A new access token whose `auth_time` is now. */
export interface Reauthenticated {
  tokenType: "Bearer";
  accessToken: string;
  expiresIn: number;
  authenticatedAt: Date;
}

export type Reauthentications = ReturnType<typeof createReauthentications>;

/**
 * Fresh proof of identity inside a session, for changes that a stolen token must not make alone
 * (step-up). Success moves the session's authentication time to now and returns an access token
 * carrying it. Codes are kept under the session's id, so one session's code serves no other.
 * Password attempts share the account's sign-in counter: a token holder cannot guess faster here.
 */
export function createReauthentications(deps: {
  db: Database;
  clock: Clock;
  authenticators: AuthenticatorsService;
  accounts: AccountsService;
  identities: IdentitiesService;
  codes: MagicCodes;
  mailer: Mailer;
  audit: AuditService;
  authz: AuthzService;
  limiter: RateLimiter;
  rules: RateRules;
  grants: Grants;
  config: { codeTtlSeconds: number; sessionIdleTimeoutSeconds: number };
}) {
  const { db, clock, authenticators, accounts, identities, codes, mailer, audit, authz, limiter, rules, grants, config } = deps;
  const codeKey = (principal: Principal) => ({ purpose: CodePurposes.reauthentication, channel: "session", recipient: principal.sessionId });

  /** The refusal of a wrong current password, to be audited like a wrong code; throttling passes through. */
  const currentPasswordError = async (principal: Principal, password: string, context: RequestContext) => {
    const user = await accounts.findRowById(db, principal.userId);
    try {
      await authenticators.verifyCurrentPassword(user ?? { id: principal.userId, passwordHash: null }, password, context);
      return null;
    } catch (error) {
      if (error instanceof AppError && error.code === AuthenticatorErrors.invalid_current_password.code) return error;
      throw error;
    }
  };

  return {
    /**
     * Sends a reauthentication code to one of the user's verified identities (the one named, else
     * the primary email, else the first verified one). Throws identity_not_found, rate_limited.
     */
    async requestCode(principal: Principal, target: IdentityInput | undefined, context: RequestContext): Promise<void> {
      const verified = (await identities.list(principal.userId)).filter((i) => i.verified);
      const wanted = target ? identities.normalize(target) : null;
      const user = await accounts.getById(principal.userId);
      const primary = user?.email?.toLowerCase();
      const identity = wanted
        ? verified.find((i) => i.type === wanted.type && i.value === wanted.value)
        : (verified.find((i) => i.type === "email" && i.value === primary) ?? verified[0]);
      if (!identity) throw new AppError(IdentityErrors.identity_not_found);
      await enforceSendLimits(limiter, rules, identity, CodePurposes.reauthentication, context);
      const outcome = await db.transaction(async (tx) => {
        const issued = await codes.issue(tx, { ...codeKey(principal), ttlSeconds: config.codeTtlSeconds, extraData: { userId: principal.userId } });
        if (!issued.issued) return issued;
        await enqueueCode(mailer, tx, identity, "reauthentication-code", { code: issued.code, ttlSeconds: config.codeTtlSeconds });
        await audit.record(
          tx,
          { action: "reauthentication_code.requested", actorUserId: principal.userId, subjectUserId: principal.userId, data: { type: identity.type } },
          context,
        );
        return issued;
      });
      if (!outcome.issued) throw codeFailure({ ok: false, reason: "locked", retryAfterSeconds: outcome.retryAfterSeconds });
      mailer.dispatch();
    },

    /** Checks the proof and renews the session's authentication time. Throws invalid_current_password, invalid_code, too_many_code_attempts, invalid_token. */
    async reauthenticate(principal: Principal, proof: Reauthentication, context: RequestContext): Promise<Reauthenticated> {
      const now = clock.now();
      const idleSince = addSeconds(now, -config.sessionIdleTimeoutSeconds);
      const method = "password" in proof ? "password" : "code";
      // The password is checked outside the transaction: hashing must not hold a connection.
      const passwordError = "password" in proof ? await currentPasswordError(principal, proof.password, context) : null;
      const outcome = await db.transaction(async (tx) => {
        if (passwordError) return { error: passwordError };
        if ("code" in proof) {
          const check = await codes.verify(tx, { ...codeKey(principal), code: proof.code });
          // A failed check returns from the transaction, so its count commits.
          if (!check.ok || check.extraData.userId !== principal.userId) return { error: codeFailure(check.ok ? { ok: false, reason: "invalid" } : check) };
        }
        const session = await updateAuthenticatedAt(tx, principal.sessionId, now, idleSince);
        if (!session) return { error: new AppError(TokenErrors.invalid_token) };
        await audit.record(
          tx,
          { action: "session.reauthenticated", actorUserId: principal.userId, subjectUserId: principal.userId, data: { sessionId: session.id, method } },
          context,
        );
        return { session };
      });
      if ("error" in outcome) {
        await db.transaction((tx) =>
          audit.record(
            tx,
            { action: "reauthentication.failed", outcome: "failure", actorUserId: principal.userId, subjectUserId: principal.userId, data: { method } },
            context,
          ),
        );
        throw outcome.error;
      }
      const access = await grants.issueAccessToken(outcome.session, await authz.roleNamesFor(db, principal.userId));
      return { tokenType: "Bearer", accessToken: access.token, expiresIn: access.expiresInSeconds, authenticatedAt: outcome.session.authenticatedAt };
    },
  };
}

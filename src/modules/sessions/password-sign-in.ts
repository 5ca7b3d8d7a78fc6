import type { Database } from "../../kernel/db/database.js";
import { AppError } from "../../kernel/errors/app-error.js";
import { KernelErrors } from "../../kernel/errors/kernel-errors.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import type { IdentitiesService } from "../identities/index.js";
import type { LoginFailureReason } from "../login-history/index.js";
import type { AuthenticatorsService } from "../authenticators/index.js";
import { SessionErrors } from "./errors.js";
import type { SignInPressure } from "./sign-in-pressure.js";
import type { SignIns } from "./sign-in.js";
import type { SessionGrant } from "./views.js";

const METHOD = "password";

/**
 * Password sign-in, as a list of steps: refuse a spraying network before any work; resolve the
 * account; count the attempt per network and per account (the account's id, so every spelling of
 * its login shares one counter; an unknown login by its canonical form, the same way); verify with
 * equal work whether or not a hash exists; then start the session through the one sign-in path.
 */
export function createPasswordSignIn(deps: {
  db: Database;
  authenticators: AuthenticatorsService;
  identities: IdentitiesService;
  limiter: RateLimiter;
  rules: RateRules;
  signIns: SignIns;
  pressure: SignInPressure;
  config: { requireEmailConfirmation: boolean };
}) {
  const { db, authenticators, identities, limiter, rules, signIns, pressure } = deps;

  // Only a refusal is a throttled attempt; a counter store that is down is a fault (503), not a sign-in.
  const isThrottled = (error: unknown) => error instanceof AppError && error.code === KernelErrors.rate_limited.code;

  const refuseSprayingNetwork = async (context: RequestContext) => {
    try {
      await limiter.enforceDistinct(rules.signInFailuresPerIp, context.ip);
    } catch (error) {
      if (isThrottled(error)) signIns.countRefused(METHOD);
      throw error;
    }
  };

  const failed = async (userId: string | null, accountKey: string, reason: LoginFailureReason, context: RequestContext): Promise<never> => {
    await limiter.addDistinct(rules.signInFailuresPerIp, context.ip, accountKey);
    await signIns.fail({ userId, method: METHOD, reason }, context);
    pressure.record(false);
    await pressure.afterFailure();
    throw new AppError(SessionErrors.invalid_credentials);
  };

  return async function signInWithPassword({ login, password }: { login: string; password: string }, context: RequestContext): Promise<SessionGrant> {
    await refuseSprayingNetwork(context);
    const user = await identities.findUserByLogin(db, login);
    const accountKey = user ? `user:${user.id}` : `login:${identities.canonicalLogin(login)}`;
    try {
      await limiter.enforce([
        [rules.signInPerIp, context.ip],
        [rules.signInPerAccount, accountKey],
      ]);
    } catch (error) {
      if (isThrottled(error)) await signIns.fail({ userId: user?.id ?? null, method: METHOD, reason: "throttled" }, context);
      throw error;
    }
    const { ok, rehashed } = await authenticators.verifyPassword(user, password, context);
    if (!ok || !user)
      return failed(user?.id ?? null, accountKey, !user ? "unknown_account" : user.passwordHash === null ? "no_password" : "wrong_password", context);
    // An account with no email address (phone only) has nothing to confirm.
    if (deps.config.requireEmailConfirmation && user.email !== null && user.emailConfirmedAt === null) {
      await signIns.fail({ userId: user.id, method: METHOD, reason: "email_not_confirmed" }, context);
      throw new AppError(SessionErrors.email_not_confirmed);
    }
    const grant = await db.transaction(async (tx) => {
      await limiter.reset(rules.signInPerAccount, accountKey, tx);
      if (rehashed) await authenticators.setPassword(tx, user.id, rehashed);
      return signIns.complete(tx, { userId: user.id, method: METHOD, amr: ["pwd"] }, context);
    });
    pressure.record(true);
    return grant;
  };
}

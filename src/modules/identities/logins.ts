import type { Executor } from "../../kernel/db/database.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import type { UserRow, UserRows } from "../accounts/index.js";
import { findIdentityWithUser, findUserByEmail } from "./store.js";
import { normalizeEmail, normalizePhone } from "../../kernel/addresses/normalize.js";

/** The shape UsernameInput allows at registration (kernel/http/inputs.ts). */
const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export type Logins = ReturnType<typeof createLogins>;

/**
 * What a person types to sign in, read one way everywhere: an email address when it contains "@",
 * a phone number when it starts with "+", else a username. Counters keyed on a login use the same
 * reading (`canonical`), so respelling a login cannot dodge them.
 */
export function createLogins(deps: { users: UserRows; limiter: RateLimiter; rules: RateRules; defaultPhoneRegion: string | null }) {
  const { users, limiter, rules, defaultPhoneRegion } = deps;

  const userByEmail = async (executor: Executor, email: string) => {
    const normalized = normalizeEmail(email);
    return normalized ? findUserByEmail(executor, normalized) : null;
  };

  const findUser = async (executor: Executor, login: string): Promise<UserRow | null> => {
    const trimmed = login.trim();
    if (trimmed.includes("@")) return userByEmail(executor, trimmed);
    // Usernames start with a letter or digit, so a leading "+" can only be a phone number.
    if (trimmed.startsWith("+")) {
      const phone = normalizePhone(trimmed, defaultPhoneRegion);
      return phone ? ((await findIdentityWithUser(executor, "phone", phone))?.user ?? null) : null;
    }
    // Usernames are ASCII; PostgreSQL's lower() would fold other letters ("İ" to "i") into a match
    // that no counter keyed on the spelling would see.
    return USERNAME_PATTERN.test(trimmed) ? users.findByUsername(executor, trimmed) : null;
  };

  const canonical = (login: string) => {
    const trimmed = login.trim();
    if (trimmed.includes("@")) return normalizeEmail(trimmed) ?? trimmed.toLowerCase();
    if (trimmed.startsWith("+")) return normalizePhone(trimmed, defaultPhoneRegion) ?? trimmed;
    return trimmed.toLowerCase();
  };

  return {
    userByEmail,
    findUser,
    canonical,
    /** Mail a login name can trigger is counted per account, or per canonical login when it names none. */
    async enforceMailLimits(executor: Executor, login: string, context: RequestContext) {
      const user = await findUser(executor, login);
      await limiter.enforce([
        [rules.mailPerIp, context.ip],
        [rules.mailPerTarget, user ? `user:${user.id}` : canonical(login)],
      ]);
      return user;
    },
  };
}

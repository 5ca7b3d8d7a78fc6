import type { Config } from "../../kernel/config/load-config.js";
import type { RateRule } from "../../kernel/rate-limit/rate-limiter.js";
import { perNetwork } from "../../kernel/rate-limit/rules.js";

declare module "../../kernel/rate-limit/rules.js" {
  interface RateRules {
    signInPerIp: RateRule;
    /** Password attempts per account (by its id, or by the canonical login name when no account has it). */
    signInPerAccount: RateRule;
    /** Distinct accounts one network failed to sign in to: a password spray trips it long before the per-IP attempt limit. */
    signInFailuresPerIp: RateRule;
  }
}

export function createSignInRateRules(config: Config["rateLimits"]) {
  const { windowSeconds } = config;
  return {
    signInPerIp: perNetwork("sign-in:ip", config.signInPerIp, windowSeconds),
    signInPerAccount: { name: "sign-in:account", limit: config.signInPerAccount, windowSeconds },
    signInFailuresPerIp: perNetwork("sign-in-failures:ip", config.signInFailedAccountsPerIp, windowSeconds),
  };
}

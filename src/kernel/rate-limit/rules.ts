import type { Config } from "../config/load-config.js";
import type { RateRule } from "./rate-limiter.js";

/** The throttling rules of Gatehouse, built once from configuration. */
export interface RateRules {
  signInPerIp: RateRule;
  signInPerAccount: RateRule;
  mailPerIp: RateRule;
  mailPerTarget: RateRule;
  registerPerIp: RateRule;
}

export function createRateRules(config: Config["rateLimits"]): RateRules {
  const windowSeconds = config.windowSeconds;
  return {
    signInPerIp: { name: "sign-in:ip", limit: config.signInPerIp, windowSeconds },
    signInPerAccount: { name: "sign-in:login", limit: config.signInPerAccount, windowSeconds },
    mailPerIp: { name: "mail:ip", limit: config.mailPerIp, windowSeconds },
    mailPerTarget: { name: "mail:target", limit: config.mailPerTarget, windowSeconds },
    registerPerIp: { name: "register:ip", limit: config.registerPerIp, windowSeconds },
  };
}

/** Login names and addresses are throttled case-insensitively, whether or not an account exists. */
export function throttleKey(value: string): string {
  return value.trim().toLowerCase();
}

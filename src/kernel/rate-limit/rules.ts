import type { Config } from "../config/load-config.js";
import type { RateRule } from "./rate-limiter.js";

/** The throttling rules of Gatehouse, built once from configuration. */
export interface RateRules {
  signInPerIp: RateRule;
  signInPerAccount: RateRule;
  mailPerIp: RateRule;
  mailPerTarget: RateRule;
  registerPerIp: RateRule;
  /** SMS a client IP can trigger: text messages cost money, so they get their own, lower cap. */
  smsPerIp: RateRule;
  /** One code or link per identity and purpose per interval: the resend throttle. */
  resendPerTarget: RateRule;
  /** Codes and magic links presented per IP. */
  codeVerifyPerIp: RateRule;
  /** Email-taken and username-taken checks per IP. */
  availabilityPerIp: RateRule;
}

export function createRateRules(config: Config["rateLimits"]): RateRules {
  const windowSeconds = config.windowSeconds;
  return {
    signInPerIp: { name: "sign-in:ip", limit: config.signInPerIp, windowSeconds },
    signInPerAccount: { name: "sign-in:login", limit: config.signInPerAccount, windowSeconds },
    mailPerIp: { name: "mail:ip", limit: config.mailPerIp, windowSeconds },
    mailPerTarget: { name: "mail:target", limit: config.mailPerTarget, windowSeconds },
    registerPerIp: { name: "register:ip", limit: config.registerPerIp, windowSeconds },
    smsPerIp: { name: "sms:ip", limit: config.smsPerIp, windowSeconds },
    resendPerTarget: { name: "resend:target", limit: 1, windowSeconds: config.resendIntervalSeconds },
    codeVerifyPerIp: { name: "code-verify:ip", limit: config.codeVerifyPerIp, windowSeconds },
    availabilityPerIp: { name: "availability:ip", limit: config.availabilityPerIp, windowSeconds },
  };
}

/** Login names and addresses are throttled case-insensitively, whether or not an account exists. */
export function throttleKey(value: string): string {
  return value.trim().toLowerCase();
}

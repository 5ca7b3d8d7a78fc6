import type { Config } from "../config/load-config.js";
import type { RateRule } from "./rate-limiter.js";

/** The throttling rules of Gatehouse, built once from configuration. */
export interface RateRules {
  signInPerIp: RateRule;
  /** Password attempts per account (by its id, or by the canonical login name when no account has it). */
  signInPerAccount: RateRule;
  /** Distinct accounts one network failed to sign in to: a password spray trips it long before the per-IP attempt limit. */
  signInFailuresPerIp: RateRule;
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
  const perNetwork = (name: string, limit: number, window = windowSeconds): RateRule => ({ name, limit, windowSeconds: window, scope: "network" });
  return {
    signInPerIp: perNetwork("sign-in:ip", config.signInPerIp),
    signInPerAccount: { name: "sign-in:account", limit: config.signInPerAccount, windowSeconds },
    signInFailuresPerIp: perNetwork("sign-in-failures:ip", config.signInFailedAccountsPerIp),
    mailPerIp: perNetwork("mail:ip", config.mailPerIp),
    mailPerTarget: { name: "mail:target", limit: config.mailPerTarget, windowSeconds },
    registerPerIp: perNetwork("register:ip", config.registerPerIp),
    smsPerIp: perNetwork("sms:ip", config.smsPerIp),
    resendPerTarget: { name: "resend:target", limit: 1, windowSeconds: config.resendIntervalSeconds },
    codeVerifyPerIp: perNetwork("code-verify:ip", config.codeVerifyPerIp),
    availabilityPerIp: perNetwork("availability:ip", config.availabilityPerIp),
  };
}

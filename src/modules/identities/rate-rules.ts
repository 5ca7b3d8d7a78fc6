import type { Config } from "../../kernel/config/load-config.js";
import type { RateRule } from "../../kernel/rate-limit/rate-limiter.js";
import { perNetwork } from "../../kernel/rate-limit/rules.js";

declare module "../../kernel/rate-limit/rules.js" {
  interface RateRules {
    mailPerIp: RateRule;
    mailPerTarget: RateRule;
    /** SMS a client IP can trigger: text messages cost money, so they get their own, lower cap. */
    smsPerIp: RateRule;
    /** One code or link per identity and purpose per interval: the resend throttle. */
    resendPerTarget: RateRule;
    /** Codes and magic links presented per IP. */
    codeVerifyPerIp: RateRule;
    /** Email-taken and username-taken checks per IP. */
    availabilityPerIp: RateRule;
  }
}

/** The rules of everything that sends to an identity, or checks what was sent. */
export function createIdentityRateRules(config: Config["rateLimits"]) {
  const { windowSeconds } = config;
  return {
    mailPerIp: perNetwork("mail:ip", config.mailPerIp, windowSeconds),
    mailPerTarget: { name: "mail:target", limit: config.mailPerTarget, windowSeconds },
    smsPerIp: perNetwork("sms:ip", config.smsPerIp, windowSeconds),
    resendPerTarget: { name: "resend:target", limit: 1, windowSeconds: config.resendIntervalSeconds },
    codeVerifyPerIp: perNetwork("code-verify:ip", config.codeVerifyPerIp, windowSeconds),
    availabilityPerIp: perNetwork("availability:ip", config.availabilityPerIp, windowSeconds),
  };
}

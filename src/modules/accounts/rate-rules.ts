import type { Config } from "../../kernel/config/load-config.js";
import type { RateRule } from "../../kernel/rate-limit/rate-limiter.js";
import { perNetwork } from "../../kernel/rate-limit/rules.js";

declare module "../../kernel/rate-limit/rules.js" {
  interface RateRules {
    registerPerIp: RateRule;
  }
}

export function createAccountRateRules(config: Config["rateLimits"]) {
  return { registerPerIp: perNetwork("register:ip", config.registerPerIp, config.windowSeconds) };
}

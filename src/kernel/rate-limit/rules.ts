import type { RateRule } from "./rate-limiter.js";

/**
 * The throttling rules of Gatehouse by name, built once from configuration. Empty here: each module
 * adds the rules it owns by declaration merging (its rate-rules.ts) and builds them; createGatehouse
 * puts them together. Rules are shared vocabulary: a module may count on another's rule (a current-
 * password check on the sign-in counter), through this one object.
 */
export interface RateRules {}

/** A rule counted per client network (an IPv4 address, an IPv6 /64). */
export function perNetwork(name: string, limit: number, windowSeconds: number): RateRule {
  return { name, limit, windowSeconds, scope: "network" };
}

import { Counter, Gauge, type Registry } from "prom-client";
import type { Clock } from "../../kernel/time/clock.js";

/** Below this many password attempts a minute, the ratio says nothing. */
const MIN_ATTEMPTS = 50;
/** Past this share of failures, this node is being guessed at. */
const FAILURE_RATIO = 0.5;
const WINDOW_SECONDS = 60;

export type SignInPressure = ReturnType<typeof createSignInPressure>;

/**
 * A node-wide brake on password guessing that per-account and per-network counters miss (a botnet
 * spreading guesses over many accounts and addresses): while most of this node's password sign-ins
 * in the last minute failed, each failure is answered `slowdownMs` later. Successes are never
 * delayed, so owners signing in are not slowed; a guesser holding connections open gets fewer
 * guesses through them. The ratio is published as `gatehouse_sign_in_failure_ratio`.
 */
export function createSignInPressure(deps: { clock: Clock; registry: Registry; slowdownMs: number }) {
  // One bucket per second of the last minute: [second, attempts, failures].
  const buckets: Array<[number, number, number]> = [];
  const current = () => {
    const second = Math.floor(deps.clock.now().getTime() / 1000);
    while (buckets.length > 0 && buckets[0]![0] <= second - WINDOW_SECONDS) buckets.shift();
    let last = buckets.at(-1);
    if (!last || last[0] !== second) buckets.push((last = [second, 0, 0]));
    return last;
  };
  const totals = () => {
    current();
    let attempts = 0;
    let failures = 0;
    for (const [, a, f] of buckets) {
      attempts += a;
      failures += f;
    }
    return { attempts, failures };
  };
  const ratio = () => {
    const { attempts, failures } = totals();
    return attempts === 0 ? 0 : failures / attempts;
  };
  new Gauge({
    name: "gatehouse_sign_in_failure_ratio",
    help: "Share of this node's password sign-ins that failed in the last minute.",
    registers: [deps.registry],
    collect() {
      this.set(ratio());
    },
  });
  const slowed = new Counter({
    name: "gatehouse_sign_in_slowed_total",
    help: "Failed password sign-ins answered late because most sign-ins on this node were failing.",
    registers: [deps.registry],
  });

  return {
    record(succeeded: boolean): void {
      const bucket = current();
      bucket[1]++;
      if (!succeeded) bucket[2]++;
    },
    /** Waits before a failure is answered, while this node is under guessing pressure. */
    async afterFailure(): Promise<void> {
      if (deps.slowdownMs === 0 || totals().attempts < MIN_ATTEMPTS || ratio() <= FAILURE_RATIO) return;
      slowed.inc();
      await new Promise((resolve) => setTimeout(resolve, deps.slowdownMs));
    },
  };
}

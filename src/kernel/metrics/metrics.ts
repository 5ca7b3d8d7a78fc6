import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** One registry per Gatehouse instance, so several instances (tests, embedding) never collide. */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route">;
  passwordHashSeconds: Histogram;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  // The library's names already say process_ or nodejs_: one more word would double it.
  collectDefaultMetrics({ register: registry, prefix: "gatehouse_" });
  return {
    registry,
    httpRequests: new Counter({
      name: "gatehouse_http_requests_total",
      help: "HTTP requests answered, by route template and status.",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "gatehouse_http_request_duration_seconds",
      help: "Time from request received to response sent.",
      labelNames: ["method", "route"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    passwordHashSeconds: new Histogram({
      name: "gatehouse_password_hash_duration_seconds",
      help: "Time spent hashing or verifying one password.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers: [registry],
    }),
  };
}

/** A scrape-time read gets this long, well inside Prometheus's default 10 s scrape timeout. */
const SCRAPE_READ_TIMEOUT_MS = 2000;

/**
 * A gauge read when Prometheus scrapes, not kept up to date by the code it describes. A read that
 * fails or is slow (the database is down) leaves the gauge without samples for that scrape instead
 * of failing or stalling the whole scrape: the other metrics matter most precisely then.
 */
export function scrapedGauge<L extends string>(
  registry: Registry,
  spec: { name: string; help: string; labelNames?: L[] },
  read: () => Promise<Array<{ labels?: Partial<Record<L, string>>; value: number }>>,
): void {
  new Gauge<L>({
    ...spec,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    async collect() {
      this.reset();
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("scrape read timed out")), SCRAPE_READ_TIMEOUT_MS)));
        for (const { labels, value } of await Promise.race([read(), timeout])) {
          if (labels) this.set(labels as Record<L, string>, value);
          else this.set(value);
        }
      } catch {
        // Left empty: see above.
      } finally {
        clearTimeout(timer);
      }
    },
  });
}

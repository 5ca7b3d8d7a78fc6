import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** One registry per Gatehouse instance, so several instances (tests, embedding) never collide. */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route">;
  passwordHashSeconds: Histogram;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "gatehouse_process_" });
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

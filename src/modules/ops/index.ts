/**
 * ops — what operators and orchestrators poll: liveness, readiness (not draining; database and
 * Redis reachable) and Prometheus metrics. No business logic. /metrics is served only on the
 * metrics listener (GATEHOUSE_METRICS_PORT) or behind GATEHOUSE_METRICS_TOKEN, never openly.
 */
export { metricsRoutes, opsRoutes, type MetricsRoutesOptions, type ReadinessCheck } from "./routes.js";
export { OpsErrors } from "./errors.js";

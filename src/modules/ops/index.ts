/**
 * ops — what operators and orchestrators poll: liveness, readiness (database reachable) and
 * Prometheus metrics. No business logic and no authentication: expose /metrics only internally.
 */
export { opsRoutes } from "./routes.js";

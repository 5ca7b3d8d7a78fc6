import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Registry } from "prom-client";
import { Type } from "typebox";
import { AppError } from "../../kernel/errors/app-error.js";
import { createBearerTokenCheck } from "../../kernel/http/bearer-token.js";
import { OpsErrors } from "./errors.js";

const tags = ["operations"];
const Status = Type.Object({ status: Type.String() });

/** One dependency /readyz waits on; `name` is what the 503 says is unavailable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface OpsRoutesOptions {
  /** Checked in order on every /readyz; the first that fails answers 503. */
  readiness: ReadinessCheck[];
  /** True once shutdown has begun: /readyz answers 503 at once, so load balancers stop routing here. */
  draining: () => boolean;
  /** /metrics on this listener, or null for none (docs/deployment.md says where metrics are served). */
  metrics: MetricsRoutesOptions | null;
}

export interface MetricsRoutesOptions {
  registry: Registry;
  /** When set, a scrape must present it as a bearer token. */
  token: string | null;
}

export const opsRoutes: FastifyPluginAsyncTypebox<OpsRoutesOptions> = async (app, { readiness, draining, metrics }) => {
  app.get(
    "/healthz",
    { schema: { tags, operationId: "checkLiveness", summary: "Liveness: the process answers", selfContained: true, response: { 200: Status } } },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags,
        operationId: "checkReadiness",
        summary: "Readiness: not shutting down, and the database (and Redis, when configured) answer",
        response: { 200: Status, 503: Status },
      },
    },
    async (request, reply) => {
      if (draining()) return reply.code(503).send({ status: "shutting down" });
      for (const { name, check } of readiness) {
        try {
          await check();
        } catch (error) {
          request.log.warn({ err: error, dependency: name }, "readiness check failed");
          return reply.code(503).send({ status: `${name} unavailable` });
        }
      }
      return { status: "ok" };
    },
  );

  if (metrics) await app.register(metricsRoutes, metrics);
};

/**
 * GET /metrics. The sign-in counters and route statistics describe who tries what, so this route
 * is never on a public listener unguarded: it is mounted on the metrics listener, or on the main
 * one only behind GATEHOUSE_METRICS_TOKEN.
 */
export const metricsRoutes: FastifyPluginAsyncTypebox<MetricsRoutesOptions> = async (app, { registry, token }) => {
  const tokenMatches = token ? createBearerTokenCheck(token) : null;
  app.get(
    "/metrics",
    {
      schema: { tags, summary: "Prometheus metrics", hide: true },
      preHandler: async (request, reply) => {
        if (tokenMatches && !tokenMatches(request.headers.authorization)) {
          reply.header("www-authenticate", 'Bearer realm="gatehouse-metrics"');
          throw new AppError(OpsErrors.metrics_token_invalid);
        }
      },
    },
    async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
};

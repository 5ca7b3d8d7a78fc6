import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Registry } from "prom-client";
import { Type } from "typebox";

const tags = ["operations"];
const Status = Type.Object({ status: Type.String() });

export const opsRoutes: FastifyPluginAsyncTypebox<{ ping: () => Promise<void>; registry: Registry }> = async (app, { ping, registry }) => {
  app.get(
    "/healthz",
    { schema: { tags, operationId: "checkLiveness", summary: "Liveness: the process answers", selfContained: true, response: { 200: Status } } },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    { schema: { tags, operationId: "checkReadiness", summary: "Readiness: the database answers", response: { 200: Status, 503: Status } } },
    async (request, reply) => {
      try {
        await ping();
        return { status: "ok" };
      } catch (error) {
        request.log.warn({ err: error }, "readiness check failed");
        return reply.code(503).send({ status: "database unavailable" });
      }
    },
  );

  app.get("/metrics", { schema: { tags, summary: "Prometheus metrics", hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
};

import type { Authentication } from "../modules/sessions/service.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the `authenticate` preHandler of the sessions module; null on public routes. */
    auth: Authentication | null;
  }
}

import type { Principal } from "../kernel/http/principal.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the `authenticate` preHandler (kernel/http/principal.ts); null on public routes. */
    principal: Principal | null;
  }
}

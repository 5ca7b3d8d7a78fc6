import type { Principal } from "../kernel/http/principal.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the `authenticate` preHandler (kernel/http/principal.ts); null on public routes. */
    principal: Principal | null;
  }

  interface FastifySchema {
    /**
     * The route answers from the process alone: no database, no password hashing. Its document
     * then lists no 503 (kernel/http/api-document.ts).
     */
    selfContained?: true;
  }
}

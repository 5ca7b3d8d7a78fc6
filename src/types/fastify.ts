import type { Principal } from "../kernel/http/principal.js";
import type { Actor } from "../kernel/http/request-context.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the `authenticate` preHandler (kernel/http/principal.ts); null on public routes. */
    principal: Principal | null;
    /** Set by preHandlers that act for someone other than the principal (an administrator); null otherwise. */
    actor: Actor | null;
  }

  interface FastifySchema {
    /**
     * The route answers from the process alone: no database, no password hashing. Its document
     * then lists no 503 (kernel/http/api-document.ts).
     */
    selfContained?: true;
  }
}

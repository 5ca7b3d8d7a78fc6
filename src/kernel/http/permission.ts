import type { preHandlerAsyncHookHandler } from "fastify";

/**
 * Makes the preHandler of a route that needs `permission` (a name from the permission catalogue,
 * such as `users:read`): it authenticates the caller, refuses one without the permission (403
 * access_denied), and sets `request.actor` to the administrator acting. Routes of every module take
 * it as an option; `src/server.ts` builds it from the authorization service.
 */
export type RequirePermission = (permission: string) => preHandlerAsyncHookHandler;

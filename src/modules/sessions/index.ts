/**
 * sessions — signing in (password, sign-in token), sessions with IP and device, access tokens
 * bound to a session, refresh-token rotation with reuse detection, listing and revoking sessions,
 * and authenticating requests. It never stores a secret in the clear: refresh tokens are digests.
 */
export {
  createSessionsService,
  type SessionsService,
  type LiveSession,
  type SignInProof,
  type FailedSignIn,
  type Reauthentication,
  type Reauthenticated,
} from "./service.js";
export { sessionsRoutes } from "./routes.js";
export { SessionErrors } from "./errors.js";
export type { Session, SessionGrant } from "./views.js";
export { SessionGrantSchema, SessionSchema, exampleSessionGrant } from "./schemas.js";
export { sessionTemplates } from "./templates.js";
export { createSignInRateRules } from "./rate-rules.js";

/**
 * accesspass — AccessPass-compatible HTTP routes (`/check`, `/refresh`, `/register`, `/confirm`,
 * `/login`, `/reset_password`, `/logout`, `/change_password`, `/forgot_username`) with AccessPass's
 * JSON shapes, under GATEHOUSE_ACCESSPASS_PREFIX. A thin adapter: it renames fields and composes
 * the accounts, sessions and passwords services; it owns no table and must never hold a rule of its own.
 */
export { accesspassRoutes, type AccessPassRoutesOptions } from "./routes.js";
export { createAccessPassService, type AccessPassService, type AccessPassRegistration } from "./service.js";

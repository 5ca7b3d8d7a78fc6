/**
 * mailbox — the development mailbox at /dev/mailbox: shows every email in the outbox so a new user
 * can follow a confirmation or reset link locally. Registered only when NODE_ENV is not production.
 */
export { mailboxRoutes } from "./routes.js";

/**
 * mailbox — the development mailbox at /dev/mailbox: shows every email and SMS in the outbox so a new
 * user can follow a link or type a code locally. Registered only when NODE_ENV is not production.
 */
export { mailboxRoutes } from "./routes.js";

/**
 * mailbox — the development mailbox at /dev/mailbox: shows every email and SMS in the outbox so a new
 * user can follow a link or type a code locally. Registered only when `config.mail.devMailbox` says so
 * (kernel/config/dev-mailbox.ts): it is the transport, outside production, on a loopback address,
 * unless GATEHOUSE_DEV_MAILBOX=true. It must never answer where strangers can reach it: it shows reset links.
 */
export { mailboxRoutes } from "./routes.js";

/**
 * audit — the append-only record of security-relevant events: who, what, when, from where, with
 * what result. Other modules record inside their own transaction so the event commits (or rolls
 * back) with the change it describes. It never decides anything; it only writes down.
 */
export { createAuditService, type AuditService, type AuditEvent } from "./service.js";
export type { AuditAction } from "./events.js";

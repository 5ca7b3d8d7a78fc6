import type { Executor } from "../../kernel/db/database.js";
import { generateId } from "../../kernel/crypto/random.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Clock } from "../../kernel/time/clock.js";
import type { AuditAction } from "./events.js";
import type { SQL } from "drizzle-orm";
import { auditInsertFrom, insertAuditEvent, listAuditEventsForUser } from "./store.js";
import type { AuditEventRow } from "./tables.js";

export interface AuditEvent {
  action: AuditAction;
  outcome?: "success" | "failure";
  actorUserId?: string | null;
  subjectUserId?: string | null;
  /** Never secrets: ids, reasons, counts. */
  data?: Record<string, unknown>;
}

/** Where an event came from: a request's IP, user agent and id; null for jobs and the command line. */
export type AuditOrigin = Pick<RequestContext, "ip" | "userAgent" | "requestId"> | null;

export interface AuditService {
  /** Records an event on `executor`: pass the transaction of the change it describes. */
  record(executor: Executor, event: AuditEvent, origin: AuditOrigin): Promise<void>;
  /**
   * `record` as an SQL statement, for a data-modifying CTE: one event for the row of `source` (at
   * most one), its user ids and data given as expressions over that row.
   */
  recordFrom(source: SQL, event: { action: AuditAction; actorUserId: SQL; subjectUserId: SQL; data: SQL }, origin: AuditOrigin): SQL;
  listForUser(executor: Executor, userId: string, limit: number): Promise<AuditEventRow[]>;
}

export function createAuditService(deps: { clock: Clock }): AuditService {
  return {
    record: (executor, event, origin) =>
      insertAuditEvent(executor, {
        id: generateId(),
        action: event.action,
        outcome: event.outcome ?? "success",
        actorUserId: event.actorUserId ?? null,
        subjectUserId: event.subjectUserId ?? null,
        ip: origin?.ip ?? null,
        userAgent: origin?.userAgent ?? null,
        requestId: origin?.requestId ?? null,
        data: event.data ?? {},
        createdAt: deps.clock.now(),
      }),
    recordFrom: (source, event, origin) =>
      auditInsertFrom(source, {
        id: generateId(),
        action: event.action,
        outcome: "success",
        actorUserId: event.actorUserId,
        subjectUserId: event.subjectUserId,
        ip: origin?.ip ?? null,
        userAgent: origin?.userAgent ?? null,
        requestId: origin?.requestId ?? null,
        data: event.data,
        createdAt: deps.clock.now(),
      }),
    listForUser: listAuditEventsForUser,
  };
}

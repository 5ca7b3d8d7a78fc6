import type { Executor } from "../../kernel/db/database.js";
import { generateId } from "../../kernel/crypto/random.js";
import type { Clock } from "../../kernel/time/clock.js";
import type { AuditAction } from "./events.js";
import { insertAuditEvent, listAuditEventsByAction, listAuditEventsForUser } from "./store.js";
import type { AuditEventRow } from "./tables.js";

export interface AuditEvent {
  action: AuditAction;
  outcome?: "success" | "failure";
  actorUserId?: string | null;
  subjectUserId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Never secrets: ids, reasons, counts. */
  data?: Record<string, unknown>;
}

export interface AuditService {
  /** Records an event on `executor`: pass the transaction of the change it describes. */
  record(executor: Executor, event: AuditEvent): Promise<void>;
  listForUser(executor: Executor, userId: string, limit: number): Promise<AuditEventRow[]>;
  listByAction(executor: Executor, action: AuditAction, limit: number): Promise<AuditEventRow[]>;
}

export function createAuditService(deps: { clock: Clock }): AuditService {
  return {
    record: (executor, event) =>
      insertAuditEvent(executor, {
        id: generateId(),
        action: event.action,
        outcome: event.outcome ?? "success",
        actorUserId: event.actorUserId ?? null,
        subjectUserId: event.subjectUserId ?? null,
        ip: event.ip ?? null,
        userAgent: event.userAgent ?? null,
        data: event.data ?? {},
        createdAt: deps.clock.now(),
      }),
    listForUser: listAuditEventsForUser,
    listByAction: listAuditEventsByAction,
  };
}

import type { Executor } from "../../kernel/db/database.js";
import { generateId } from "../../kernel/crypto/random.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Clock } from "../../kernel/time/clock.js";
import type { AuditAction } from "./events.js";
import type { SQL } from "drizzle-orm";
import { auditInsertFrom, insertAuditEvent, listAuditEventsByAction, listAuditEventsForUser } from "./store.js";
import type { AuditEventRow } from "./tables.js";

export interface AuditEvent {
  action: AuditAction;
  outcome?: "success" | "failure";
  actorUserId?: string | null;
  subjectUserId?: string | null;
  /** Never secrets: ids, reasons, counts. */
  data?: Record<string, unknown>;
}

/**
 * Where an event came from: a request's IP, user agent, id, and who acted (the context's actor, else
 * its principal); null for work no one asked for.
 */
export type AuditOrigin = Pick<RequestContext, "ip" | "userAgent" | "requestId" | "principal" | "actor"> | null;

/**
 * Who acted: the origin's actor (an administrator, a job), else the signed-in principal, else the
 * user the event names as actor (someone proving who they are by signing in), else nobody.
 */
function actorOf(
  event: { actorUserId?: string | null },
  origin: AuditOrigin,
): { actorType: "user" | "admin" | "system" | "anonymous"; actorUserId: string | null } {
  const actor = origin?.actor;
  if (actor) return { actorType: actor.type, actorUserId: actor.type === "system" ? null : actor.userId };
  const userId = origin?.principal?.userId ?? event.actorUserId ?? null;
  return { actorType: userId ? "user" : "anonymous", actorUserId: userId };
}

export interface AuditService {
  /** Records an event on `executor`: pass the transaction of the change it describes. */
  record(executor: Executor, event: AuditEvent, origin: AuditOrigin): Promise<void>;
  /**
   * `record` as an SQL statement, for a data-modifying CTE: one event for the row of `source` (at
   * most one), its user ids and data given as expressions over that row.
   */
  recordFrom(source: SQL, event: { action: AuditAction; actorUserId: SQL; subjectUserId: SQL; data: SQL }, origin: AuditOrigin): SQL;
  listForUser(executor: Executor, userId: string, limit: number): Promise<AuditEventRow[]>;
  listByAction(executor: Executor, action: AuditAction, limit: number): Promise<AuditEventRow[]>;
}

export function createAuditService(deps: { clock: Clock }): AuditService {
  return {
    record: (executor, event, origin) =>
      insertAuditEvent(executor, {
        id: generateId(),
        action: event.action,
        outcome: event.outcome ?? "success",
        ...actorOf(event, origin),
        subjectUserId: event.subjectUserId ?? null,
        ip: origin?.ip || null,
        userAgent: origin?.userAgent ?? null,
        requestId: origin?.requestId || null,
        data: { ...(origin?.actor?.type === "system" ? { system: origin.actor.name } : {}), ...event.data },
        createdAt: deps.clock.now(),
      }),
    recordFrom: (source, event, origin) =>
      auditInsertFrom(source, {
        id: generateId(),
        action: event.action,
        outcome: "success",
        actorType: "user",
        actorUserId: event.actorUserId,
        subjectUserId: event.subjectUserId,
        ip: origin?.ip ?? null,
        userAgent: origin?.userAgent ?? null,
        requestId: origin?.requestId ?? null,
        data: event.data,
        createdAt: deps.clock.now(),
      }),
    listForUser: listAuditEventsForUser,
    listByAction: listAuditEventsByAction,
  };
}

import { Counter, type Registry } from "prom-client";
import { generateId } from "../../kernel/crypto/random.js";
import type { Database, Executor } from "../../kernel/db/database.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import { addSeconds, type Clock } from "../../kernel/time/clock.js";
import type { AuditService } from "../audit/index.js";
import type { LoginFailureReason, LoginHistoryService } from "../login-history/index.js";
import type { Grants } from "./grants.js";
import { insertSession } from "./store.js";
import type { SessionGrant } from "./views.js";

/**
 * How a user proved who they are. `method` names the flow (`password`, `magic_link`, `email_code`,
 * `sms_code`, `sign_in_token`, `registration`, or an application's own for library sign-ins);
 * `amr` lists the RFC 8176 authentication method references it amounts to.
 */
export interface SignInProof {
  userId: string;
  method: string;
  amr: string[];
  /**
   * The session a sign-in token was issued from. A hand-off is not a new proof: the new session
   * keeps the old one's authentication time, ends no later than it, and ends with it.
   */
  parent?: { sessionId: string; authenticatedAt: Date; expiresAt: Date };
}

/** A sign-in that did not happen; `userId` when the attempt named an account. */
export interface FailedSignIn {
  userId: string | null;
  method: string;
  reason: LoginFailureReason;
}

export type SignIns = ReturnType<typeof createSignIns>;

/**
 * The one place where a proven user becomes a session, and where every failed sign-in is written
 * down, whatever the method: login history, audit and the sign-in metric are recorded here once, so
 * no flow can forget them. A second factor will be required here too, for every method at once.
 */
export function createSignIns(deps: {
  db: Database;
  clock: Clock;
  grants: Grants;
  loginHistory: LoginHistoryService;
  audit: AuditService;
  registry: Registry;
  config: { sessionTtlSeconds: number };
}) {
  const { db, clock, grants, loginHistory, audit } = deps;
  // Outcomes never say why a sign-in failed: "unknown account" beside "wrong password" would tell
  // anyone who can read the metrics which accounts exist.
  const outcomes = new Counter({
    name: "gatehouse_sign_in_total",
    help: "Sign-in attempts by method and outcome (success, failure, throttled).",
    labelNames: ["method", "outcome"],
    registers: [deps.registry],
  });

  return {
    /** Starts the session of a proven user, in the caller's transaction, and returns its grant. */
    async complete(executor: Executor, proof: SignInProof, context: RequestContext): Promise<SessionGrant> {
      const now = clock.now();
      const ownExpiry = addSeconds(now, deps.config.sessionTtlSeconds);
      const session = await insertSession(executor, {
        id: generateId(),
        userId: proof.userId,
        parentSessionId: proof.parent?.sessionId ?? null,
        method: proof.method,
        ip: context.ip,
        userAgent: context.userAgent,
        createdAt: now,
        authenticatedAt: proof.parent?.authenticatedAt ?? now,
        lastUsedAt: now,
        expiresAt: proof.parent && proof.parent.expiresAt < ownExpiry ? proof.parent.expiresAt : ownExpiry,
      });
      await loginHistory.record(executor, { userId: proof.userId, method: proof.method, succeeded: true }, context);
      await audit.record(
        executor,
        {
          action: "session.created",
          actorUserId: proof.userId,
          subjectUserId: proof.userId,
          data: { sessionId: session.id, method: proof.method, amr: proof.amr, parentSessionId: session.parentSessionId },
        },
        context,
      );
      const grant = await grants.complete(await grants.prepare(executor, session, null));
      outcomes.inc({ method: proof.method, outcome: "success" });
      return grant;
    },

    /** Records a failed sign-in (login history, audit, metric) in its own transaction. */
    async fail(attempt: FailedSignIn, context: RequestContext): Promise<void> {
      outcomes.inc({ method: attempt.method, outcome: attempt.reason === "throttled" ? "throttled" : "failure" });
      await db.transaction(async (tx) => {
        await loginHistory.record(tx, { userId: attempt.userId, method: attempt.method, succeeded: false, reason: attempt.reason }, context);
        await audit.record(
          tx,
          {
            action: "sign_in.failed",
            outcome: "failure",
            actorUserId: attempt.userId,
            subjectUserId: attempt.userId,
            data: { method: attempt.method, reason: attempt.reason },
          },
          context,
        );
      });
    },

    /** Counts an attempt refused before it named anyone (a spraying network): no rows, only the metric. */
    countRefused(method: string): void {
      outcomes.inc({ method, outcome: "throttled" });
    },
  };
}

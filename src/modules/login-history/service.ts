import type { Static } from "typebox";
import { generateId } from "../../kernel/crypto/random.js";
import type { Database, Executor } from "../../kernel/db/database.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Clock } from "../../kernel/time/clock.js";
import type { LoginAttemptSchema } from "./schemas.js";
import { insertLoginAttempt, listLoginAttempts } from "./store.js";

export type LoginFailureReason = "unknown_account" | "wrong_password" | "no_password" | "email_not_confirmed" | "throttled" | "invalid_token" | "invalid_code";

/** One sign-in attempt on the account, successful or not. */
export type LoginAttempt = Static<typeof LoginAttemptSchema>;

export interface LoginHistoryPage {
  items: LoginAttempt[];
  /** Pass as `before` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface LoginHistoryService {
  record(
    executor: Executor,
    attempt: { userId: string | null; method: string; succeeded: boolean; reason?: LoginFailureReason },
    context: RequestContext,
  ): Promise<void>;
  list(userId: string, options: { limit: number; before?: string }): Promise<LoginHistoryPage>;
}

export function createLoginHistoryService(deps: { db: Database; clock: Clock }): LoginHistoryService {
  return {
    record: (executor, attempt, context) =>
      insertLoginAttempt(executor, {
        id: generateId(),
        userId: attempt.userId,
        method: attempt.method,
        succeeded: attempt.succeeded,
        reason: attempt.reason ?? null,
        ip: context.ip,
        userAgent: context.userAgent,
        createdAt: deps.clock.now(),
      }),
    async list(userId, { limit, before }) {
      const rows = await listLoginAttempts(deps.db, userId, limit + 1, before);
      const items = rows.slice(0, limit).map(({ userId: _userId, ...attempt }) => attempt);
      return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
    },
  };
}

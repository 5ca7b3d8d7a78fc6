import { sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { Clock } from "../time/clock.js";
import type { Database } from "../db/database.js";
import { AppError } from "../errors/app-error.js";
import { KernelErrors } from "../errors/kernel-errors.js";
import { rateLimitCountersTable } from "./tables.js";

export interface RateRule {
  /** Namespaces the key, e.g. "sign-in:ip". */
  name: string;
  limit: number;
  windowSeconds: number;
}

export interface Consumption {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters shared by every Gatehouse node. `consume` counts the attempt before the
 * caller does any work, atomically, so a burst of concurrent attempts cannot all slip under the
 * limit and a throttled attempt costs no password hash.
 */
export interface RateLimiter {
  consume(rule: RateRule, subject: string): Promise<Consumption>;
  /** Consumes every rule; throws `rate_limited` (429, Retry-After) if any is exhausted. */
  enforce(checks: Array<[RateRule, string]>): Promise<void>;
  reset(rule: RateRule, subject: string): Promise<void>;
  expunge(): Promise<number>;
}

interface CounterStore {
  increment(key: string, windowSeconds: number): Promise<{ count: number; windowEndsAt: Date }>;
  delete(key: string): Promise<void>;
  expunge(): Promise<number>;
}

export function createRateLimiter(store: CounterStore, clock: Clock): RateLimiter {
  const keyOf = (rule: RateRule, subject: string) => `${rule.name}:${subject}`;
  const consume = async (rule: RateRule, subject: string): Promise<Consumption> => {
    const { count, windowEndsAt } = await store.increment(keyOf(rule, subject), rule.windowSeconds);
    const retryAfterSeconds = Math.max(1, Math.ceil((windowEndsAt.getTime() - clock.now().getTime()) / 1000));
    return { allowed: count <= rule.limit, count, retryAfterSeconds };
  };
  return {
    consume,
    async enforce(checks) {
      let retryAfter = 0;
      for (const [rule, subject] of checks) {
        const result = await consume(rule, subject);
        if (!result.allowed) retryAfter = Math.max(retryAfter, result.retryAfterSeconds);
      }
      if (retryAfter > 0) throw new AppError(KernelErrors.rate_limited, { retryAfterSeconds: retryAfter });
    },
    reset: (rule, subject) => store.delete(keyOf(rule, subject)),
    expunge: () => store.expunge(),
  };
}

/** Counters in PostgreSQL: one upsert per attempt; the row lock serialises concurrent attempts. */
export function createDatabaseCounterStore(db: Database, clock: Clock): CounterStore {
  const t = rateLimitCountersTable;
  return {
    async increment(key, windowSeconds) {
      const now = clock.now();
      const windowEndsAt = new Date(now.getTime() + windowSeconds * 1000);
      const [row] = await db
        .insert(t)
        .values({ key, count: 1, windowEndsAt })
        .onConflictDoUpdate({
          target: t.key,
          set: {
            count: sql`case when ${t.windowEndsAt} <= ${now} then 1 else ${t.count} + 1 end`,
            windowEndsAt: sql`case when ${t.windowEndsAt} <= ${now} then ${windowEndsAt} else ${t.windowEndsAt} end`,
          },
        })
        .returning({ count: t.count, windowEndsAt: t.windowEndsAt });
      return row!;
    },
    async delete(key) {
      await db.delete(t).where(sql`${t.key} = ${key}`);
    },
    async expunge() {
      const deleted = await db.delete(t).where(sql`${t.windowEndsAt} <= ${clock.now()}`).returning({ key: t.key });
      return deleted.length;
    },
  };
}

/** Counters in Redis (REDIS_URL): INCR and PEXPIRE in one MULTI; Redis expires the keys itself. */
export function createRedisCounterStore(redis: Redis, clock: Clock): CounterStore {
  return {
    async increment(key, windowSeconds) {
      const redisKey = `gatehouse:rl:${key}`;
      const results = await redis.multi().incr(redisKey).pexpire(redisKey, windowSeconds * 1000, "NX").pttl(redisKey).exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      const ttlMs = Number(results?.[2]?.[1] ?? windowSeconds * 1000);
      return { count, windowEndsAt: new Date(clock.now().getTime() + Math.max(ttlMs, 0)) };
    },
    async delete(key) {
      await redis.del(`gatehouse:rl:${key}`);
    },
    expunge: async () => 0,
  };
}

import { sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { Clock } from "../time/clock.js";
import type { Database, Executor } from "../db/database.js";
import { AppError } from "../errors/app-error.js";
import { KernelErrors, serviceUnavailable } from "../errors/kernel-errors.js";
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
  /** Clears a counter; with counters in the database, `executor` makes it part of the caller's transaction. */
  reset(rule: RateRule, subject: string, executor?: Executor): Promise<void>;
  expunge(): Promise<number>;
  /** Resolves when the counters' store answers (readiness); rejects otherwise. */
  ping(): Promise<void>;
}

interface CounterStore {
  /** Counts one attempt against every key at once (one round trip); results in the order given. */
  increment(counters: Array<{ key: string; windowSeconds: number }>): Promise<Array<{ count: number; windowEndsAt: Date }>>;
  delete(key: string, executor?: Executor): Promise<void>;
  expunge(): Promise<number>;
  ping(): Promise<void>;
}

export function createRateLimiter(store: CounterStore, clock: Clock): RateLimiter {
  const keyOf = (rule: RateRule, subject: string) => `${rule.name}:${subject}`;
  const consumeAll = async (checks: Array<[RateRule, string]>): Promise<Consumption[]> => {
    const counted = await store.increment(checks.map(([rule, subject]) => ({ key: keyOf(rule, subject), windowSeconds: rule.windowSeconds })));
    return counted.map(({ count, windowEndsAt }, index) => ({
      allowed: count <= checks[index]![0].limit,
      count,
      retryAfterSeconds: Math.max(1, Math.ceil((windowEndsAt.getTime() - clock.now().getTime()) / 1000)),
    }));
  };
  return {
    consume: async (rule, subject) => (await consumeAll([[rule, subject]]))[0]!,
    async enforce(checks) {
      const refused = (await consumeAll(checks)).filter((result) => !result.allowed);
      if (refused.length > 0) {
        throw new AppError(KernelErrors.rate_limited, { retryAfterSeconds: Math.max(...refused.map((r) => r.retryAfterSeconds)) });
      }
    },
    reset: (rule, subject, executor) => store.delete(keyOf(rule, subject), executor),
    expunge: () => store.expunge(),
    ping: () => store.ping(),
  };
}

/**
 * Counters in PostgreSQL: one multi-row upsert per attempt; row locks serialise concurrent
 * attempts, taken in key order so that two attempts sharing keys cannot deadlock.
 */
export function createDatabaseCounterStore(db: Database, clock: Clock): CounterStore {
  const t = rateLimitCountersTable;
  return {
    async increment(counters) {
      const now = clock.now();
      const keys = [...new Set(counters.map((c) => c.key))].sort();
      const windowOf = new Map(counters.map((c) => [c.key, c.windowSeconds]));
      const rows = await db
        .insert(t)
        .values(keys.map((key) => ({ key, count: 1, windowEndsAt: new Date(now.getTime() + windowOf.get(key)! * 1000) })))
        .onConflictDoUpdate({
          target: t.key,
          set: {
            count: sql`case when ${t.windowEndsAt} <= ${now} then 1 else ${t.count} + 1 end`,
            windowEndsAt: sql`case when ${t.windowEndsAt} <= ${now} then excluded.window_ends_at else ${t.windowEndsAt} end`,
          },
        })
        .returning({ key: t.key, count: t.count, windowEndsAt: t.windowEndsAt });
      const byKey = new Map(rows.map((row) => [row.key, row]));
      return counters.map((c) => byKey.get(c.key)!);
    },
    async delete(key, executor = db) {
      await executor.delete(t).where(sql`${t.key} = ${key}`);
    },
    async expunge() {
      const deleted = await db.delete(t).where(sql`${t.windowEndsAt} <= ${clock.now()}`).returning({ key: t.key });
      return deleted.length;
    },
    ping: async () => void (await db.execute(sql`select 1`)),
  };
}

/**
 * Counters in Redis (REDIS_URL): INCR and PEXPIRE in one MULTI; Redis expires the keys itself.
 * Fails closed: when Redis cannot count (down, too slow, an error reply), the attempt is refused
 * with 503 service_unavailable rather than let through unthrottled (the client: redis-client.ts).
 */
export function createRedisCounterStore(redis: Redis, clock: Clock): CounterStore {
  const orUnavailable = async <T>(command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch (error) {
      throw serviceUnavailable(error);
    }
  };
  return {
    async increment(counters) {
      const transaction = redis.multi();
      for (const { key, windowSeconds } of counters) {
        const redisKey = `gatehouse:rl:${key}`;
        transaction.incr(redisKey).pexpire(redisKey, windowSeconds * 1000, "NX").pttl(redisKey);
      }
      const results = await orUnavailable(async () => {
        const replies = await transaction.exec();
        // A missing or partial answer must not read as a count of zero: that would let the attempt through.
        if (!replies || replies.length !== counters.length * 3) throw new Error("Redis returned no complete answer to MULTI");
        const failed = replies.find(([error]) => error);
        if (failed) throw failed[0];
        return replies;
      });
      return counters.map(({ windowSeconds }, index) => {
        const count = Number(results[index * 3]?.[1] ?? 0);
        const ttlMs = Number(results[index * 3 + 2]?.[1] ?? windowSeconds * 1000);
        return { count, windowEndsAt: new Date(clock.now().getTime() + Math.max(ttlMs, 0)) };
      });
    },
    async delete(key) {
      await orUnavailable(() => redis.del(`gatehouse:rl:${key}`));
    },
    expunge: async () => 0,
    ping: async () => void (await redis.ping()),
  };
}

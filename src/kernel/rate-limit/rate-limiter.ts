import { and, count, gt, lte, sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { Clock } from "../time/clock.js";
import type { Database, Executor } from "../db/database.js";
import { AppError } from "../errors/app-error.js";
import { KernelErrors, serviceUnavailable } from "../errors/kernel-errors.js";
import { networkKey } from "./network-key.js";
import { rateLimitCountersTable, rateLimitMembersTable } from "./tables.js";

export interface RateRule {
  /** Namespaces the key, e.g. "sign-in:ip". */
  name: string;
  limit: number;
  windowSeconds: number;
  /** "network": the subject is a client IP, counted per network (an IPv6 /64) so rotating addresses does not escape it. */
  scope?: "network";
}

/**
 * Fixed-window counters shared by every Gatehouse node. `enforce` counts the attempt before the
 * caller does any work, atomically, so a burst of concurrent attempts cannot all slip under the
 * limit and a throttled attempt costs no password hash.
 *
 * Distinct budgets count members instead of attempts (the accounts one address failed to sign in
 * to): `addDistinct` after a failure, `enforceDistinct` before any work. Members expire one window
 * after they were last added.
 */
export interface RateLimiter {
  /** Consumes every rule; throws `rate_limited` (429, Retry-After) if any is exhausted. */
  enforce(checks: Array<[RateRule, string]>): Promise<void>;
  /** Clears a counter; with counters in the database, `executor` makes it part of the caller's transaction. */
  reset(rule: RateRule, subject: string, executor?: Executor): Promise<void>;
  /** Throws `rate_limited` when `subject` already has `rule.limit` distinct members. Counts nothing. */
  enforceDistinct(rule: RateRule, subject: string): Promise<void>;
  /** Adds `member` under `subject` (again: its window restarts); returns how many distinct members there are. */
  addDistinct(rule: RateRule, subject: string, member: string): Promise<number>;
  expunge(): Promise<number>;
  /** Resolves when the counters' store answers (readiness); rejects otherwise. */
  ping(): Promise<void>;
}

export interface CounterStore {
  /** Counts one attempt against every key at once (one round trip); results in the order given. */
  increment(counters: Array<{ key: string; windowSeconds: number }>): Promise<Array<{ count: number; windowEndsAt: Date }>>;
  delete(key: string, executor?: Executor): Promise<void>;
  addMember(key: string, member: string, windowSeconds: number): Promise<number>;
  countMembers(key: string): Promise<number>;
  expunge(): Promise<number>;
  ping(): Promise<void>;
}

export function createRateLimiter(store: CounterStore, clock: Clock): RateLimiter {
  const keyOf = (rule: RateRule, subject: string) => `${rule.name}:${rule.scope === "network" ? networkKey(subject) : subject}`;
  const limited = (retryAfterSeconds: number) => new AppError(KernelErrors.rate_limited, { retryAfterSeconds });
  return {
    async enforce(checks) {
      const counted = await store.increment(checks.map(([rule, subject]) => ({ key: keyOf(rule, subject), windowSeconds: rule.windowSeconds })));
      const refused = counted.filter(({ count }, index) => count > checks[index]![0].limit);
      if (refused.length > 0) {
        const latestEnd = Math.max(...refused.map((r) => r.windowEndsAt.getTime()));
        throw limited(Math.max(1, Math.ceil((latestEnd - clock.now().getTime()) / 1000)));
      }
    },
    reset: (rule, subject, executor) => store.delete(keyOf(rule, subject), executor),
    async enforceDistinct(rule, subject) {
      // The oldest member may expire sooner; the whole window is the honest upper bound.
      if ((await store.countMembers(keyOf(rule, subject))) >= rule.limit) throw limited(rule.windowSeconds);
    },
    addDistinct: (rule, subject, member) => store.addMember(keyOf(rule, subject), member, rule.windowSeconds),
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
  const m = rateLimitMembersTable;
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
    async addMember(key, member, windowSeconds) {
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + windowSeconds * 1000);
      await db
        .insert(m)
        .values({ key, member, expiresAt })
        .onConflictDoUpdate({ target: [m.key, m.member], set: { expiresAt } });
      return countLiveMembers(db, key, now);
    },
    countMembers: (key) => countLiveMembers(db, key, clock.now()),
    async expunge() {
      const now = clock.now();
      const counters = await db
        .delete(t)
        .where(sql`${t.windowEndsAt} <= ${now}`)
        .returning({ key: t.key });
      const members = await db.delete(m).where(lte(m.expiresAt, now)).returning({ key: m.key });
      return counters.length + members.length;
    },
    ping: async () => void (await db.execute(sql`select 1`)),
  };
}

async function countLiveMembers(db: Database, key: string, now: Date): Promise<number> {
  const m = rateLimitMembersTable;
  const [row] = await db
    .select({ members: count() })
    .from(m)
    .where(and(sql`${m.key} = ${key}`, gt(m.expiresAt, now)));
  return row?.members ?? 0;
}

/**
 * Counters in Redis (REDIS_URL): INCR and PEXPIRE in one MULTI; Redis expires the keys itself.
 * Distinct members are a sorted set scored by expiry time. Every key starts with `prefix`, so
 * several deployments can share one Redis. Fails closed: when Redis cannot count (down, too slow,
 * an error reply), the attempt is refused with 503 service_unavailable rather than let through
 * unthrottled (the client: redis-client.ts).
 */
export function createRedisCounterStore(redis: Redis, clock: Clock, prefix = "gatehouse:"): CounterStore {
  const counterKey = (key: string) => `${prefix}rl:${key}`;
  const membersKey = (key: string) => `${prefix}rlm:${key}`;
  const orUnavailable = async <T>(command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch (error) {
      throw serviceUnavailable(error);
    }
  };
  /** A MULTI's replies, all of them: a missing or partial answer must not read as a count of zero, which would let the attempt through. */
  const allReplies = async (transaction: ReturnType<Redis["multi"]>, expected: number) =>
    orUnavailable(async () => {
      const replies = await transaction.exec();
      if (!replies || replies.length !== expected) throw new Error("Redis returned no complete answer to MULTI");
      const failed = replies.find(([error]) => error);
      if (failed) throw failed[0];
      return replies;
    });
  return {
    async increment(counters) {
      const transaction = redis.multi();
      for (const { key, windowSeconds } of counters) {
        const redisKey = counterKey(key);
        transaction
          .incr(redisKey)
          .pexpire(redisKey, windowSeconds * 1000, "NX")
          .pttl(redisKey);
      }
      const results = await allReplies(transaction, counters.length * 3);
      return counters.map(({ windowSeconds }, index) => {
        const count = Number(results[index * 3]?.[1] ?? 0);
        const ttlMs = Number(results[index * 3 + 2]?.[1] ?? windowSeconds * 1000);
        return { count, windowEndsAt: new Date(clock.now().getTime() + Math.max(ttlMs, 0)) };
      });
    },
    async delete(key) {
      await orUnavailable(() => redis.del(counterKey(key)));
    },
    async addMember(key, member, windowSeconds) {
      const now = clock.now().getTime();
      const redisKey = membersKey(key);
      const transaction = redis
        .multi()
        .zadd(redisKey, now + windowSeconds * 1000, member)
        .zremrangebyscore(redisKey, "-inf", now)
        .zcard(redisKey)
        .pexpire(redisKey, windowSeconds * 1000);
      const results = await allReplies(transaction, 4);
      return Number(results[2]?.[1] ?? 0);
    },
    countMembers: (key) => orUnavailable(() => redis.zcount(membersKey(key), `(${clock.now().getTime()}`, "+inf")),
    expunge: async () => 0,
    ping: async () => void (await redis.ping()),
  };
}

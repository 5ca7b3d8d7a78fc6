import { Redis } from "ioredis";
import type { Logger } from "../logging/logger.js";

/**
 * The Redis connection behind shared throttling counters, set to fail fast rather than wait: a
 * command that Redis does not answer within `timeoutMs` fails (commandTimeout), a socket that stops
 * answering is replaced (socketTimeout), and nothing is queued while disconnected
 * (enableOfflineQueue: false), so a request never hangs on Redis; the limiter turns every such
 * failure into 503 service_unavailable. ioredis reconnects by itself, so recovery needs no restart.
 *
 * Start-up waits for Redis up to `timeoutMs` and fails with a message naming it: counters that
 * cannot be kept mean no throttling, and Gatehouse does not run unthrottled.
 */
export async function connectRedis(url: string, timeoutMs: number, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    keepAlive: 10_000,
    // Quick first retries for a blip, then one attempt every 2 s while Redis stays away.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  const server = describeRedis(url);
  let down = false;
  redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err: error, redis: server }, "Redis is unreachable: throttled requests answer 503 until it is back");
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    logger.info({ redis: server }, "Redis is reachable again");
  });

  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms (GATEHOUSE_REDIS_TIMEOUT_MS)`)), timeoutMs))),
    ]);
  } catch (error) {
    redis.disconnect();
    throw new Error(`cannot connect to Redis at ${server}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  return redis;
}

/** Host and port of a Redis URL, without its password. */
function describeRedis(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || "6379"}`;
}

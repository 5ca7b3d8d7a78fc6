/**
 * The constraint named by a unique violation (SQLSTATE 23505), or null for any other error. Both
 * drivers report `code` and `constraint`; Drizzle may wrap the driver error in `cause`.
 */
export function uniqueViolation(error: unknown): string | null {
  for (let current: unknown = error, depth = 0; current && depth < 3; depth++) {
    const candidate = current as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (candidate.code === "23505") return typeof candidate.constraint === "string" ? candidate.constraint : "";
    current = candidate.cause;
  }
  return null;
}

/** Socket errors of a server that is down, unreachable or gone mid-conversation. */
const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNABORTED",
]);

/**
 * SQLSTATEs of a server that cannot serve now: class 08 (connection exception), 57P01-57P03
 * (admin shutdown, crash shutdown, cannot connect now: starting or in recovery), 53300 (too many
 * connections) and 57014 (query canceled: our statement_timeout).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300|57014)$/;

/**
 * node-postgres and PGlite report their own connection failures without a code, only a message:
 * a pool that could not connect in time, a connection that died or timed out, a closed handle.
 */
const DRIVER_MESSAGES = [
  /^timeout exceeded when trying to connect$/,
  /^Connection terminated/,
  /^Query read timeout$/,
  /^timeout expired$/,
  /is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^PGlite is closed$/,
];

/**
 * True when `error` (or what it wraps: Drizzle puts the driver's error in `cause`) says the database
 * could not be reached or could not answer in time: a fault of the moment, not of the request.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 10) {
    const current = queue.shift();
    if (!current || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.code === "string" && (NETWORK_ERROR_CODES.has(candidate.code) || UNAVAILABLE_SQLSTATE.test(candidate.code))) return true;
    if (typeof candidate.message === "string" && DRIVER_MESSAGES.some((pattern) => pattern.test(candidate.message as string))) return true;
    queue.push(candidate.cause);
    // A host name with several addresses fails with an AggregateError of one error per address.
    if (Array.isArray(candidate.errors)) queue.push(...candidate.errors);
  }
  return false;
}

/** Start-up could not reach PostgreSQL: the message names the server (never the credentials) and the reason. */
export class DatabaseUnreachableError extends Error {
  override name = "DatabaseUnreachableError";
  constructor(server: string, connectTimeoutMs: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const timedOut = /timeout/i.test(reason);
    super(
      `cannot connect to PostgreSQL at ${server}: ${reason}` +
        (timedOut ? ` (no answer within ${connectTimeoutMs} ms; GATEHOUSE_DATABASE_CONNECT_TIMEOUT_MS)` : ""),
      { cause },
    );
  }
}

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

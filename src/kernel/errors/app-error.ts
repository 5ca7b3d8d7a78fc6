/**
 * The one error type of Gatehouse. `code` is a stable, machine-readable contract (append-only),
 * `message` is safe to show to anyone; anything private travels in `cause` and goes to logs only.
 */
export interface ErrorDefinition {
  code: string;
  status: number;
  message: string;
}

export class AppError extends Error {
  override name = "AppError";
  readonly code: string;
  readonly status: number;
  /** Field-level problems, only for validation failures. */
  readonly details?: unknown;
  /** Seconds until a throttled caller may retry; rendered as the Retry-After header. */
  readonly retryAfterSeconds?: number;

  constructor(definition: ErrorDefinition, options: { cause?: unknown; details?: unknown; retryAfterSeconds?: number } = {}) {
    super(definition.message, { cause: options.cause });
    this.code = definition.code;
    this.status = definition.status;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

const registry = new Map<string, ErrorDefinition>();

/**
 * Declares a module's error codes once. Codes are checked for uniqueness across modules at load
 * time, so two modules cannot give the same code two meanings.
 */
export function defineErrorCodes<const T extends Record<string, { status: number; message: string }>>(
  codes: T,
): { [K in keyof T]: ErrorDefinition & { code: K } } {
  const out = {} as Record<string, ErrorDefinition>;
  for (const [code, { status, message }] of Object.entries(codes)) {
    const existing = registry.get(code);
    if (existing && (existing.status !== status || existing.message !== message)) {
      throw new Error(`error code "${code}" is defined twice with different meanings`);
    }
    const definition = { code, status, message };
    registry.set(code, definition);
    out[code] = definition;
  }
  return out as { [K in keyof T]: ErrorDefinition & { code: K } };
}

/** Every code defined so far, for docs/errors.md. */
export function listErrorCodes(): ErrorDefinition[] {
  return [...registry.values()].sort((a, b) => a.code.localeCompare(b.code));
}

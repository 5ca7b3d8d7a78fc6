import { STATUS_CODES } from "node:http";
import type { TSchema } from "typebox";
import type { ErrorDefinition } from "../errors/app-error.js";

/** How the errors of a group of routes look on the wire: the component they reference, and one rendered. */
export interface ErrorShape<S extends TSchema = TSchema> {
  schema: S;
  /** The body `error` is sent as, shown as the example of its code. */
  example(error: ErrorDefinition): unknown;
}

interface CodeExample {
  summary: string;
  value: unknown;
}

/**
 * One error status of a route in the OpenAPI document: its description names the codes it can
 * carry, and each code has an example with its real message. Fastify serializes the response
 * with `schema` (the `content` form of a response schema).
 */
export interface ErrorResponse<S extends TSchema = TSchema> {
  description: string;
  headers?: Record<string, { type: "integer"; minimum: number; description: string }>;
  content: { "application/json": { schema: S; examples: Record<string, CodeExample> } };
}

// Both are sent with Retry-After (kernel/http/error-handler.ts renders AppError.retryAfterSeconds).
const RETRY_AFTER_STATUSES = new Set([429, 503]);

function describe(status: number, codes: string[]): string {
  return `${STATUS_CODES[status] ?? "Error"}: ${codes.map((code) => `\`${code}\``).join(", ")}.`;
}

function responseFor<S extends TSchema>(shape: ErrorShape<S>, status: number, examples: Record<string, CodeExample>): ErrorResponse<S> {
  return {
    description: describe(status, Object.keys(examples)),
    ...(RETRY_AFTER_STATUSES.has(status)
      ? { headers: { "retry-after": { type: "integer", minimum: 1, description: "Seconds to wait before trying again." } } }
      : {}),
    content: { "application/json": { schema: shape.schema, examples } },
  };
}

/** The response entries for `errors`, grouped by status, in the shape of the routes' error handler. */
export function errorResponsesFor<S extends TSchema>(shape: ErrorShape<S>, errors: ErrorDefinition[]): Record<number, ErrorResponse<S>> {
  const byStatus = new Map<number, Record<string, CodeExample>>();
  for (const error of errors) {
    const examples = byStatus.get(error.status) ?? {};
    examples[error.code] = { summary: error.message, value: shape.example(error) };
    byStatus.set(error.status, examples);
  }
  return Object.fromEntries([...byStatus].map(([status, examples]) => [status, responseFor(shape, status, examples)]));
}

function isErrorResponse(entry: unknown): entry is ErrorResponse {
  return typeof (entry as ErrorResponse | undefined)?.content?.["application/json"]?.examples === "object";
}

/**
 * Adds `extra` error responses to a route's response map: a status the route already documents
 * as errors gains the extra codes; one it documents otherwise (a 503 with its own body) is kept.
 */
export function mergeErrorResponses(responses: Record<string, unknown>, extra: Record<number, ErrorResponse>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...responses };
  for (const [status, addition] of Object.entries(extra)) {
    const existing = merged[status];
    if (existing === undefined) merged[status] = addition;
    else if (isErrorResponse(existing)) {
      const examples = { ...existing.content["application/json"].examples, ...addition.content["application/json"].examples };
      merged[status] = {
        ...existing,
        description: describe(Number(status), Object.keys(examples)),
        content: { "application/json": { ...existing.content["application/json"], examples } },
      };
    }
  }
  return merged;
}

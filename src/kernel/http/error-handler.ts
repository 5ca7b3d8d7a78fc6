import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, type ErrorDefinition } from "../errors/app-error.js";
import { isDatabaseUnavailable } from "../db/errors.js";
import { KernelErrors, serviceUnavailable } from "../errors/kernel-errors.js";
import type { ErrorShape } from "./error-responses.js";
import { jsonErrorShape } from "./schemas.js";

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Maps Fastify's own errors (parsing, validation, limits) onto Gatehouse's stable codes. */
function fromFastifyError(error: FastifyError): AppError | null {
  if (error.validation) {
    const details = error.validation.map((v) => ({
      path: `${error.validationContext ?? "body"}${v.instancePath}`,
      message: v.message ?? "is invalid",
      ...(v.keyword === "additionalProperties" ? { field: (v.params as { additionalProperty?: string }).additionalProperty } : {}),
    }));
    return new AppError(KernelErrors.validation_failed, { details });
  }
  const byCode: Record<string, ErrorDefinition> = {
    FST_ERR_CTP_BODY_TOO_LARGE: KernelErrors.payload_too_large,
    FST_ERR_CTP_INVALID_MEDIA_TYPE: KernelErrors.unsupported_media_type,
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: KernelErrors.invalid_json,
    FST_ERR_CTP_EMPTY_JSON_BODY: KernelErrors.invalid_json,
    FST_ERR_CTP_INVALID_JSON_BODY: KernelErrors.invalid_json,
    // @fastify/csrf-protection (kernel/http/csrf.ts): no secret cookie, or a token that does not match it.
    FST_CSRF_MISSING_SECRET: KernelErrors.invalid_csrf_token,
    FST_CSRF_INVALID_TOKEN: KernelErrors.invalid_csrf_token,
  };
  const definition = error.code ? byCode[error.code] : undefined;
  if (definition) return new AppError(definition);
  if (error instanceof SyntaxError) return new AppError(KernelErrors.invalid_json);
  // Any other 4xx raised by Fastify or a plugin keeps its status under a generic code.
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError(error.statusCode === 404 ? KernelErrors.not_found : { ...KernelErrors.bad_request, status: error.statusCode });
  }
  return null;
}

// Keyed by the handler in force (`instance.errorHandler`), which child instances inherit with it.
const errorShapes = new WeakMap<object, ErrorShape>();

/**
 * Renders every error as `{"error": {"code", "message"}}`. A 5xx never exposes its cause: the
 * body says internal_error, the log carries the detail. A database that cannot be reached or
 * does not answer in time is a fault of the moment, told apart here once for every module:
 * 503 service_unavailable with Retry-After, so clients and load balancers back off and retry.
 * A plugin rendering errors its own way passes its `render` and, if its routes are documented,
 * the `shape` of what it renders.
 */
export function registerErrorHandler(
  app: FastifyInstance,
  render: (reply: FastifyReply, error: AppError) => unknown = renderJson,
  options: { notFound?: boolean; shape?: ErrorShape } = {},
): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = error instanceof AppError ? error : (fromFastifyError(error) ?? (isDatabaseUnavailable(error) ? serviceUnavailable(error) : null));
    if (!appError) {
      request.log.error({ err: error }, "unhandled error");
      return render(reply, new AppError(KernelErrors.internal_error, { cause: error }));
    }
    // An unreachable dependency is reported by /readyz too; one warning per request is enough.
    if (appError.status === 503) request.log.warn({ err: appError.cause ?? appError }, appError.code);
    else if (appError.status >= 500) request.log.error({ err: appError.cause ?? appError }, appError.code);
    return render(reply, appError);
  });
  const shape = options.shape ?? (render === renderJson ? jsonErrorShape : undefined);
  if (shape) errorShapes.set(app.errorHandler, shape);
  // A plugin mounted at the root must not take over the server's 404s: it passes notFound: false.
  if (options.notFound ?? true) app.setNotFoundHandler((_request, reply) => render(reply, new AppError(KernelErrors.not_found)));
}

export function renderJson(reply: FastifyReply, error: AppError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header("retry-after", String(error.retryAfterSeconds));
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  return reply.code(error.status).type("application/json; charset=utf-8").send(body);
}

/** The shape of the errors rendered for routes of `instance`, as its error handler registered it. */
export function errorShapeOf(instance: FastifyInstance): ErrorShape | undefined {
  return errorShapes.get(instance.errorHandler);
}

/**
 * Errors the router raises before any route runs (a malformed percent-encoding, an over-long path
 * segment): the same error shape as every other, and never an echo of the URL.
 */
export function renderRouterError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const definition =
    error.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? KernelErrors.uri_too_long
      : error.code === "FST_ERR_BAD_URL"
        ? KernelErrors.invalid_url
        : KernelErrors.bad_request;
  return renderJson(reply, new AppError(definition));
}

import { AppError, defineErrorCodes } from "./app-error.js";

export const KernelErrors = defineErrorCodes({
  validation_failed: { status: 400, message: "The request is not valid. See details for the fields at fault." },
  invalid_json: { status: 400, message: "The request body is not valid JSON." },
  invalid_encoding: { status: 400, message: "The request body is not valid UTF-8 or contains a null character." },
  payload_too_large: { status: 413, message: "The request body is too large." },
  unsupported_media_type: { status: 415, message: "The request body must be application/json." },
  bad_request: { status: 400, message: "The request could not be processed." },
  invalid_url: { status: 400, message: "The address of the request is not valid (check its percent-encoding)." },
  uri_too_long: { status: 414, message: "A part of the address of the request is too long." },
  not_found: { status: 404, message: "There is nothing at this address." },
  rate_limited: { status: 429, message: "Too many attempts. Wait before trying again." },
  unauthenticated: { status: 401, message: "A valid access token is required." },
  reauthentication_required: { status: 403, message: "Confirm it's you first: reauthenticate with POST /v1/sessions/current/reauthenticate, then try again." },
  server_busy: { status: 503, message: "The server is busy. Try again in a moment." },
  cross_site_request: {
    status: 403,
    message: "This form was sent from another site, so it was refused. Open the page again from your email or this site, and send it from there.",
  },
  invalid_csrf_token: { status: 403, message: "This form has expired or did not come from this page. Reload the page and send it again." },
  internal_error: { status: 500, message: "Something went wrong on our side." },
  service_unavailable: { status: 503, message: "The service is temporarily unavailable. Try again shortly." },
});

/** How long a client is asked to wait while a dependency (the database, Redis) is unreachable. */
const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/** A dependency did not answer: 503 with Retry-After; `cause` goes to the log only. */
export function serviceUnavailable(cause: unknown): AppError {
  return new AppError(KernelErrors.service_unavailable, { cause, retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS });
}

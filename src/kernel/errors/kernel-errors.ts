import { defineErrorCodes } from "./app-error.js";

export const KernelErrors = defineErrorCodes({
  validation_failed: { status: 400, message: "The request is not valid. See details for the fields at fault." },
  invalid_json: { status: 400, message: "The request body is not valid JSON." },
  invalid_encoding: { status: 400, message: "The request body is not valid UTF-8 or contains a null character." },
  payload_too_large: { status: 413, message: "The request body is too large." },
  unsupported_media_type: { status: 415, message: "The request body must be application/json." },
  not_found: { status: 404, message: "There is nothing at this address." },
  method_not_allowed: { status: 405, message: "This method is not allowed here." },
  rate_limited: { status: 429, message: "Too many attempts. Wait before trying again." },
  unauthenticated: { status: 401, message: "A valid access token is required." },
  permission_denied: { status: 403, message: "You are not allowed to do this." },
  service_unavailable: { status: 503, message: "The service is temporarily unavailable." },
  internal_error: { status: 500, message: "Something went wrong on our side." },
});

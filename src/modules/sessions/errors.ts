import { defineErrorCodes } from "../../kernel/errors/app-error.js";

export const SessionErrors = defineErrorCodes({
  invalid_credentials: { status: 401, message: "The login or password is not correct." },
  email_not_confirmed: { status: 403, message: "Confirm your email address before signing in." },
  invalid_sign_in_token: { status: 401, message: "The sign-in token is invalid, expired or already used." },
  invalid_refresh_token: { status: 401, message: "The refresh token is invalid or expired." },
  refresh_token_reused: { status: 401, message: "This refresh token was already used. The session has been ended; sign in again." },
  session_not_found: { status: 404, message: "The session was not found." },
});

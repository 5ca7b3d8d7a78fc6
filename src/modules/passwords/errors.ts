import { defineErrorCodes } from "../../kernel/errors/app-error.js";

export const PasswordErrors = defineErrorCodes({
  invalid_reset_token: { status: 400, message: "This password reset link is invalid or has expired. Request a new one." },
});

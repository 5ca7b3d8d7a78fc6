import { defineErrorCodes } from "../../kernel/errors/app-error.js";

export const TokenErrors = defineErrorCodes({
  invalid_token: { status: 401, message: "The access token is invalid, expired or revoked." },
  invalid_code: { status: 400, message: "The code is incorrect, expired or already used. Check it or request a new one." },
  too_many_code_attempts: { status: 429, message: "Too many wrong codes. Wait before requesting a new code." },
});

/** Why an entered code is refused (magic-codes.ts `codeFailure`). */
export const codeErrors = [TokenErrors.invalid_code, TokenErrors.too_many_code_attempts];

import { defineErrorCodes } from "../../kernel/errors/app-error.js";

export const TokenErrors = defineErrorCodes({
  invalid_token: { status: 401, message: "The access token is invalid, expired or revoked." },
});

import { defineErrorCodes } from "../../kernel/errors/app-error.js";

export const OpsErrors = defineErrorCodes({
  metrics_token_invalid: { status: 401, message: "A valid metrics token is required." },
});

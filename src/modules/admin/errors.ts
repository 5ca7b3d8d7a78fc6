import { defineErrorCodes } from "../../kernel/errors/app-error.js";

export const AdminErrors = defineErrorCodes({
  admin_token_invalid: { status: 401, message: "A valid admin token is required." },
  outbox_message_not_found: { status: 404, message: "There is no queued message with this id." },
  outbox_message_not_failed: { status: 409, message: "Only a message that failed permanently can be retried." },
});

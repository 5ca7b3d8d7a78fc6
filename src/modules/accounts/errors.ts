import { defineErrorCodes } from "../../kernel/errors/app-error.js";

export const AccountErrors = defineErrorCodes({
  email_taken: { status: 409, message: "An account with this email address already exists." },
  username_taken: { status: 409, message: "This username is taken." },
  metadata_too_large: { status: 400, message: "Metadata may not exceed 16 KB of JSON." },
  user_not_found: { status: 404, message: "The user was not found." },
});

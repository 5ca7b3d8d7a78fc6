import { defineErrorCodes } from "../../kernel/errors/app-error.js";

export const PasswordlessErrors = defineErrorCodes({
  invalid_magic_link: { status: 401, message: "This sign-in link is invalid, expired or already used. Request a new one." },
});

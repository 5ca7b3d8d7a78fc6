import { defineErrorCodes } from "../../kernel/errors/app-error.js";

export const IdentityErrors = defineErrorCodes({
  invalid_confirmation_token: { status: 400, message: "This confirmation link is invalid or has expired. Request a new one." },
  identity_not_found: { status: 404, message: "This email address or phone number is not on your account." },
  identity_taken: { status: 409, message: "This email address or phone number belongs to another account." },
  verified_identity_required: { status: 403, message: "Verify the email address or phone number of your account before adding another one." },
  last_sign_in_method: { status: 409, message: "This is the only way left to sign in to the account. Add another email address or phone number first." },
  last_recovery_channel: {
    status: 409,
    message: "This is the only email address or phone number of the account: without it a forgotten password could not be reset. Add another one first.",
  },
  email_unchanged: { status: 400, message: "This is already the email address of the account." },
  invalid_email_change_token: { status: 400, message: "This email change link is invalid, expired or already used. Request the change again." },
});

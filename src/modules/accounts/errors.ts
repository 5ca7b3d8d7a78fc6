import { AddressErrors } from "../../kernel/addresses/errors.js";
import { KernelErrors } from "../../kernel/errors/kernel-errors.js";
import { defineErrorCodes } from "../../kernel/errors/app-error.js";
import { AuthenticatorErrors, passwordPolicyErrors } from "../authenticators/index.js";

export const AccountErrors = defineErrorCodes({
  email_taken: { status: 409, message: "An account with this email address already exists." },
  username_taken: { status: 409, message: "This username is taken." },
  metadata_too_large: { status: 400, message: "Metadata may not exceed 16 KB of JSON." },
  user_not_found: { status: 404, message: "The user was not found." },
});

/** What a registration can be refused with (POST /v1/users and AccessPass's /register alike). */
export const registrationErrors = [
  AddressErrors.invalid_email,
  AccountErrors.metadata_too_large,
  AuthenticatorErrors.password_confirmation_mismatch,
  ...passwordPolicyErrors,
  AccountErrors.email_taken,
  AccountErrors.username_taken,
  KernelErrors.rate_limited,
  KernelErrors.server_busy,
];

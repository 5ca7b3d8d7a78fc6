import { defineErrorCodes } from "../../kernel/errors/app-error.js";

export const AuthenticatorErrors = defineErrorCodes({
  password_too_short: { status: 400, message: "The password is too short." },
  password_too_long: { status: 400, message: "The password may not be longer than 1024 characters." },
  password_too_common: { status: 400, message: "This password is too common. Choose one that is harder to guess." },
  password_contains_personal_info: { status: 400, message: "The password may not contain your email address, username or name." },
  // The thrown error adds zxcvbn's warning and suggestions to the message, and carries them in `details`.
  password_too_guessable: { status: 400, message: "This password is too easy to guess." },
  password_confirmation_mismatch: { status: 400, message: "The password confirmation does not match the password." },
  invalid_current_password: { status: 400, message: "The current password is not correct." },
});

/** Why a new password is refused (password-policy.ts), for the routes that set one. */
export const passwordPolicyErrors = [
  AuthenticatorErrors.password_too_short,
  AuthenticatorErrors.password_too_long,
  AuthenticatorErrors.password_too_common,
  AuthenticatorErrors.password_contains_personal_info,
  AuthenticatorErrors.password_too_guessable,
];

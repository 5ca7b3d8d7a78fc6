import { AppError } from "../../kernel/errors/app-error.js";
import { isCommonPassword } from "./blocklist.js";
import { PasswordErrors } from "./errors.js";

/** NIST SP 800-63B-4 §3.1.1.2: accept at least 64 characters; Gatehouse accepts 1,024. */
export const PASSWORD_MAX_LENGTH = 1024;
// Below this length a local part or username ("jo") is too short to be meaningful personal information.
const PERSONAL_INFO_MIN_LENGTH = 3;

export interface PasswordContext {
  email?: string | null;
  username?: string | null;
}

/**
 * Normalises a password the way it is hashed and verified: NFC, nothing else. No trimming, no case
 * folding, no truncation: the password is verified exactly as typed.
 */
export function normalizePassword(password: string): string {
  return password.normalize("NFC");
}

/** Length in Unicode code points, so "🔑" counts as one character, not two UTF-16 units. */
export function passwordLength(password: string): number {
  return [...password].length;
}

export function isPasswordTooLong(password: string): boolean {
  return passwordLength(password) > PASSWORD_MAX_LENGTH;
}

/**
 * Checks a new password against the policy (length, blocklist, personal information). No
 * composition rules, per NIST. Throws AppError with the reason; returns the normalised password.
 */
export function checkNewPassword(password: string, minLength: number, context: PasswordContext = {}): string {
  const normalized = normalizePassword(password);
  const length = passwordLength(normalized);
  if (length > PASSWORD_MAX_LENGTH) throw new AppError(PasswordErrors.password_too_long);
  if (length < minLength) {
    throw new AppError({ ...PasswordErrors.password_too_short, message: `The password must be at least ${minLength} characters long.` });
  }
  if (isCommonPassword(normalized)) throw new AppError(PasswordErrors.password_too_common);
  const lowered = normalized.toLowerCase();
  const personal = [context.email?.split("@")[0], context.username].filter(
    (value): value is string => typeof value === "string" && value.length >= PERSONAL_INFO_MIN_LENGTH,
  );
  if (personal.some((value) => lowered.includes(value.toLowerCase()))) throw new AppError(PasswordErrors.password_contains_personal_info);
  return normalized;
}

export function checkConfirmation(password: string, confirmation: string): void {
  if (password !== confirmation) throw new AppError(PasswordErrors.password_confirmation_mismatch);
}

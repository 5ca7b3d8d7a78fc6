import { AppError } from "../../kernel/errors/app-error.js";
import { isCommonPassword } from "./blocklist.js";
import { AuthenticatorErrors } from "./errors.js";
import { estimateGuessability, MIN_GUESSES_LOG10 } from "./guessability.js";

/** NIST SP 800-63B-4 §3.1.1.2: accept at least 64 characters; Gatehouse accepts 1,024. */
export const PASSWORD_MAX_LENGTH = 1024;
// Below this length a local part or username ("jo") is too short to be meaningful personal information.
const PERSONAL_INFO_MIN_LENGTH = 3;
// A word of a name is looked for anywhere in the password, and short given names ("Ann", "Lee")
// sit inside ordinary words ("planning", "sleep"). The estimator still knows them as personal words.
const NAME_WORD_MIN_LENGTH = 4;

export interface PasswordContext {
  email?: string | null;
  username?: string | null;
  /** The user's display name (profile `name`). */
  name?: string | null;
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
 * Checks a new password against the policy: length, blocklist, personal information, then how
 * guessable it is. No composition rules, per NIST. Throws AppError with the reason (for a
 * guessable password, zxcvbn's warning and suggestions in the message and in `details`); returns
 * the normalised password.
 */
export function checkNewPassword(password: string, minLength: number, context: PasswordContext = {}): string {
  const normalized = normalizePassword(password);
  const length = passwordLength(normalized);
  if (length > PASSWORD_MAX_LENGTH) throw new AppError(AuthenticatorErrors.password_too_long);
  if (length < minLength) {
    throw new AppError({ ...AuthenticatorErrors.password_too_short, message: `The password must be at least ${minLength} characters long.` });
  }
  if (isCommonPassword(normalized)) throw new AppError(AuthenticatorErrors.password_too_common);
  const folded = fold(normalized);
  if (personalValues(context).some((value) => folded.includes(value))) throw new AppError(AuthenticatorErrors.password_contains_personal_info);
  const { guessesLog10, warning, suggestions } = estimateGuessability(normalized, personalWords(context));
  if (guessesLog10 < MIN_GUESSES_LOG10) {
    const reason = [warning, ...suggestions].filter((text): text is string => text !== null).join(" ");
    throw new AppError(
      { ...AuthenticatorErrors.password_too_guessable, message: `${AuthenticatorErrors.password_too_guessable.message} ${reason}` },
      { details: { warning, suggestions } },
    );
  }
  return normalized;
}

/** Folded values the password may not contain: the email's local part, the username, the words of the name. */
function personalValues(context: PasswordContext): string[] {
  const whole = [context.email?.split("@")[0], context.username].filter(
    (value): value is string => typeof value === "string" && value.length >= PERSONAL_INFO_MIN_LENGTH,
  );
  return [...whole.map(fold), ...words(context.name).filter((word) => [...word].length >= NAME_WORD_MIN_LENGTH)];
}

/**
 * What an attacker who targets this user knows, for the estimator: the local part, username and
 * name, whole and word by word, and the email domain's name ("example" of example.com), each as
 * written (lower-cased) and folded.
 */
function personalWords(context: PasswordContext): string[] {
  const [local, domain] = (context.email ?? "").split("@");
  const values = [local, context.username, context.name, domain?.split(".").slice(0, -1).join(".")];
  const all = values.flatMap((value) => (value ? [value.normalize("NFC").toLowerCase(), fold(value), ...words(value)] : []));
  return [...new Set(all)].filter((word) => [...word].length >= PERSONAL_INFO_MIN_LENGTH);
}

/** Lower case without diacritics: "Zéphyrine" is in "zephyrine2024" as much as in "zéphyrine2024". */
const fold = (value: string) => value.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/** Folded words of a name, username or local part: "Marie-Claire O'Neil" gives marie, claire, o, neil. */
function words(value: string | null | undefined): string[] {
  return fold(value ?? "")
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

export function checkConfirmation(password: string, confirmation: string): void {
  if (password !== confirmation) throw new AppError(AuthenticatorErrors.password_confirmation_mismatch);
}

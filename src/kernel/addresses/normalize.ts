import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";

/** The two kinds of address a user is reached at and signs in with. */
export type IdentityType = "email" | "phone";

/** An identity as callers name it: a type and a value as typed. */
export interface IdentityInput {
  type: IdentityType;
  value: string;
}

/** An identity value in its stored form: emails lower-cased, phones E.164. */
export interface NormalizedIdentity {
  type: IdentityType;
  value: string;
}

export const EMAIL_MAX_LENGTH = 254;

// RFC 5321 mailbox shape, kept deliberately loose (one @, no spaces, a dot-free or dotted domain):
// the address is proven by the message that reaches it, not by a regular expression.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/**
 * Emails compare case-insensitively, as the users table always has: the local part is
 * case-sensitive in RFC 5321 but no provider treats it so, and two accounts for "Ann@x" and "ann@x"
 * would be one person's mail in two accounts.
 */
export function normalizeEmail(value: string): string | null {
  const email = value.trim().toLowerCase();
  return email.length <= EMAIL_MAX_LENGTH && EMAIL_SHAPE.test(email) ? email : null;
}

/**
 * A phone number in E.164 (`+33612345678`), or null when it is not a valid number. Numbers written
 * without a country code are read in `defaultRegion` when one is configured.
 */
export function normalizePhone(value: string, defaultRegion: string | null): string | null {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > 40) return null;
  const parsed = parsePhoneNumberFromString(trimmed, defaultRegion ? { defaultCountry: defaultRegion as CountryCode } : undefined);
  // isValid() checks the number against the region's numbering plan, not only its length, which
  // keeps texts from being sent to numbers that cannot exist (and cost money anyway).
  return parsed?.isValid() ? parsed.number : null;
}

/** The region (ISO 3166-1 alpha-2) of an E.164 number, when the numbering plan tells it. */
export function phoneRegionOf(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.country ?? null;
}

export function normalizeIdentity(input: IdentityInput, defaultRegion: string | null): NormalizedIdentity | null {
  const value = input.type === "email" ? normalizeEmail(input.value) : normalizePhone(input.value, defaultRegion);
  return value === null ? null : { type: input.type, value };
}

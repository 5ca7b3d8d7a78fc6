import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "../../kernel/db/columns.js";

/**
 * The general token store (Ash-style): single-use secrets for a purpose (email confirmation,
 * password reset, sign-in token, …) and revocation records for JWTs by jti. Only the SHA-256
 * digest of a secret is stored.
 */
export const tokensTable = pgTable(
  "tokens",
  {
    id: uuid("id").primaryKey(),
    jti: text("jti").notNull().unique(),
    tokenHash: text("token_hash").unique(),
    purpose: text("purpose").notNull(),
    subject: text("subject"),
    extraData: jsonb("extra_data").$type<Record<string, unknown>>().notNull().default({}),
    expiresAt: timestamptz("expires_at").notNull(),
    consumedAt: timestamptz("consumed_at"),
    revokedAt: timestamptz("revoked_at"),
    createdAt: timestamptz("created_at").notNull(),
  },
  (t) => [index("tokens_expires_at_idx").on(t.expiresAt), index("tokens_subject_purpose_idx").on(t.subject, t.purpose)],
);

export type TokenRow = typeof tokensTable.$inferSelect;

/**
 * Short numeric codes (magic codes), one row per purpose and recipient: a new code replaces the
 * previous one in place, so only the latest works, while the failure count stays on the row and
 * survives new codes. The code is stored as an HMAC keyed from the master key (a plain hash of six
 * digits is reversed by trying a million values). `code_attempts` counts wrong guesses at the live
 * code; `failed_attempts` counts them across codes since the last lockout; `failures_reset_at` is
 * when the current (or last) lockout ends; `lockouts` how many there were since the last correct
 * code (magic-codes.ts).
 */
export const magicCodesTable = pgTable(
  "magic_codes",
  {
    id: uuid("id").primaryKey(),
    purpose: text("purpose").notNull(),
    channel: text("channel").notNull(),
    recipient: text("recipient").notNull(),
    codeHash: text("code_hash"),
    extraData: jsonb("extra_data").$type<Record<string, unknown>>().notNull().default({}),
    expiresAt: timestamptz("expires_at"),
    codeAttempts: integer("code_attempts").notNull().default(0),
    failedAttempts: integer("failed_attempts").notNull().default(0),
    failuresResetAt: timestamptz("failures_reset_at"),
    /** Lockouts since the last correct code: each one lasts twice as long as the one before. */
    lockouts: integer("lockouts").notNull().default(0),
    createdAt: timestamptz("created_at").notNull(),
    updatedAt: timestamptz("updated_at").notNull(),
  },
  (t) => [uniqueIndex("magic_codes_purpose_recipient_key").on(t.purpose, t.channel, t.recipient), index("magic_codes_updated_at_idx").on(t.updatedAt)],
);

export type MagicCodeRow = typeof magicCodesTable.$inferSelect;

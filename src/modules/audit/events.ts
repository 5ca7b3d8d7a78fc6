/** The catalogue of audit actions: `<noun>.<past-verb>`, append-only like error codes. */
export type AuditAction =
  | "user.registered"
  | "email.confirmed"
  | "session.created"
  | "session.refreshed"
  | "session.revoked"
  | "session.reuse_detected"
  | "sign_in.failed"
  | "sign_in_token.issued"
  | "password.changed"
  | "password.reset_requested"
  | "password.reset"
  | "username.reminder_requested"
  | "signing_key.rotated";

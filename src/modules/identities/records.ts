import { generateId } from "../../kernel/crypto/random.js";
import type { Executor } from "../../kernel/db/database.js";
import { uniqueViolation } from "../../kernel/db/errors.js";
import { AppError } from "../../kernel/errors/app-error.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Mailer } from "../../kernel/mail/mailer.js";
import type { Clock } from "../../kernel/time/clock.js";
import type { AuditService } from "../audit/index.js";
import { IdentityErrors } from "./errors.js";
import { enqueueOnChannel } from "./delivery.js";
import { normalizeEmail, type NormalizedIdentity } from "../../kernel/addresses/normalize.js";
import type { UserRow, UserRows } from "../accounts/index.js";
import { deleteIdentity, findIdentityWithUser, insertIdentity, listIdentities, updateIdentity } from "./store.js";
import type { IdentityRow } from "./tables.js";

/** The user and identity a passwordless sign-in resolved to. */
export interface SignInIdentity {
  user: UserRow;
  identity: IdentityRow;
  /** A passwordless user was created for a new identity. */
  created: boolean;
  /** The identity was unverified until this sign-in proved control of it. */
  firstVerification: boolean;
}

export type IdentityRecords = ReturnType<typeof createIdentityRecords>;

/**
 * The in-transaction rules every identity change follows: users.email stays one of the user's
 * email identities, a verified identity is attached only to its one user, and concurrent creation
 * of the same identity resolves to one row. Each function runs on the caller's executor.
 */
export function createIdentityRecords(deps: { clock: Clock; audit: AuditService; mailer: Mailer; users: UserRows }) {
  const { clock, audit, mailer, users } = deps;

  /**
   * Tells the account's verified addresses that `changed` was added or removed, in the caller's
   * transaction: by email, or by SMS when the account has no verified email address (texts cost money).
   */
  const notifyIdentities = async (executor: Executor, userId: string, template: "identity-added" | "identity-removed", changed: IdentityRow) => {
    const recipients = (await listIdentities(executor, userId)).filter((i) => i.verifiedAt !== null && i.id !== changed.id);
    const emails = recipients.filter((i) => i.type === "email");
    for (const recipient of emails.length > 0 ? emails : recipients) {
      await enqueueOnChannel(mailer, executor, recipient, template, { identity: changed.value });
    }
  };

  /**
   * users.email is the primary email: one of the user's email identities (the current one while it
   * exists, else a verified one, else any), with its verification mirrored in email_confirmed_at.
   */
  const syncPrimaryEmail = async (executor: Executor, userId: string): Promise<UserRow> => {
    const user = (await users.findById(executor, userId))!;
    const emails = (await listIdentities(executor, userId)).filter((i) => i.type === "email");
    const current = user.email === null ? undefined : emails.find((i) => i.value === normalizeEmail(user.email!));
    const primary = current ?? emails.find((i) => i.verifiedAt !== null) ?? emails[0];
    const email = primary ? (current ? user.email : primary.value) : null;
    const confirmedAt = primary?.verifiedAt ?? null;
    if (email === user.email && confirmedAt?.getTime() === user.emailConfirmedAt?.getTime()) return user;
    return (await users.update(executor, userId, { email, emailConfirmedAt: confirmedAt, updatedAt: clock.now() }))!;
  };

  const markVerified = async (executor: Executor, identity: IdentityRow) => {
    const verified = identity.verifiedAt === null ? ((await updateIdentity(executor, identity.id, { verifiedAt: clock.now() })) ?? identity) : identity;
    return { user: await syncPrimaryEmail(executor, identity.userId), identity: verified };
  };

  /** Adds a verified identity to a user, or verifies it when the user has it already. Throws identity_taken. */
  const attachVerified = async (executor: Executor, userId: string, identity: NormalizedIdentity, context: RequestContext) => {
    const existing = await findIdentityWithUser(executor, identity.type, identity.value);
    if (existing && existing.user.id !== userId) throw new AppError(IdentityErrors.identity_taken);
    if (existing) {
      const verified = await markVerified(executor, existing.identity);
      if (existing.identity.verifiedAt === null) {
        await audit.record(
          executor,
          { action: "identity.verified", actorUserId: userId, subjectUserId: userId, data: { identityId: existing.identity.id, type: identity.type } },
          context,
        );
      }
      return verified;
    }
    const row = await insertSavepointed(executor, (sp) =>
      insertIdentity(sp, { id: generateId(), userId, type: identity.type, value: identity.value, verifiedAt: clock.now(), createdAt: clock.now() }),
    );
    if (!row) throw new AppError(IdentityErrors.identity_taken);
    await audit.record(
      executor,
      { action: "identity.added", actorUserId: userId, subjectUserId: userId, data: { identityId: row.id, type: identity.type } },
      context,
    );
    await notifyIdentities(executor, userId, "identity-added", row);
    return { user: await syncPrimaryEmail(executor, userId), identity: row };
  };

  /**
   * An account claimed by the first proof of one of its identities (a sign-in or recovery with it)
   * keeps only that identity: the others were attached by whoever held the account before the
   * proof, who need not be its owner (account pre-hijacking). Returns how many were removed.
   */
  const removeAllIdentitiesBut = async (executor: Executor, userId: string, keep: IdentityRow) => {
    const others = (await listIdentities(executor, userId)).filter((i) => i.id !== keep.id);
    for (const other of others) await deleteIdentity(executor, other.id);
    if (others.length > 0) await syncPrimaryEmail(executor, userId);
    return others.length;
  };

  /**
   * Runs an insert that may hit a unique index in a savepoint, so that losing a race to a
   * concurrent insert of the same identity leaves the caller's transaction usable: null then.
   */
  const insertSavepointed = async <T>(executor: Executor, insert: (savepoint: Executor) => Promise<T>): Promise<T | null> => {
    try {
      return await executor.transaction((savepoint) => insert(savepoint));
    } catch (error) {
      if (uniqueViolation(error) !== null) return null;
      throw error;
    }
  };

  const insertPasswordlessUser = async (executor: Executor, identity: NormalizedIdentity, method: string, context: RequestContext) => {
    const now = clock.now();
    const created = await insertSavepointed(executor, async (sp) => {
      const user = await users.insert(sp, {
        id: generateId(),
        email: identity.type === "email" ? identity.value : null,
        emailConfirmedAt: identity.type === "email" ? now : null,
        username: null,
        passwordHash: null,
        name: null,
        metadata: {},
        createdAt: now,
        updatedAt: now,
      });
      const row = await insertIdentity(sp, { id: generateId(), userId: user.id, type: identity.type, value: identity.value, verifiedAt: now, createdAt: now });
      return { user, identity: row };
    });
    if (!created) return null;
    await audit.record(
      executor,
      {
        action: "user.registered",
        actorUserId: created.user.id,
        subjectUserId: created.user.id,
        data: { method, identityType: identity.type },
      },
      context,
    );
    return created;
  };

  const resolveForSignIn = async (
    executor: Executor,
    identity: NormalizedIdentity,
    options: { allowSignUp: boolean; method: string },
    context: RequestContext,
  ): Promise<SignInIdentity | null> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const found = await findIdentityWithUser(executor, identity.type, identity.value);
      if (found) {
        const firstVerification = found.identity.verifiedAt === null;
        const { user, identity: row } = firstVerification ? await markVerified(executor, found.identity) : found;
        if (firstVerification) {
          await audit.record(
            executor,
            {
              action: "identity.verified",
              actorUserId: user.id,
              subjectUserId: user.id,
              data: { identityId: found.identity.id, type: identity.type, method: options.method },
            },
            context,
          );
        }
        return { user, identity: row, created: false, firstVerification };
      }
      if (!options.allowSignUp) return null;
      const created = await insertPasswordlessUser(executor, identity, options.method, context);
      if (created) return { ...created, created: true, firstVerification: false };
      // Another request created this identity a moment ago: look again and use it.
    }
    return null;
  };

  return { syncPrimaryEmail, markVerified, attachVerified, insertPasswordlessUser, resolveForSignIn, notifyIdentities, removeAllIdentitiesBut, users };
}

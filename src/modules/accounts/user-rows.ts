import { afterCommit } from "../../kernel/db/after-commit.js";
import type { Executor } from "../../kernel/db/database.js";
import type { RowCache } from "../../kernel/db/row-cache.js";
import { findUserById, findUserByUsername, insertUser, lockUser, updateUser, type NewUserRow } from "./store.js";
import type { UserRow } from "./tables.js";
import type { User } from "./views.js";

/**
 * User rows in the caller's transaction, for the modules that change users with their own rules
 * (identities, authenticators). Every update goes through `update`, which evicts the row from this
 * node's cache once the transaction commits — not only through the change notification, which can
 * be lost on its way back.
 */
export interface UserRows {
  findById(executor: Executor, id: string): Promise<UserRow | null>;
  /** The user row, locked until the end of the caller's transaction (identity changes serialise on it). */
  lock(executor: Executor, id: string): Promise<UserRow | null>;
  /** A username's user (ASCII, case-insensitive as the unique index is). */
  findByUsername(executor: Executor, username: string): Promise<UserRow | null>;
  insert(executor: Executor, row: NewUserRow): Promise<UserRow>;
  update(executor: Executor, id: string, changes: Partial<NewUserRow>): Promise<UserRow | null>;
}

export type UpdateUserRow = UserRows["update"];

export function createUserRows(userCache: RowCache<User>): UserRows {
  return {
    findById: findUserById,
    lock: lockUser,
    findByUsername: findUserByUsername,
    insert: insertUser,
    async update(executor, id, changes) {
      const row = await updateUser(executor, id, changes);
      afterCommit(executor, () => userCache.evict(id));
      return row;
    },
  };
}

import { afterCommit } from "../../kernel/db/after-commit.js";
import type { Executor } from "../../kernel/db/database.js";
import type { RowCache } from "../../kernel/db/row-cache.js";
import { updateUser, type NewUserRow } from "./store.js";
import type { UserRow } from "./tables.js";
import type { User } from "./views.js";

/**
 * The one way the accounts module changes a user row: the change, then the row's eviction from this
 * node's cache once the transaction commits — not only through the change notification, which can
 * be lost on its way back.
 */
export function createUserWrites(userCache: RowCache<User>) {
  return async function updateUserRow(executor: Executor, id: string, changes: Partial<NewUserRow>): Promise<UserRow | null> {
    const row = await updateUser(executor, id, changes);
    afterCommit(executor, () => userCache.evict(id));
    return row;
  };
}

export type UpdateUserRow = ReturnType<typeof createUserWrites>;

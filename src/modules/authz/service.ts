import type { Executor } from "../../kernel/db/database.js";
import { listRoleNamesForUser } from "./store.js";

export interface AuthzService {
  /** Names of the roles granted to a user; they go into the `roles` claim of access tokens. */
  roleNamesFor(executor: Executor, userId: string): Promise<string[]>;
}

export function createAuthzService(): AuthzService {
  return { roleNamesFor: listRoleNamesForUser };
}

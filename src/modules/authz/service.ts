import type { Executor } from "../../kernel/db/database.js";
import type { SQL } from "drizzle-orm";
import { listRoleNamesForUser, roleNamesJson } from "./store.js";

export interface AuthzService {
  /** Names of the roles granted to a user; they go into the `roles` claim of access tokens. */
  roleNamesFor(executor: Executor, userId: string): Promise<string[]>;
  /** `roleNamesFor` as an SQL expression (a JSON array) over a user id expression. */
  roleNamesSql(userId: SQL): SQL;
}

export function createAuthzService(): AuthzService {
  return { roleNamesFor: listRoleNamesForUser, roleNamesSql: roleNamesJson };
}

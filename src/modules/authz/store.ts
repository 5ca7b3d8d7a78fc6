import { asc, eq } from "drizzle-orm";
import type { Executor } from "../../kernel/db/database.js";
import { rolesTable, userRolesTable } from "./tables.js";

export async function listRoleNamesForUser(executor: Executor, userId: string): Promise<string[]> {
  const rows = await executor
    .select({ name: rolesTable.name })
    .from(userRolesTable)
    .innerJoin(rolesTable, eq(rolesTable.id, userRolesTable.roleId))
    .where(eq(userRolesTable.userId, userId))
    .orderBy(asc(rolesTable.name));
  return rows.map((r) => r.name);
}

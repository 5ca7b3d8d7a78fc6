import { asc, eq, sql, type SQL } from "drizzle-orm";
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

/** The same role names as a JSON array expression, for statements that fetch them along with other rows. */
export function roleNamesJson(userId: SQL): SQL {
  return sql`coalesce((select json_agg(${rolesTable.name} order by ${rolesTable.name}) from ${userRolesTable}
    join ${rolesTable} on ${rolesTable.id} = ${userRolesTable.roleId} where ${userRolesTable.userId} = ${userId}), '[]'::json)`;
}

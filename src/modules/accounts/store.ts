import { eq, sql } from "drizzle-orm";
import type { Executor } from "../../kernel/db/database.js";
import { usersTable as t, type UserRow } from "./tables.js";

export type NewUserRow = typeof t.$inferInsert;

export async function insertUser(executor: Executor, row: NewUserRow): Promise<UserRow> {
  const [inserted] = await executor.insert(t).values(row).returning();
  return inserted!;
}

export async function findUserById(executor: Executor, id: string): Promise<UserRow | null> {
  const [row] = await executor.select().from(t).where(eq(t.id, id)).limit(1);
  return row ?? null;
}

/** The user row, locked until the end of the caller's transaction (identity changes serialise on it). */
export async function lockUser(executor: Executor, id: string): Promise<UserRow | null> {
  const [row] = await executor.select().from(t).where(eq(t.id, id)).for("update");
  return row ?? null;
}

// lower() matches the expression of the unique index, so this lookup uses it.
export async function findUserByUsername(executor: Executor, username: string): Promise<UserRow | null> {
  const [row] = await executor
    .select()
    .from(t)
    .where(sql`lower(${t.username}) = lower(${username})`)
    .limit(1);
  return row ?? null;
}

export async function updateUser(executor: Executor, id: string, changes: Partial<NewUserRow>): Promise<UserRow | null> {
  const [row] = await executor.update(t).set(changes).where(eq(t.id, id)).returning();
  return row ?? null;
}

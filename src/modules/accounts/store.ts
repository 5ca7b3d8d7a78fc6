import { and, asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../../kernel/db/database.js";
import { identitiesTable as i, usersTable as t, type IdentityRow, type IdentityType, type UserRow } from "./tables.js";

export type NewUserRow = typeof t.$inferInsert;
export type NewIdentityRow = typeof i.$inferInsert;

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

/** By any of the user's email identities; `email` must already be normalised (lower-case). */
export async function findUserByEmail(executor: Executor, email: string): Promise<UserRow | null> {
  const [row] = await executor
    .select({ user: t })
    .from(i)
    .innerJoin(t, eq(t.id, i.userId))
    .where(and(eq(i.type, "email"), eq(i.value, email)))
    .limit(1);
  return row?.user ?? null;
}

// lower() matches the expression of the unique index, so this lookup uses it.
export async function findUserByUsername(executor: Executor, username: string): Promise<UserRow | null> {
  const [row] = await executor.select().from(t).where(sql`lower(${t.username}) = lower(${username})`).limit(1);
  return row ?? null;
}

export async function updateUser(executor: Executor, id: string, changes: Partial<NewUserRow>): Promise<UserRow | null> {
  const [row] = await executor.update(t).set(changes).where(eq(t.id, id)).returning();
  return row ?? null;
}

export async function insertIdentity(executor: Executor, row: NewIdentityRow): Promise<IdentityRow> {
  const [inserted] = await executor.insert(i).values(row).returning();
  return inserted!;
}

/** An identity by its normalised value, with its user. */
export async function findIdentityWithUser(executor: Executor, type: IdentityType, value: string): Promise<{ identity: IdentityRow; user: UserRow } | null> {
  const [row] = await executor
    .select({ identity: i, user: t })
    .from(i)
    .innerJoin(t, eq(t.id, i.userId))
    .where(and(eq(i.type, type), eq(i.value, value)))
    .limit(1);
  return row ?? null;
}

export function listIdentities(executor: Executor, userId: string): Promise<IdentityRow[]> {
  return executor.select().from(i).where(eq(i.userId, userId)).orderBy(asc(i.createdAt), asc(i.id));
}

export async function updateIdentity(executor: Executor, id: string, changes: Partial<NewIdentityRow>): Promise<IdentityRow | null> {
  const [row] = await executor.update(i).set(changes).where(eq(i.id, id)).returning();
  return row ?? null;
}

export async function deleteIdentity(executor: Executor, id: string): Promise<void> {
  await executor.delete(i).where(eq(i.id, id));
}

import { and, asc, eq } from "drizzle-orm";
import type { Executor } from "../../kernel/db/database.js";
import { usersTable as t, type UserRow } from "../accounts/index.js";
import { identitiesTable as i, type IdentityRow, type IdentityType } from "./tables.js";

export type NewIdentityRow = typeof i.$inferInsert;

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

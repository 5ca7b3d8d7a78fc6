import { asc, eq, inArray, or, sql } from "drizzle-orm";
import { CHANGES_CHANNEL } from "../db/change-feed.js";
import type { Executor } from "../db/database.js";
import { signingKeysTable as keys, type SigningKeyRow } from "./tables.js";

/** The table name in change notifications (`signing_keys:<kid>`), as the triggers of other tables announce theirs. */
export const SIGNING_KEYS_TABLE = "signing_keys";

export function listPublishedSigningKeys(executor: Executor): Promise<SigningKeyRow[]> {
  return executor
    .select()
    .from(keys)
    .where(or(eq(keys.status, "current"), eq(keys.status, "previous")))
    .orderBy(asc(keys.createdAt));
}

/** Inserts a current key unless one exists (another node may have won the race). */
export async function insertCurrentSigningKeyIfAbsent(executor: Executor, row: typeof keys.$inferInsert): Promise<void> {
  await executor.insert(keys).values(row).onConflictDoNothing();
}

// Any constant works; it only has to be the same for every Gatehouse node.
const SIGNING_KEY_ROTATION_LOCK_ID = 7_041_998_312;

/** Serialises rotations across nodes until the transaction ends: each one reads what the last one wrote. */
export async function lockSigningKeyRotation(executor: Executor): Promise<void> {
  await executor.execute(sql`select pg_advisory_xact_lock(${SIGNING_KEY_ROTATION_LOCK_ID})`);
}

/** The newest key becomes one of the previous keys: still published, and signing until its successor activates. */
export async function demoteCurrentSigningKey(executor: Executor, now: Date): Promise<void> {
  await executor.update(keys).set({ status: "previous", rotatedAt: now }).where(eq(keys.status, "current"));
}

/** Withdraws keys from the key set: tokens they signed no longer verify. */
export async function retireSigningKeys(executor: Executor, kids: string[]): Promise<void> {
  if (kids.length === 0) return;
  await executor.update(keys).set({ status: "retired" }).where(inArray(keys.kid, kids));
}

/** Tells every node (itself included) to re-read the key set when the transaction commits. */
export async function announceSigningKeysChanged(executor: Executor, kid: string): Promise<void> {
  await executor.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${`${SIGNING_KEYS_TABLE}:${kid}`})`);
}

/** Every key, withdrawn ones too: all of them hold a sealed private half. */
export function listAllSigningKeys(executor: Executor): Promise<SigningKeyRow[]> {
  return executor.select().from(keys).orderBy(asc(keys.createdAt));
}

export async function updateSealedPrivateKey(executor: Executor, kid: string, privateJwkSealed: string): Promise<void> {
  await executor.update(keys).set({ privateJwkSealed }).where(eq(keys.kid, kid));
}

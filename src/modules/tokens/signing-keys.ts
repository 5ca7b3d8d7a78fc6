import type { webcrypto } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { Sealer } from "../../kernel/crypto/aead.js";
import type { Database } from "../../kernel/db/database.js";
import type { Clock } from "../../kernel/time/clock.js";
import { demoteSigningKeys, insertCurrentSigningKeyIfAbsent, listPublishedSigningKeys } from "./store.js";
import type { SigningKeyRow } from "./tables.js";

export const ACCESS_TOKEN_ALGORITHM = "EdDSA";

type CryptoKey = webcrypto.CryptoKey;

interface LoadedKey {
  kid: string;
  alg: string;
  status: SigningKeyRow["status"];
  publicJwk: JWK;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
}

/**
 * The asymmetric keys that sign access tokens. Kept in the database (private halves sealed with
 * the master key) so every node signs with the same key; cached in memory and re-read every
 * `refreshSeconds`, or at once (rate-limited) when a token names a kid this node has not seen.
 */
export interface SigningKeys {
  /** Creates the first key when the database has none. Safe to call from many nodes at once. */
  ensureCurrentKey(): Promise<void>;
  current(): Promise<{ kid: string; alg: string; privateKey: CryptoKey }>;
  /** The public key for a kid, or null for a kid that is not ours. */
  verificationKey(kid: string): Promise<{ alg: string; publicKey: CryptoKey } | null>;
  /** The JWK Set published at /.well-known/jwks.json: current and previous keys. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Makes a new current key; the old one stays published as previous for tokens still in flight. */
  rotate(): Promise<{ kid: string }>;
}

export function createSigningKeys(deps: { db: Database; clock: Clock; sealer: Sealer; refreshSeconds?: number }): SigningKeys {
  const { db, clock, sealer } = deps;
  const refreshMs = (deps.refreshSeconds ?? 60) * 1000;
  const unknownKidReloadMs = 5000;
  let cache: { keys: LoadedKey[]; loadedAt: number } | null = null;
  let loading: Promise<LoadedKey[]> | null = null;

  const load = async (): Promise<LoadedKey[]> => {
    loading ??= (async () => {
      try {
        const rows = await listPublishedSigningKeys(db);
        const keys = await Promise.all(rows.map(toLoadedKey));
        cache = { keys, loadedAt: clock.now().getTime() };
        return keys;
      } finally {
        loading = null;
      }
    })();
    return loading;
  };

  const toLoadedKey = async (row: SigningKeyRow): Promise<LoadedKey> => {
    let privateJwk: JWK;
    try {
      privateJwk = JSON.parse(sealer.open(row.privateJwkSealed)) as JWK;
    } catch {
      throw new Error(`cannot open signing key ${row.kid}: GATEHOUSE_MASTER_KEY is not the key this database was set up with`);
    }
    return {
      kid: row.kid,
      alg: row.alg,
      status: row.status,
      publicJwk: row.publicJwk as JWK,
      publicKey: (await importJWK(row.publicJwk as JWK, row.alg)) as CryptoKey,
      privateKey: (await importJWK(privateJwk, row.alg)) as CryptoKey,
    };
  };

  // A stale cache is still served while a reload runs in the background: signing never waits on
  // the database, so it is safe inside a caller's transaction (PGlite has a single connection).
  const keys = async (): Promise<LoadedKey[]> => {
    if (!cache) return load();
    if (clock.now().getTime() - cache.loadedAt > refreshMs) void load().catch(() => {});
    return cache.keys;
  };

  const insertNewCurrentKey = async (executor: Parameters<typeof insertCurrentSigningKeyIfAbsent>[0]) => {
    const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { crv: "Ed25519", extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const privateJwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    await insertCurrentSigningKeyIfAbsent(executor, {
      kid,
      alg: ACCESS_TOKEN_ALGORITHM,
      publicJwk: { ...publicJwk, kid, alg: ACCESS_TOKEN_ALGORITHM, use: "sig" },
      privateJwkSealed: sealer.seal(JSON.stringify(privateJwk)),
      status: "current",
      createdAt: clock.now(),
      activatesAt: clock.now(),
    });
    return kid;
  };

  return {
    async ensureCurrentKey() {
      if ((await load()).some((k) => k.status === "current")) return;
      await insertNewCurrentKey(db);
      await load();
    },
    async current() {
      let key = (await keys()).find((k) => k.status === "current");
      if (!key) {
        await this.ensureCurrentKey();
        key = (await load()).find((k) => k.status === "current");
      }
      if (!key) throw new Error("no current signing key");
      return { kid: key.kid, alg: key.alg, privateKey: key.privateKey };
    },
    async verificationKey(kid) {
      let found = (await keys()).find((k) => k.kid === kid);
      // A kid we have not seen may come from a rotation on another node; re-read, but not for every forged kid.
      if (!found && cache && clock.now().getTime() - cache.loadedAt > unknownKidReloadMs) {
        found = (await load()).find((k) => k.kid === kid);
      }
      return found ? { alg: found.alg, publicKey: found.publicKey } : null;
    },
    async jwks() {
      return { keys: (await keys()).map((k) => k.publicJwk) };
    },
    async rotate() {
      const kid = await db.transaction(async (tx) => {
        await demoteSigningKeys(tx, clock.now());
        return insertNewCurrentKey(tx);
      });
      await load();
      return { kid };
    },
  };
}

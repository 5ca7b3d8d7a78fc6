import type { webcrypto } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { Sealer } from "../crypto/keyring.js";
import type { ChangeFeed } from "../db/change-feed.js";
import type { Database, Executor } from "../db/database.js";
import { systemContext, type RequestContext } from "../http/request-context.js";
import { addSeconds, type Clock } from "../time/clock.js";
import { keysToRetire, signerAt } from "./key-schedule.js";
import {
  announceSigningKeysChanged,
  demoteCurrentSigningKey,
  insertCurrentSigningKeyIfAbsent,
  listAllSigningKeys,
  listPublishedSigningKeys,
  lockSigningKeyRotation,
  retireSigningKeys,
  SIGNING_KEYS_TABLE,
  updateSealedPrivateKey,
} from "./store.js";
import type { SigningKeyRow } from "./tables.js";

export const ACCESS_TOKEN_ALGORITHM = "EdDSA";
/** Clock skew allowed when verifying access tokens; a withdrawn key's tokens must be dead for this long too. */
export const ACCESS_TOKEN_CLOCK_TOLERANCE_SECONDS = 60;
/** How often a node re-reads the key set even without a change notification. */
const KEY_SET_RELOAD_SECONDS = 60;

type CryptoKey = webcrypto.CryptoKey;

interface LoadedKey {
  kid: string;
  alg: string;
  status: SigningKeyRow["status"];
  createdAt: Date;
  activatesAt: Date;
  publicJwk: JWK;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
}

/**
 * How the kernel writes an audit entry without knowing the audit module: the module's `record`
 * fits this shape, and `createGatehouse` hands it over.
 */
export type RecordAuditEvent = (
  executor: Executor,
  event: { action: "signing_key.rotated"; data: Record<string, unknown> },
  origin: RequestContext,
) => Promise<void>;

export interface RotationResult {
  kid: string;
  /** When the new key starts signing; until then the previous signer goes on. */
  activatesAt: Date;
  /** Keys no longer published: tokens they signed stop verifying. */
  retiredKids: string[];
}

/**
 * The asymmetric keys that sign access tokens. Kept in the database (private halves sealed with
 * the master key) so every node signs with the same key; cached in memory, re-read when a
 * rotation announces itself (pg_notify, on every node), every minute regardless, and at once
 * (rate-limited) when a token names a kid this node has not seen.
 *
 * A rotation publishes its key at once and lets it sign only `publicationLeadSeconds` later: the
 * JWKS cache lifetime relying parties were told (`Cache-Control: max-age`), plus the minute a node
 * may take to re-read the key set if it missed the notification. Until then the previous key signs.
 */
export interface SigningKeys {
  /** Seconds between a rotation and the moment its key signs. */
  readonly publicationLeadSeconds: number;
  /** Creates the first key when the database has none. Safe to call from many nodes at once. */
  ensureCurrentKey(): Promise<void>;
  /** The key that signs now (key-schedule.ts: the published key activated last). */
  current(): Promise<{ kid: string; alg: string; privateKey: CryptoKey }>;
  /** The public key for a kid, or null for a kid that is not ours. */
  verificationKey(kid: string): Promise<{ alg: string; publicKey: CryptoKey } | null>;
  /** The JWK Set published at /.well-known/jwks.json: every published key, signing or about to. */
  jwks(): Promise<{ keys: JWK[] }>;
  /**
   * Makes and publishes a new key, audited as `signing_key.rotated`. Scheduled (default): it signs
   * after `publicationLeadSeconds`; the current signer goes on until then and stays published while
   * its tokens can be valid. `immediate` (a compromised key): it signs now and every other key is
   * withdrawn at once, so tokens they signed stop verifying. Rotations on several nodes take turns.
   */
  rotate(options?: { immediate?: boolean; context?: RequestContext }): Promise<RotationResult>;
  /**
   * Re-seals every private half that `isStale` says was sealed under another master key, so the
   * old key can be dropped (`gatehouse keys rotate-master`). Returns how many were re-sealed.
   */
  rewrap(isStale: (sealed: string) => boolean): Promise<number>;
  /** Stops following rotation announcements. */
  close(): void;
}

export function createSigningKeys(deps: {
  db: Database;
  clock: Clock;
  sealer: Sealer;
  recordAudit: RecordAuditEvent;
  changes: ChangeFeed;
  /** `max-age` of the published key set (GATEHOUSE_JWKS_MAX_AGE_SECONDS). */
  jwksMaxAgeSeconds: number;
  /** Lifetime of an access token: a former signer stays published this long (plus tolerance) after it stopped signing. */
  tokenTtlSeconds: number;
}): SigningKeys {
  const { db, clock, sealer, recordAudit } = deps;
  const publicationLeadSeconds = deps.jwksMaxAgeSeconds + KEY_SET_RELOAD_SECONDS;
  const retainSeconds = deps.tokenTtlSeconds + ACCESS_TOKEN_CLOCK_TOLERANCE_SECONDS;
  const unknownKidReloadMs = 5000;
  let cache: { keys: LoadedKey[]; loadedAt: number } | null = null;
  let loading: Promise<LoadedKey[]> | null = null;

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
      createdAt: row.createdAt,
      activatesAt: row.activatesAt,
      publicJwk: row.publicJwk as JWK,
      publicKey: (await importJWK(row.publicJwk as JWK, row.alg)) as CryptoKey,
      privateKey: (await importJWK(privateJwk, row.alg)) as CryptoKey,
    };
  };

  const load = async (): Promise<LoadedKey[]> => {
    loading ??= (async () => {
      try {
        const keys = await Promise.all((await listPublishedSigningKeys(db)).map(toLoadedKey));
        cache = { keys, loadedAt: clock.now().getTime() };
        return keys;
      } finally {
        loading = null;
      }
    })();
    return loading;
  };
  const reloadSoon = () => void load().catch(() => {});
  // A rotation on any node (or missed notifications) means this node's copy may be out of date.
  const unsubscribe = [deps.changes.subscribe(SIGNING_KEYS_TABLE, reloadSoon), deps.changes.onReset(reloadSoon)];

  // A stale cache is still served while a reload runs in the background: signing never waits on
  // the database, so it is safe inside a caller's transaction (PGlite has a single connection).
  const keys = async (): Promise<LoadedKey[]> => {
    if (!cache) return load();
    if (clock.now().getTime() - cache.loadedAt > KEY_SET_RELOAD_SECONDS * 1000) reloadSoon();
    return cache.keys;
  };

  const insertNewKey = async (executor: Executor, activatesAt: Date) => {
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
      activatesAt,
    });
    return kid;
  };

  return {
    publicationLeadSeconds,
    async ensureCurrentKey() {
      if ((await load()).some((k) => k.status === "current")) return;
      await insertNewKey(db, clock.now());
      await load();
    },
    async current() {
      let key = signerAt(await keys(), clock.now());
      if (!key) {
        await this.ensureCurrentKey();
        key = signerAt(await load(), clock.now());
      }
      if (!key) throw new Error("no signing key");
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
    async rotate(options = {}) {
      const immediate = options.immediate ?? false;
      const result = await db.transaction(async (tx) => {
        await lockSigningKeyRotation(tx);
        const now = clock.now();
        const published = await listPublishedSigningKeys(tx);
        const retired = immediate ? published : keysToRetire(published, now, retainSeconds);
        const activatesAt = immediate ? now : addSeconds(now, publicationLeadSeconds);
        await demoteCurrentSigningKey(tx, now);
        await retireSigningKeys(
          tx,
          retired.map((k) => k.kid),
        );
        const kid = await insertNewKey(tx, activatesAt);
        const retiredKids = retired.map((k) => k.kid);
        await recordAudit(
          tx,
          {
            action: "signing_key.rotated",
            data: { kid, activatesAt: activatesAt.toISOString(), immediate, retiredKids, previousSigner: signerAt(published, now)?.kid ?? null },
          },
          options.context ?? systemContext("signing-keys"),
        );
        await announceSigningKeysChanged(tx, kid);
        return { kid, activatesAt, retiredKids };
      });
      await load();
      return result;
    },
    async rewrap(isStale) {
      const stale = (await listAllSigningKeys(db)).filter((row) => isStale(row.privateJwkSealed));
      await db.transaction(async (tx) => {
        for (const row of stale) await updateSealedPrivateKey(tx, row.kid, sealer.seal(sealer.open(row.privateJwkSealed)));
      });
      return stale.length;
    },
    close() {
      for (const stop of unsubscribe) stop();
    },
  };
}

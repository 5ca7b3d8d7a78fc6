import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";

/** Seals and opens values at rest for one purpose (signing keys, queued messages, vault bodies). */
export interface Sealer {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/**
 * The master keys and every key derived from them. The current master key seals; the retired
 * ones (kept during a rotation) only open. Sealed values name the master key they were sealed
 * under, so a rotation can find and re-seal what the old key sealed, and no value is lost:
 *
 *   v2.<kid>.<iv>.<tag>.<ciphertext>   (base64url parts; AES-256-GCM; associated data: purpose and kid)
 *
 * Values sealed before key ids existed (`v1.<iv>.<tag>.<ciphertext>`) are still opened, by trying
 * each master key. Each purpose seals under its own key, derived with HKDF-SHA256 (RFC 5869) from
 * the master key: a key leaked from one purpose opens nothing else.
 */
export interface Keyring {
  /** Id of the current master key: a digest of it, so the same key has the same id on every node. */
  readonly currentKid: string;
  /** Seals under the current master key; opens what any master key of the ring sealed. */
  sealer(purpose: string): Sealer;
  /** A key of `length` bytes derived for `purpose` from the current master key (MAC keys and the like). */
  derive(purpose: string, length?: number): Buffer;
  /** True when `sealed` was not sealed under the current master key, so a rotation must re-seal it. */
  isStale(sealed: string): boolean;
}

const KEY_LENGTH = 32;

/** HKDF-SHA256 with an empty salt, as every Gatehouse derivation uses. */
export function deriveKey(masterKey: Buffer, info: string, length = KEY_LENGTH): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), info, length));
}

export function masterKeyId(masterKey: Buffer): string {
  return createHash("sha256").update(deriveKey(masterKey, "gatehouse:key-id")).digest("base64url").slice(0, 12);
}

export function createKeyring(keys: { current: Buffer; retired?: Buffer[] }): Keyring {
  for (const key of [keys.current, ...(keys.retired ?? [])]) if (key.length !== KEY_LENGTH) throw new Error("master keys must be 32 bytes");
  const ring = [keys.current, ...(keys.retired ?? [])].map((key) => ({ kid: masterKeyId(key), key }));
  const byKid = new Map(ring.map((entry) => [entry.kid, entry.key]));
  const current = ring[0]!;
  const purposeKey = (masterKey: Buffer, purpose: string) => deriveKey(masterKey, `gatehouse:${purpose}`);

  return {
    currentKid: current.kid,
    derive: (purpose, length = KEY_LENGTH) => deriveKey(current.key, `gatehouse:${purpose}`, length),
    isStale: (sealed) => !sealed.startsWith(`v2.${current.kid}.`),
    sealer(purpose) {
      return {
        seal(plaintext) {
          const iv = randomBytes(12);
          const cipher = createCipheriv("aes-256-gcm", purposeKey(current.key, purpose), iv);
          cipher.setAAD(Buffer.from(`${purpose}\n${current.kid}`, "utf8"));
          const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
          return ["v2", current.kid, ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64url"))].join(".");
        },
        open(sealed) {
          const parts = sealed.split(".");
          if (parts[0] === "v2" && parts.length === 5) {
            const key = byKid.get(parts[1]!);
            if (!key) throw new Error(`sealed under master key ${parts[1]}, which is not configured (GATEHOUSE_MASTER_KEY, GATEHOUSE_RETIRED_MASTER_KEYS)`);
            return decrypt(purposeKey(key, purpose), `${purpose}\n${parts[1]}`, parts.slice(2));
          }
          if (parts[0] === "v1" && parts.length === 4) {
            for (const { key } of ring) {
              try {
                return decrypt(purposeKey(key, purpose), purpose, parts.slice(1));
              } catch {
                // Sealed under another key of the ring, or tampered: try the next one.
              }
            }
          }
          throw new Error("unrecognised sealed value, or sealed under a master key that is not configured");
        },
      };
    },
  };
}

function decrypt(key: Buffer, associatedData: string, [iv, tag, ciphertext]: string[]): string {
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv!, "base64url"));
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(Buffer.from(tag!, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext!, "base64url")), decipher.final()]).toString("utf8");
}

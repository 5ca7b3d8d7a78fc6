import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * AES-256-GCM sealing for data at rest (signing keys, queued messages). Each purpose gets its own
 * key derived from the master key with HKDF, so a key leaked from one purpose opens nothing else.
 * Sealed format: "v1.<iv>.<tag>.<ciphertext>" in base64url, with the purpose as associated data.
 */
export interface Sealer {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export function createSealer(masterKey: Buffer, purpose: string): Sealer {
  if (masterKey.length !== 32) throw new Error("master key must be 32 bytes");
  const key = Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), `gatehouse:${purpose}`, 32));
  const aad = Buffer.from(purpose, "utf8");
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(aad);
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return ["v1", iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
    },
    open(sealed) {
      const [version, iv, tag, ciphertext] = sealed.split(".");
      if (version !== "v1" || !iv || !tag || ciphertext === undefined) throw new Error("unrecognised sealed value");
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAAD(aad);
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    },
  };
}

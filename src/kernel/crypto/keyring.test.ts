import { createCipheriv, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createKeyring, deriveKey, masterKeyId } from "./keyring.js";

/** A value sealed the way Gatehouse sealed before key ids (v1): no kid, the purpose as associated data. */
function sealV1(masterKey: Buffer, purpose: string, plaintext: string): string {
  const iv = Buffer.alloc(12, 7);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(masterKey, `gatehouse:${purpose}`), iv);
  cipher.setAAD(Buffer.from(purpose, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

const hex = (value: string) => Buffer.from(value.replace(/\s+/g, ""), "hex");

describe("the primitives the keyring is built on, with their published vectors", () => {
  it("HKDF-SHA256 (RFC 5869, appendix A.1)", async () => {
    const { hkdfSync } = await import("node:crypto");
    const okm = hkdfSync("sha256", hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), hex("000102030405060708090a0b0c"), hex("f0f1f2f3f4f5f6f7f8f9"), 42);
    expect(Buffer.from(okm).toString("hex")).toBe("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  });

  it("AES-256-GCM (the GCM specification's test case 16: 256-bit key, associated data)", () => {
    const key = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    const iv = hex("cafebabefacedbaddecaf888");
    const plaintext = hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(hex("feedfacedeadbeeffeedfacedeadbeefabaddad2"));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    expect(ciphertext.toString("hex")).toBe(
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
    );
    expect(cipher.getAuthTag().toString("hex")).toBe("76fc6ece0f4e1768cddf8853bb2d551b");
  });

  it("HMAC-SHA256 (RFC 4231, test case 2), as magic codes are keyed", () => {
    expect(createHmac("sha256", "Jefe").update("what do ya want for nothing?").digest("hex")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });
});

describe("the keyring", () => {
  const oldKey = Buffer.alloc(32, 1);
  const newKey = Buffer.alloc(32, 2);

  it("seals with the current key's id and opens what it sealed", () => {
    const ring = createKeyring({ current: newKey });
    const sealed = ring.sealer("outbox").seal("a secret link");
    expect(sealed.startsWith(`v2.${masterKeyId(newKey)}.`)).toBe(true);
    expect(sealed).not.toContain("secret");
    expect(ring.sealer("outbox").open(sealed)).toBe("a secret link");
    expect(ring.isStale(sealed)).toBe(false);
  });

  it("keeps purposes and key ids apart, and detects tampering", () => {
    const ring = createKeyring({ current: newKey });
    const sealed = ring.sealer("outbox").seal("x");
    expect(() => ring.sealer("signing-keys").open(sealed)).toThrow();
    const parts = sealed.split(".");
    parts[4] = Buffer.from("tampered").toString("base64url");
    expect(() => ring.sealer("outbox").open(parts.join("."))).toThrow();
    // Naming another (configured) key does not open it either: the key id is authenticated.
    const both = createKeyring({ current: newKey, retired: [oldKey] });
    const swapped = sealed.replace(masterKeyId(newKey), masterKeyId(oldKey));
    expect(() => both.sealer("outbox").open(swapped)).toThrow();
  });

  it("opens values sealed under a retired key or in the old format, and marks them stale for re-sealing", () => {
    const before = createKeyring({ current: oldKey });
    const sealedBefore = before.sealer("signing-keys").seal("private jwk");
    const legacy = sealV1(oldKey, "signing-keys", "legacy private jwk");
    const rotating = createKeyring({ current: newKey, retired: [oldKey] });
    expect(rotating.sealer("signing-keys").open(sealedBefore)).toBe("private jwk");
    expect(rotating.sealer("signing-keys").open(legacy)).toBe("legacy private jwk");
    expect(rotating.isStale(sealedBefore)).toBe(true);
    expect(rotating.isStale(legacy)).toBe(true);
    // Once the old key is dropped, what it sealed cannot be opened, and says why.
    expect(() => createKeyring({ current: newKey }).sealer("signing-keys").open(sealedBefore)).toThrow(/not configured/);
  });

  it("derives the same purpose keys as before key ids existed", () => {
    expect(createKeyring({ current: oldKey }).derive("magic-codes").equals(deriveKey(oldKey, "gatehouse:magic-codes"))).toBe(true);
  });
});

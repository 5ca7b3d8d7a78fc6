/**
 * When a signing key signs, as a pure function of the published keys and the time, so that every
 * node, reading the same rows, signs with the same key at the same moment. A key is published
 * (in the JWKS) from its creation; it signs from its `activatesAt`, which a rotation sets one JWKS
 * cache lifetime ahead, so relying parties that cache the key set have fetched the key before they
 * meet a token signed by it.
 */
export interface ScheduledKey {
  kid: string;
  createdAt: Date;
  activatesAt: Date;
}

/** Activation order, with ties broken the same way on every node. */
function byActivation(a: ScheduledKey, b: ScheduledKey): number {
  return a.activatesAt.getTime() - b.activatesAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime() || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0);
}

/**
 * The key that signs at `now`: of the published keys already active, the one activated last.
 * When none is active yet (a node whose clock lags the node that made the first key), the first
 * to activate, rather than no key at all.
 */
export function signerAt<K extends ScheduledKey>(keys: readonly K[], now: Date): K | null {
  const ordered = [...keys].sort(byActivation);
  const active = ordered.filter((k) => k.activatesAt.getTime() <= now.getTime());
  return active.at(-1) ?? ordered[0] ?? null;
}

/**
 * The published keys a scheduled rotation at `now` withdraws. The signer stays, and so does every
 * former signer while a token it signed can still be valid: `retainSeconds` (token lifetime plus
 * clock tolerance) after the next key took over. A key that has not signed yet is withdrawn: the
 * new key supersedes it.
 */
export function keysToRetire<K extends ScheduledKey>(keys: readonly K[], now: Date, retainSeconds: number): K[] {
  const signer = signerAt(keys, now);
  const active = [...keys].sort(byActivation).filter((k) => k.activatesAt.getTime() <= now.getTime());
  const stillNeeded = new Set<K>(signer ? [signer] : []);
  active.forEach((key, i) => {
    const succeededAt = active[i + 1]?.activatesAt;
    if (succeededAt && succeededAt.getTime() + retainSeconds * 1000 > now.getTime()) stillNeeded.add(key);
  });
  return keys.filter((k) => !stillNeeded.has(k));
}

import { and, eq, gt } from "drizzle-orm";
import type { Database } from "../../kernel/db/database.js";
import type { ChangeFeed } from "../../kernel/db/change-feed.js";
import type { Clock } from "../../kernel/time/clock.js";
import { TokenPurposes } from "./token-store.js";
import { tokensTable as t } from "./tables.js";

/** The change-feed "table" under which revocation records are announced (migration 0004). */
const REVOCATIONS = "token_revocations";

export interface RevokedTokenIds {
  /** True when a revocation record names this jti (an access token revoked before it expired). */
  has(jti: string): Promise<boolean>;
  close(): void;
}

/**
 * The ids of revoked tokens that were never stored (access tokens), held in memory so a token
 * check costs no round trip. Kept exact by the change feed: a revocation commits, every node adds
 * its jti. While the feed is not live, and until the first load, each check reads the database.
 */
export function createRevokedTokenIds(deps: { db: Database; changes: ChangeFeed; clock: Clock }): RevokedTokenIds {
  const { db, changes, clock } = deps;
  const revoked = new Set<string>();
  let loading: Promise<void> | null = null;
  let loaded = false;
  // Bumped by every reset: a load that began before one may have missed what the reset stands for.
  let generation = 0;

  const load = () =>
    (loading ??= (async () => {
      const startedAt = generation;
      const rows = await db
        .select({ jti: t.jti })
        .from(t)
        .where(and(eq(t.purpose, TokenPurposes.revocation), gt(t.expiresAt, clock.now())));
      for (const { jti } of rows) revoked.add(jti);
      loaded = generation === startedAt;
    })().finally(() => (loading = null)));

  const readOne = async (jti: string) => {
    const [row] = await db
      .select({ jti: t.jti })
      .from(t)
      .where(and(eq(t.jti, jti), eq(t.purpose, TokenPurposes.revocation)))
      .limit(1);
    return row !== undefined;
  };

  const unsubscribe = [
    changes.subscribe(REVOCATIONS, (jti) => revoked.add(jti)),
    // Announcements may have been missed: start again from the table.
    changes.onReset(() => {
      generation++;
      loaded = false;
      revoked.clear();
    }),
  ];

  return {
    async has(jti) {
      if (!changes.live) return readOne(jti);
      if (!loaded) {
        await load();
        return revoked.has(jti) || readOne(jti);
      }
      return revoked.has(jti);
    },
    close() {
      for (const stop of unsubscribe) stop();
      revoked.clear();
    },
  };
}

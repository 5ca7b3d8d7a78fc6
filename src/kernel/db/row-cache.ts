import type { ChangeFeed } from "./change-feed.js";

/**
 * A read-through cache of rows by id, kept exact by the database's change feed: a committed change
 * evicts the row on every node. Entries are served only while the feed is live, and a load that
 * raced with a change is returned but not kept, so the cache never outlives what it read. The node
 * that makes a change also evicts the row itself once it has committed (`evict`), so its own
 * writes take effect here even if the notification is lost on the way back.
 */
export interface RowCache<V> {
  /** The cached value, or `load()`'s; `null` results are never cached. */
  get(id: string, load: () => Promise<V | null>): Promise<V | null>;
  /**
   * Drops the row, as a change notification would: call it after the change has committed. A load
   * already under way may have read the row before the change, so it is returned but not kept.
   */
  evict(id: string): void;
  /** Stops following the feed. */
  close(): void;
}

export interface RowCacheOptions {
  /** The table whose change notifications evict entries. */
  table: string;
  /** Least recently used entries go beyond this; 0 turns the cache off. */
  maxEntries: number;
  /** An upper bound on any entry's age, in case a change were ever announced without the table's trigger. */
  maxAgeMs: number;
}

interface Entry<V> {
  value: V;
  storedAt: number;
}

export function createRowCache<V>(feed: ChangeFeed, options: RowCacheOptions): RowCache<V> {
  const entries = new Map<string, Entry<V>>();
  // Bumped by every change and reset: a load that started before a bump may have read the old row.
  let generation = 0;
  const evict = (id: string) => {
    generation++;
    entries.delete(id);
  };
  const unsubscribe = [
    feed.subscribe(options.table, evict),
    feed.onReset(() => {
      generation++;
      entries.clear();
    }),
  ];

  const fresh = (entry: Entry<V> | undefined) => entry !== undefined && performance.now() - entry.storedAt < options.maxAgeMs;
  // Re-inserting moves an entry to the end: Map order is the recency order.
  const remember = (id: string, entry: Entry<V>) => {
    entries.delete(id);
    entries.set(id, entry);
  };

  return {
    async get(id, load) {
      if (options.maxEntries === 0 || !feed.live) return load();
      const entry = entries.get(id);
      if (fresh(entry)) {
        remember(id, entry!);
        return entry!.value;
      }
      const startedAt = generation;
      const value = await load();
      if (value !== null && generation === startedAt && feed.live) {
        remember(id, { value, storedAt: performance.now() });
        if (entries.size > options.maxEntries) entries.delete(entries.keys().next().value!);
      }
      return value;
    },
    evict,
    close() {
      for (const stop of unsubscribe) stop();
      entries.clear();
    },
  };
}

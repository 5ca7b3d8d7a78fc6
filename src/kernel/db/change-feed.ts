/**
 * Row changes announced by the database itself. Triggers (migration 0002) call
 * `pg_notify('gatehouse_changes', '<table>:<id>')` when a cached row changes or goes away; PostgreSQL
 * delivers a notification only once its transaction commits, to every connection listening — the
 * committing connection included, before its COMMIT returns. So a node sees its own writes at once,
 * and other nodes within the notification's network latency.
 */
export const CHANGES_CHANNEL = "gatehouse_changes";

export interface ChangeFeed {
  /** Calls `listener` with the id of every changed row of `table`; returns an unsubscribe function. */
  subscribe(table: string, listener: (id: string) => void): () => void;
  /** Called whenever notifications may have been missed (the listening connection was lost). */
  onReset(listener: () => void): () => void;
  /** True while every change is being delivered; caches must not serve entries otherwise. */
  readonly live: boolean;
}

/** The dispatching half of a feed, driven by the database driver that owns the connections. */
export interface ChangeFeedSource extends ChangeFeed {
  deliver(payload: string): void;
  setLive(live: boolean): void;
}

export function createChangeFeedSource(initiallyLive: boolean): ChangeFeedSource {
  const listeners = new Map<string, Set<(id: string) => void>>();
  const resetListeners = new Set<() => void>();
  let live = initiallyLive;
  const add = <T>(set: Set<T>, item: T) => {
    set.add(item);
    return () => void set.delete(item);
  };
  return {
    get live() {
      return live;
    },
    subscribe(table, listener) {
      let forTable = listeners.get(table);
      if (!forTable) listeners.set(table, (forTable = new Set()));
      return add(forTable, listener);
    },
    onReset: (listener) => add(resetListeners, listener),
    deliver(payload) {
      const separator = payload.indexOf(":");
      if (separator < 0) return;
      const id = payload.slice(separator + 1);
      for (const listener of listeners.get(payload.slice(0, separator)) ?? []) listener(id);
    },
    setLive(next) {
      live = next;
      // Going down or coming back up both mean changes may have gone unseen in between.
      for (const listener of resetListeners) listener();
    },
  };
}

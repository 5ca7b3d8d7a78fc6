import type pg from "pg";
import { generateSecretToken } from "../crypto/random.js";
import type { ChangeFeedSource } from "./change-feed.js";

export interface HeartbeatOptions {
  /** How often the listener notifies itself. */
  intervalMs: number;
  /** Silence for this long means notifications are not reaching us: the feed is not live. */
  timeoutMs: number;
}

const LISTENER_RETRY_MS = { first: 250, max: 10_000 };

/**
 * Holds one connection that LISTENs for other nodes' changes. The feed is live only while that
 * connection demonstrably receives notifications: a connected socket is not proof, because a
 * half-open TCP connection, a proxy that drops NotificationResponse messages, or PgBouncer in
 * transaction mode all keep LISTEN "healthy" while delivering nothing. So the listener notifies
 * itself every `intervalMs` on a channel of its own, through the very path other nodes' changes
 * take, and the feed is live only while those heartbeats come back. After `timeoutMs` without one
 * the feed goes not live (caches stop serving; reads go to the database) and the connection is
 * replaced. Each loss and each recovery resets the feed, so caches drop what they may have missed.
 */
export function listenForChanges(newClient: () => pg.Client, changes: ChangeFeedSource, heartbeat: HeartbeatOptions): { stop(): Promise<void> } {
  let stopped = false;
  let current: pg.Client | null = null;
  let retryMs = LISTENER_RETRY_MS.first;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let beatTimer: NodeJS.Timeout | null = null;
  let silenceTimer: NodeJS.Timeout | null = null;

  const clearBeats = () => {
    if (beatTimer) clearInterval(beatTimer);
    if (silenceTimer) clearTimeout(silenceTimer);
    beatTimer = silenceTimer = null;
  };

  const lost = (client: pg.Client) => {
    if (current !== client) return;
    current = null;
    clearBeats();
    if (changes.live) changes.setLive(false);
    client.end().catch(() => {});
    if (!stopped) reconnectTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, LISTENER_RETRY_MS.max);
  };

  async function connect() {
    reconnectTimer = null;
    const client = newClient();
    current = client;
    // A fresh channel per connection: only this connection hears it, and an old one's echo cannot count.
    const channel = `gatehouse_heartbeat_${generateSecretToken(9)
      .replace(/[^A-Za-z0-9]/g, "x")
      .toLowerCase()}`;
    client.on("error", () => lost(client));
    client.on("end", () => lost(client));
    client.on("notification", (message) => {
      if (message.channel !== channel || current !== client) return;
      if (silenceTimer) clearTimeout(silenceTimer);
      silenceTimer = setTimeout(() => lost(client), heartbeat.timeoutMs);
      if (!changes.live) {
        retryMs = LISTENER_RETRY_MS.first;
        changes.setLive(true);
      }
    });
    const beat = () => {
      if (current !== client) return;
      client.query("select pg_notify($1, '')", [channel]).catch(() => lost(client));
    };
    try {
      await client.connect(); // a listening client: it LISTENs on the changes channel before connect() resolves
      await client.query(`LISTEN ${channel}`);
      if (stopped || current !== client) return void client.end().catch(() => {});
      // Live from the first heartbeat heard, not from the connection: that is what proves delivery.
      silenceTimer = setTimeout(() => lost(client), heartbeat.timeoutMs);
      beatTimer = setInterval(beat, heartbeat.intervalMs);
      beat();
    } catch {
      lost(client);
    }
  }

  void connect();
  return {
    async stop() {
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      clearBeats();
      const client = current;
      current = null;
      changes.setLive(false);
      await client?.end().catch(() => {});
    },
  };
}

import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";

/**
 * A real TCP proxy for fault tests, between Gatehouse and a server it depends on (PostgreSQL,
 * Redis), so a test can take the server away without touching the shared one:
 * - `refuse()`: closes every connection and stops listening — the server is down (ECONNREFUSED);
 * - `stall()`: holds every byte in both directions and accepts new connections without answering —
 *   the server or the network went silent (a half-open connection, a partition);
 * - `restore()`: forwards again, delivering what was held.
 * `filterFromServer` rewrites what the server sends, per connection (see postgres-protocol.ts).
 */
export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  refuse(): Promise<void>;
  stall(): void;
  restore(): Promise<void>;
  /** Ports of the sockets connected to the proxy now (Gatehouse's ends). */
  clientPorts(): number[];
  close(): Promise<void>;
}

export type StreamFilter = (chunk: Buffer) => Buffer;

interface Pair {
  client: Socket;
  server: Socket | null;
  /** Bytes from the client not yet written to the server (before it connected, or while stalled). */
  held: Buffer[];
}

export async function startTcpProxy(target: { host: string; port: number }, options: { filterFromServer?: () => StreamFilter } = {}): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let stalled = false;
  let server: Server;
  let port = 0;

  const drop = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.server?.destroy();
  };

  const openUpstream = (pair: Pair) => {
    const filter = options.filterFromServer?.() ?? ((chunk: Buffer) => chunk);
    const upstream = connect(target.port, target.host);
    pair.server = upstream;
    upstream.on("connect", () => {
      for (const chunk of pair.held.splice(0)) upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      const forwarded = filter(chunk);
      if (forwarded.length > 0) pair.client.write(forwarded);
    });
    upstream.on("error", () => drop(pair));
    upstream.on("close", () => drop(pair));
  };

  const onConnection = (client: Socket) => {
    const pair: Pair = { client, server: null, held: [] };
    pairs.add(pair);
    client.on("data", (chunk: Buffer) => {
      if (pair.server && !stalled && pair.server.readyState === "open") pair.server.write(chunk);
      else pair.held.push(chunk);
    });
    client.on("error", () => drop(pair));
    client.on("close", () => drop(pair));
    if (stalled) client.pause();
    else openUpstream(pair);
  };

  const listen = (onPort: number) =>
    new Promise<void>((resolve, reject) => {
      server = createServer(onConnection);
      server.once("error", reject);
      server.listen(onPort, "127.0.0.1", () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));

  await listen(0);
  return {
    get port() {
      return port;
    },
    urlFor(url) {
      const parsed = new URL(url);
      parsed.hostname = "127.0.0.1";
      parsed.port = String(port);
      return parsed.toString();
    },
    async refuse() {
      for (const pair of [...pairs]) drop(pair);
      await stopListening();
    },
    stall() {
      stalled = true;
      for (const pair of pairs) {
        pair.client.pause();
        pair.server?.pause();
      }
    },
    async restore() {
      stalled = false;
      if (!server.listening) await listen(port);
      for (const pair of pairs) {
        if (!pair.server) {
          openUpstream(pair);
        } else if (pair.server.readyState === "open") {
          for (const chunk of pair.held.splice(0)) pair.server.write(chunk);
          pair.server.resume();
        }
        pair.client.resume();
      }
    },
    clientPorts: () => [...pairs].map((pair) => pair.client.remotePort!).filter(Boolean),
    async close() {
      for (const pair of [...pairs]) drop(pair);
      if (server.listening) await stopListening();
    },
  };
}

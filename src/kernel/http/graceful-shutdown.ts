import type { FastifyInstance } from "fastify";

export interface DrainOptions {
  /** The server closes once no request has started for this long. */
  quietMs: number;
  /** …or after this long at most. */
  maxMs: number;
}

/**
 * Graceful shutdown that loses no request. Closing at once resets two kinds of connection whose
 * clients already sent a request: ones the kernel accepted but Node has not (closing the listener
 * resets its backlog), and ones whose request is still unread (`http.Server.close()` treats them
 * as idle). So: keep serving, tell every client `Connection: close`, and close only once no request
 * has arrived for a quiet interval — load balancers have stopped routing to us by then.
 *
 * A request counts as in flight until its response closes: the raw response emits `close` once,
 * whether it was sent or the client went away first (which never reaches `onResponse`).
 * `isDraining()` turns true the moment draining starts, so /readyz can tell load balancers at once.
 */
export type Drain = ((options: DrainOptions) => Promise<void>) & { isDraining(): boolean };

export function registerDrain(app: FastifyInstance): Drain {
  let draining = false;
  let inFlight = 0;
  let lastRequestAt = performance.now();
  app.addHook("onRequest", async (_request, reply) => {
    inFlight++;
    lastRequestAt = performance.now();
    reply.raw.once("close", () => inFlight--);
  });
  app.addHook("onSend", async (_request, reply) => {
    if (draining) reply.header("connection", "close");
  });

  const drain = async ({ quietMs, maxMs }: DrainOptions) => {
    draining = true;
    const started = performance.now();
    while (performance.now() - started < maxMs && (inFlight > 0 || performance.now() - lastRequestAt < quietMs)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await app.close();
  };
  return Object.assign(drain, { isDraining: () => draining });
}

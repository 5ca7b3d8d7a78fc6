import { request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { registerDrain } from "./graceful-shutdown.js";

const SLOW_MS = 300;

/** A bare app with the drain hooks and one route that answers after SLOW_MS; `handled` counts finished handlers. */
async function startApp() {
  const app = Fastify();
  const drain = registerDrain(app);
  const state = { started: 0, handled: 0 };
  app.get("/slow", async () => {
    state.started++;
    await sleep(SLOW_MS);
    state.handled++;
    return { ok: true };
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return { app, drain, state, port };
}

function get(port: number) {
  const req = httpRequest({ host: "127.0.0.1", port, path: "/slow", agent: false });
  const response = new Promise<{ res: IncomingMessage; body: string; at: number }>((resolve, reject) => {
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ res, body, at: performance.now() }));
    });
    req.on("error", reject);
  });
  req.end();
  return { req, response };
}

async function until(condition: () => boolean, timeoutMs = 5000) {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error("condition not met in time");
    await sleep(10);
  }
}

describe("registerDrain", () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("does not wait for a request whose client went away before the answer", async () => {
    const started = await startApp();
    app = started.app;
    const { req, response } = get(started.port);
    response.catch(() => {}); // the client aborts on purpose
    await sleep(50);
    expect(started.state.started).toBe(1);
    req.destroy();
    await until(() => started.state.handled === 1);

    const before = performance.now();
    await started.drain({ quietMs: 50, maxMs: 5000 });
    const elapsed = performance.now() - before;

    expect(elapsed).toBeLessThan(1500);
    expect(started.app.server.listening).toBe(false);
  });

  it("answers a request in flight when draining starts, with Connection: close, before closing", async () => {
    const started = await startApp();
    app = started.app;
    const { response } = get(started.port);
    await until(() => started.state.started === 1);

    const before = performance.now();
    const drained = started.drain({ quietMs: 50, maxMs: 5000 }).then(() => performance.now());
    const [{ res, body, at: answeredAt }, drainedAt] = await Promise.all([response, drained]);

    expect(res.statusCode).toBe(200);
    expect(res.headers.connection).toBe("close");
    expect(JSON.parse(body)).toEqual({ ok: true });
    expect(answeredAt).toBeLessThanOrEqual(drainedAt);
    expect(drainedAt - before).toBeLessThan(1500);
    expect(started.app.server.listening).toBe(false);
  });
});

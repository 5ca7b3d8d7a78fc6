import { createServer, type AddressInfo, type Socket } from "node:net";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, timed } from "../../../test/support/eventually.js";
import { bearer, registerUser, signIn, STRONG_PASSWORD } from "../../../test/support/factories.js";
import { proxiedPostgres } from "../../../test/support/proxied-postgres.js";
import type { TcpProxy } from "../../../test/support/tcp-proxy.js";
import { startTestGatehouseOn, type TestGatehouse } from "../../../test/support/test-gatehouse.js";
import { buildMetricsServer } from "../../server.js";
import { openDatabase } from "./database.js";
import { DatabaseUnreachableError } from "./errors.js";

/**
 * Issue 15, item 13: PostgreSQL going away mid-run. Gatehouse reaches it through a proxy the test
 * cuts (refused connections) or stalls (silence: a partition, a half-open connection). API calls
 * must answer 503 service_unavailable with Retry-After — not 500, and not after a hang — and work
 * again, without a restart, once the database is back.
 */
const TIMEOUTS = { connectTimeoutMs: 500, statementTimeoutMs: 500 };
/** A generous bound whose point is only "does not hang" (timeouts above are 0.5 s, plus 1 s of driver margin). */
const DOES_NOT_HANG_MS = 8000;

describe.runIf(process.env.DATABASE_URL)("API calls while PostgreSQL is unreachable", () => {
  let proxy: TcpProxy;
  let t: TestGatehouse;
  beforeAll(async () => {
    const proxied = await proxiedPostgres({ database: { ...TIMEOUTS, heartbeat: { intervalMs: 100, timeoutMs: 500 } } });
    proxy = proxied.proxy;
    t = await startTestGatehouseOn(proxied.database);
  });
  afterAll(() => t?.close());

  const calls = (user: { email: string }, grant: { accessToken: string; refreshToken: string }) => ({
    "sign-in": () => t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: STRONG_PASSWORD } }),
    registration: () =>
      t.app.inject({
        method: "POST",
        url: "/v1/users",
        payload: { email: `late.${Math.random()}@example.com`, password: STRONG_PASSWORD, passwordConfirmation: STRONG_PASSWORD },
      }),
    refresh: () => t.app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken: grant.refreshToken } }),
    "token check": () => t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(grant.accessToken) }),
  });

  const expectUnavailable = async (name: string, call: () => Promise<LightMyRequestResponse>) => {
    const { result: response, ms } = await timed(call);
    expect(response.statusCode, `${name}: ${response.body}`).toBe(503);
    expect(response.json().error.code).toBe("service_unavailable");
    expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
    expect(ms).toBeLessThan(DOES_NOT_HANG_MS);
    return ms;
  };

  it("answers 503 with Retry-After while connections are refused, and recovers once PostgreSQL is back", async () => {
    const user = await registerUser(t.app);
    const grant = await signIn(t.app, user.email);
    await proxy.refuse();
    await eventually(() => !t.gatehouse.database.changes.live, 3000, "the feed to notice");
    const times: string[] = [];
    for (const [name, call] of Object.entries(calls(user, grant))) times.push(`${name} ${(await expectUnavailable(name, call)).toFixed(0)} ms`);
    const ready = await t.app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: "database unavailable" });

    await proxy.restore();
    const recoveredMs = await eventually(async () => (await calls(user, grant)["sign-in"]()).statusCode === 201, 10_000, "sign-in to work again");
    expect((await t.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
    console.info(`[database refused] 503 after: ${times.join(", ")}; sign-in worked again ${recoveredMs.toFixed(0)} ms after the database was back`);
  });

  it("answers 503 within the timeouts while PostgreSQL is silent, and recovers once it answers again", async () => {
    const user = await registerUser(t.app);
    const grant = await signIn(t.app, user.email);
    proxy.stall(); // open connections stay open and nothing comes back: only timeouts can end a wait
    const times: string[] = [];
    for (const [name, call] of Object.entries(calls(user, grant))) {
      if (name === "token check") await eventually(() => !t.gatehouse.database.changes.live, 3000, "missing heartbeats to take the cache out of service");
      times.push(`${name} ${(await expectUnavailable(name, call)).toFixed(0)} ms`);
    }
    const { result: ready, ms: readyMs } = await timed(() => t.app.inject({ method: "GET", url: "/readyz" }));
    expect(ready.statusCode).toBe(503);
    expect(readyMs).toBeLessThan(DOES_NOT_HANG_MS);
    // Metrics still come, without the outbox gauges the database cannot answer for.
    const metricsApp = await buildMetricsServer(t.gatehouse);
    const { result: scrape, ms: scrapeMs } = await timed(() => metricsApp.inject({ method: "GET", url: "/metrics" }));
    await metricsApp.close();
    expect(scrape.statusCode).toBe(200);
    expect(scrape.body).toContain('gatehouse_http_requests_total{method="POST",route="/v1/sessions",status="503"}');
    expect(scrape.body).not.toMatch(/^gatehouse_outbox_messages\{/m);
    expect(scrapeMs).toBeLessThan(DOES_NOT_HANG_MS);

    await proxy.restore();
    const recoveredMs = await eventually(async () => (await calls(user, grant)["sign-in"]()).statusCode === 201, 10_000, "sign-in to work again");
    console.info(
      `[database silent] 503 after: ${times.join(", ")}; readyz ${readyMs.toFixed(0)} ms; sign-in worked again ${recoveredMs.toFixed(0)} ms after the database answered`,
    );
  });
});

describe("start-up against a database that never answers", () => {
  let silent: { port: number; close(): Promise<void> };
  beforeAll(async () => {
    // Accepts TCP connections and never says a word, like a server behind a black-holing firewall rule.
    const sockets = new Set<Socket>();
    const server = createServer((socket) => void sockets.add(socket.on("error", () => {})));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    silent = {
      port: (server.address() as AddressInfo).port,
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  });
  afterAll(() => silent?.close());

  it("fails after the connect timeout with a message naming the server, not the password", async () => {
    const url = `postgres://gatehouse:hunter2-secret@127.0.0.1:${silent.port}/gatehouse`;
    const { result: error, ms } = await timed(() =>
      openDatabase({ url, dataDir: "unused", connectTimeoutMs: 300 }).then(
        () => null,
        (e: unknown) => e,
      ),
    );
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    const message = (error as Error).message;
    expect(message).toContain(`cannot connect to PostgreSQL at 127.0.0.1:${silent.port}/gatehouse`);
    expect(message).toContain("GATEHOUSE_DATABASE_CONNECT_TIMEOUT_MS");
    expect(message).not.toContain("hunter2");
    expect(ms).toBeLessThan(DOES_NOT_HANG_MS);
  });
});

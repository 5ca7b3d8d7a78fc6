import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatehouse, type Gatehouse } from "../../src/gatehouse.js";
import { openDatabase } from "../../src/kernel/db/database.js";
import { buildServer } from "../../src/server.js";
import { eventually } from "../support/eventually.js";
import { bearer, registerUser, signIn } from "../support/factories.js";
import { dropNotifications } from "../support/postgres-protocol.js";
import { proxiedPostgres } from "../support/proxied-postgres.js";
import { socketTimer } from "../support/sockets.js";
import type { TcpProxy } from "../support/tcp-proxy.js";
import { startTestGatehouseOn, testConfig, type TestGatehouse } from "../support/test-gatehouse.js";

/**
 * Issue 15, item 10: revocation must not wait for a change notification that never comes. Node B
 * reaches PostgreSQL through a proxy that can drop NotificationResponse messages while the
 * connections stay healthy (a proxy that loses them, PgBouncer in transaction mode, a half-open
 * listener); node A, another Gatehouse on the same database, connects directly.
 */
const HEARTBEAT = { intervalMs: 100, timeoutMs: 1000 };
/** Scheduling slack on a loaded machine; the bound itself is HEARTBEAT.timeoutMs. */
const SLACK_MS = 1500;

type Dropping = "nothing" | "everything" | "session and user changes";

describe.runIf(process.env.DATABASE_URL)("a node whose change notifications are lost", () => {
  let dropping: Dropping = "nothing";
  let proxy: TcpProxy;
  let b: TestGatehouse;
  let a: { gatehouse: Gatehouse; app: FastifyInstance; close(): Promise<void> };

  beforeAll(async () => {
    const proxied = await proxiedPostgres({
      filterFromServer: dropNotifications(
        ({ channel, payload }) =>
          dropping === "everything" || (dropping === "session and user changes" && channel === "gatehouse_changes" && /^(sessions|users):/.test(payload)),
      ),
      database: { heartbeat: HEARTBEAT },
    });
    proxy = proxied.proxy;
    b = await startTestGatehouseOn(proxied.database);
    const handle = await openDatabase({ url: proxied.database.url, dataDir: "unused", poolSize: 3 });
    const gatehouse = await createGatehouse(testConfig({ GATEHOUSE_MASTER_KEY: b.config.secrets.masterKey! }), {
      database: handle,
      clock: b.clock,
      startJobs: false,
    });
    const app = await buildServer(gatehouse);
    a = {
      gatehouse,
      app,
      async close() {
        await app.close();
        await gatehouse.close();
        await handle.close();
      },
    };
    await eventually(() => b.gatehouse.database.changes.live && a.gatehouse.database.changes.live, 10_000, "both feeds live");
  });
  afterAll(async () => {
    dropping = "nothing";
    await a?.close();
    await b?.close();
  });

  const me = (app: FastifyInstance, accessToken: string) => app.inject({ method: "GET", url: "/v1/me", headers: bearer(accessToken) });
  const signedInOnB = async () => {
    const user = await registerUser(b.app);
    const grant = await signIn(b.app, user.email);
    expect((await me(b.app, grant.accessToken)).statusCode).toBe(200); // now cached on B
    return { user, grant };
  };

  it("refuses a session another node revoked within the heartbeat timeout, and listens again once notifications flow", async () => {
    const { grant } = await signedInOnB();
    dropping = "everything";
    const revokedAt = performance.now();
    expect((await a.app.inject({ method: "DELETE", url: "/v1/sessions/current", headers: bearer(grant.accessToken) })).statusCode).toBe(204);

    // The notification is gone; the missing heartbeats take B's cache out of service instead.
    await eventually(async () => (await me(b.app, grant.accessToken)).statusCode === 401, HEARTBEAT.timeoutMs + SLACK_MS, "B refuses the revoked session");
    const refusedAfterMs = performance.now() - revokedAt;
    expect(b.gatehouse.database.changes.live).toBe(false);
    console.info(`[lost notifications] B refused a session revoked on A after ${refusedAfterMs.toFixed(0)} ms (heartbeat timeout ${HEARTBEAT.timeoutMs} ms)`);

    // While not live, B reads the database on every check: another revocation is seen on the next one.
    const second = await signedInOnB();
    await a.gatehouse.sessions.revokeAll(second.user.id, { ip: "127.0.0.1", userAgent: null, requestId: "test" }, "test");
    expect((await me(b.app, second.grant.accessToken)).statusCode).toBe(401);

    dropping = "nothing";
    const backMs = await eventually(() => b.gatehouse.database.changes.live, 15_000, "B's feed live again");
    console.info(`[lost notifications] B's feed was live again ${backMs.toFixed(0)} ms after notifications flowed again`);
    const third = await signedInOnB();
    await a.app.inject({ method: "DELETE", url: "/v1/sessions/current", headers: bearer(third.grant.accessToken) });
    await eventually(async () => (await me(b.app, third.grant.accessToken)).statusCode === 401, 3000, "B hears A's revocation");
  });

  it("refuses a session at once on the node that revoked it, even though its own notification is lost", async () => {
    dropping = "session and user changes"; // heartbeats still pass: B's feed stays live and its cache in use
    try {
      for (let round = 0; round < 5; round++) {
        const { grant } = await signedInOnB();
        const heard: string[] = [];
        const stop = b.gatehouse.database.changes.subscribe("sessions", (id) => heard.push(id));
        const checks = Array.from({ length: 5 }, () => me(b.app, grant.accessToken)); // in flight during the sign-out
        expect((await b.app.inject({ method: "DELETE", url: "/v1/sessions/current", headers: bearer(grant.accessToken) })).statusCode).toBe(204);
        expect((await me(b.app, grant.accessToken)).statusCode).toBe(401);
        await Promise.all(checks);
        expect((await me(b.app, grant.accessToken)).statusCode).toBe(401);
        stop();
        expect(heard).not.toContain(grant.session.id); // the notification really was dropped
        expect(b.gatehouse.database.changes.live).toBe(true);
      }

      // Users changed through the accounts service are evicted the same way.
      const { user, grant } = await signedInOnB();
      await b.gatehouse.database.db.transaction((tx) => b.gatehouse.accounts.updateRow(tx, user.id, { name: "Renamed Here" }));
      expect((await me(b.app, grant.accessToken)).json().user.name).toBe("Renamed Here");
    } finally {
      dropping = "nothing";
    }
  });

  it("turns TCP keepalive on for every connection to PostgreSQL", async () => {
    await signedInOnB(); // pooled connections and the listener are open now
    // A socket with data in flight shows its retransmit timer instead; sample until each has been seen between sends.
    const seen = new Map<number, string | null>();
    await eventually(
      () => {
        for (const port of proxy.clientPorts()) if (seen.get(port) !== "keepalive") seen.set(port, socketTimer(port, proxy.port));
        return [...seen.values()].every((timer) => timer === "keepalive" || timer === null);
      },
      3000,
      "a keepalive timer on every connection",
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify([...seen])}`);
    });
    expect([...seen.values()].filter((timer) => timer === "keepalive").length).toBeGreaterThanOrEqual(2);
  });
});

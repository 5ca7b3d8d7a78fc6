import { sql } from "drizzle-orm";
import { decodeJwt } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, registerUser, signIn } from "../../../test/support/factories.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

/**
 * Token checks are served from memory (GATEHOUSE_CACHE_MAX_ENTRIES). These tests hold the cache to
 * the promise it must keep: a committed change is seen by the next check — on this node at once,
 * and from another node (here: another connection writing SQL) as soon as its notification lands.
 */
describe.each(databaseTargets())("cached token checks on $name", (target) => {
  let t: TestGatehouse;
  /** Runs SQL the way another Gatehouse node would: PGlite has one connection, PostgreSQL gets its own. */
  let otherNode: { execute(query: string, params: unknown[]): Promise<void>; close(): Promise<void> };
  beforeAll(async () => {
    t = await startTestGatehouse(target);
    if (t.databaseUrl) {
      const client = new pg.Client({ connectionString: t.databaseUrl });
      await client.connect();
      otherNode = { execute: async (query, params) => void (await client.query(query, params)), close: () => client.end() };
    } else {
      const client = t.gatehouse.database.db;
      otherNode = { execute: async (query, params) => void (await client.execute(sql.raw(bind(query, params)))), close: async () => {} };
    }
    await eventually(() => t.gatehouse.database.changes.live);
  });
  afterAll(async () => {
    await otherNode.close();
    await t.close();
  });

  const me = (accessToken: string) => t.app.inject({ method: "GET", url: "/v1/me", headers: bearer(accessToken) });
  const signedIn = async () => {
    const user = await registerUser(t.app);
    const grant = await signIn(t.app, user.email);
    expect((await me(grant.accessToken)).statusCode).toBe(200); // now cached
    return { user, grant };
  };

  it("answers repeated checks from memory (shown by silencing the announcement of a revocation)", async () => {
    const { grant } = await signedIn();
    await otherNode.execute("alter table sessions disable trigger sessions_announce_change", []);
    try {
      await otherNode.execute("update sessions set revoked_at = now() where id = $1", [grant.session.id]);
      expect((await me(grant.accessToken)).statusCode).toBe(200);
    } finally {
      await otherNode.execute("alter table sessions enable trigger sessions_announce_change", []);
    }
  });

  it("refuses one revoked access token at once, on this node and from another, while its session lives on", async () => {
    const { user, grant } = await signedIn();
    const revoked = await t.app.inject({ method: "DELETE", url: "/v1/sessions/current/access-token", headers: bearer(grant.accessToken) });
    expect(revoked.statusCode).toBe(204);
    expect((await me(grant.accessToken)).statusCode).toBe(401);
    const refreshed = await t.app.inject({ method: "POST", url: "/v1/sessions/refresh", payload: { refreshToken: grant.refreshToken } });
    expect(refreshed.statusCode).toBe(200);
    expect((await me(refreshed.json().accessToken)).statusCode).toBe(200);
    const audit = await t.gatehouse.audit.listForUser(t.gatehouse.database.db, user.id, 10);
    expect(audit.find((e) => e.action === "access_token.revoked")?.data).toMatchObject({ sessionId: grant.session.id });

    // Revoked by jti through the library's token store from another node's connection: seen once it commits.
    const other = (await signedIn()).grant;
    const jti = decodeJwt(other.accessToken).jti!;
    await otherNode.execute(
      "insert into tokens (id, jti, purpose, expires_at, revoked_at, created_at) values (gen_random_uuid(), $1, 'revocation', now() + interval '1 hour', now(), now())",
      [jti],
    );
    await eventually(async () => (await me(other.accessToken)).statusCode === 401);
  });

  it("refuses a token on the very next check after this node signs its session out", async () => {
    for (let round = 0; round < 10; round++) {
      const { grant } = await signedIn();
      const checks = Array.from({ length: 5 }, () => me(grant.accessToken)); // in flight during the sign-out
      const signOut = await t.app.inject({ method: "DELETE", url: "/v1/sessions/current", headers: bearer(grant.accessToken) });
      expect(signOut.statusCode).toBe(204);
      expect((await me(grant.accessToken)).statusCode).toBe(401);
      await Promise.all(checks);
      expect((await me(grant.accessToken)).statusCode).toBe(401);
    }
  });

  it("hears this node's own commits by the time they return", async () => {
    const { grant, user } = await signedIn();
    const heard: string[] = [];
    const stop = t.gatehouse.database.changes.subscribe("sessions", (id) => heard.push(id));
    try {
      await t.gatehouse.sessions.revokeAll(user.id, { ip: "127.0.0.1", userAgent: null, requestId: "test" }, "test");
      expect(heard).toContain(grant.session.id);
    } finally {
      stop();
    }
  });

  it("refuses a token once another node revokes or deletes its session", async () => {
    const revoked = await signedIn();
    await otherNode.execute("update sessions set revoked_at = now(), revoked_reason = 'admin' where id = $1", [revoked.grant.session.id]);
    await eventually(async () => (await me(revoked.grant.accessToken)).statusCode === 401);

    const deleted = await signedIn();
    await otherNode.execute("delete from users where id = $1", [deleted.user.id]);
    await eventually(async () => (await me(deleted.grant.accessToken)).statusCode === 401);
  });

  it("shows another node's change to the user on the next reads", async () => {
    const { grant, user } = await signedIn();
    await otherNode.execute("update users set name = $1 where id = $2", ["Renamed Elsewhere", user.id]);
    await eventually(async () => (await me(grant.accessToken)).json().user.name === "Renamed Elsewhere");
  });

  it.runIf(target.name === "postgres")("reads the database while it cannot listen, and listens again after the connection is lost", async () => {
    const { grant } = await signedIn();
    await otherNode.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()", []);
    await eventually(() => !t.gatehouse.database.changes.live);
    await otherNode.execute("update sessions set revoked_at = now() where id = $1", [grant.session.id]);
    expect((await me(grant.accessToken)).statusCode).toBe(401);
    await eventually(() => t.gatehouse.database.changes.live);
    const after = await signedIn();
    await otherNode.execute("update sessions set revoked_at = now() where id = $1", [after.grant.session.id]);
    await eventually(async () => (await me(after.grant.accessToken)).statusCode === 401);
  });
});

/** PGlite's `execute` takes no parameters; the values here are test literals (uuids and a name). */
function bind(query: string, params: unknown[]): string {
  return query.replace(/\$(\d+)/g, (_, index: string) => `'${String(params[Number(index) - 1]).replaceAll("'", "''")}'`);
}

async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Baseline "write limit": a bare Fastify route that does what a refresh must at least do — one
 * transaction that updates one row (the session) and inserts one row (the new refresh token, under a
 * unique index on its digest), plus one EdDSA JWT signature — on the same kind of database as
 * Gatehouse, through the raw driver (PGlite, or a node-postgres pool of Gatehouse's size, 10).
 *
 * Usage: node write-server.js '{"port":4102,"database":"pglite","dataDir":"/tmp/x","sessionsFile":"/tmp/s.json","sessionCount":5000}'
 *    or: node write-server.js '{"port":4102,"database":"postgres","url":"postgres://…",…}'
 * Writes the session ids to sessionsFile, then listens.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import Fastify from "fastify";
import { generateKeyPair, SignJWT } from "jose";
import pg from "pg";

const spec = JSON.parse(process.argv[2]);
const POOL_SIZE = 10;

/** `query(text, params) → { rows, affected }` and `transaction(work)` where work gets the same `query`. */
async function openDatabase() {
  if (spec.database === "pglite") {
    mkdirSync(spec.dataDir, { recursive: true });
    const client = new PGlite(`${spec.dataDir}/pglite`);
    await client.waitReady;
    const wrap = (executor) => async (text, params) => {
      const result = await executor.query(text, params);
      return { rows: result.rows, affected: result.affectedRows ?? 0 };
    };
    return {
      exec: (text) => client.exec(text),
      query: wrap(client),
      transaction: (work) => client.transaction((tx) => work(wrap(tx))),
    };
  }
  const pool = new pg.Pool({ connectionString: spec.url, max: POOL_SIZE });
  const wrap = (executor) => async (text, params) => {
    const result = await executor.query(text, params);
    return { rows: result.rows, affected: result.rowCount ?? 0 };
  };
  return {
    exec: (text) => pool.query(text),
    query: wrap(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query("begin");
        const result = await work(wrap(client));
        await client.query("commit");
        return result;
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

const db = await openDatabase();
await db.exec(`
  drop table if exists bench_baseline_refresh_tokens;
  drop table if exists bench_baseline_sessions;
  create table bench_baseline_sessions (id uuid primary key, user_id uuid not null, created_at timestamptz not null, last_used_at timestamptz not null);
  create table bench_baseline_refresh_tokens (
    id uuid primary key,
    session_id uuid not null references bench_baseline_sessions(id) on delete cascade,
    token_hash text not null unique,
    created_at timestamptz not null
  );
  create index bench_baseline_refresh_tokens_session_id_idx on bench_baseline_refresh_tokens (session_id);
  insert into bench_baseline_sessions select gen_random_uuid(), gen_random_uuid(), now(), now() from generate_series(1, ${Number(spec.sessionCount)});
`);
const { rows } = await db.query("select id from bench_baseline_sessions");
writeFileSync(spec.sessionsFile, JSON.stringify(rows.map((r) => r.id)));

const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
const issuer = `http://127.0.0.1:${spec.port}`;

const app = Fastify({ logger: false });
app.post(
  "/rotate",
  { schema: { body: { type: "object", required: ["sessionId"], additionalProperties: false, properties: { sessionId: { type: "string", format: "uuid" } } } } },
  async (request, reply) => {
    const { sessionId } = request.body;
    const now = new Date();
    const refreshToken = randomBytes(32).toString("base64url");
    const tokenHash = createHash("sha256").update(refreshToken).digest("base64url");
    const found = await db.transaction(async (query) => {
      const updated = await query("update bench_baseline_sessions set last_used_at = $2 where id = $1", [sessionId, now]);
      if (updated.affected !== 1) return false;
      await query("insert into bench_baseline_refresh_tokens (id, session_id, token_hash, created_at) values ($1, $2, $3, $4)", [
        randomUUID(),
        sessionId,
        tokenHash,
        now,
      ]);
      return true;
    });
    if (!found) return reply.code(404).send({ error: "not_found" });
    const iat = Math.floor(now.getTime() / 1000);
    const accessToken = await new SignJWT({ sid: sessionId, roles: [] })
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: "baseline" })
      .setIssuer(issuer)
      .setAudience("gatehouse")
      .setSubject(sessionId)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300)
      .sign(privateKey);
    return { accessToken, refreshToken, expiresIn: 300 };
  },
);
app.get("/healthz", async () => ({ status: "ok" }));
await app.listen({ port: spec.port, host: "127.0.0.1" });
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));

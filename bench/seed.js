/**
 * Seeds a Gatehouse database through the library (dist/), in its own process so that PGlite's
 * single-writer data directory is free again when it exits.
 *
 * Users are inserted with SQL in batches, their password hashes drawn from a pool of
 * PASSWORD_POOL_SIZE real argon2id hashes made by Gatehouse's own hasher at the configured
 * parameters (hashing 100,000 passwords one by one would take longer than the benchmark). Sessions
 * are started with `sessions.createSession`, the library call behind every sign-in, so their access
 * and refresh tokens are real ones.
 *
 * Usage (environment as for `gatehouse serve`):
 *   node bench/seed.js '{"users":[{"prefix":"u","from":0,"to":1000}],"sessions":[{"file":"/tmp/t.json","count":500,"prefix":"u"}]}'
 * Prints one JSON line with counts and timings.
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { createGatehouse, loadConfig } from "../dist/index.js";
import { emailFor, PASSWORD_POOL_SIZE, passwordFor } from "./bench-users.js";

const BATCH = 20_000;
const spec = JSON.parse(process.argv[2]);
const gatehouse = await createGatehouse(loadConfig(process.env), { startJobs: false });
const { db } = gatehouse.database;
const report = { users: 0, sessions: 0, seconds: {} };

async function tableExists(name) {
  const result = await db.execute(sql`select to_regclass(${`public.${name}`}) is not null as present`);
  return Boolean((result.rows ?? result)[0].present);
}

/**
 * The rows above are written with SQL, so check them through the library, the way sign-in reads
 * them: if the schema has moved on, fail here with a clear message rather than count 401s later.
 */
async function assertCanSignIn(prefix, i) {
  const row = await gatehouse.accounts.findRowByLogin(db, emailFor(prefix, i));
  if (!row?.passwordHash || !(await gatehouse.hasher.verify(row.passwordHash, passwordFor(prefix, i)))) {
    throw new Error(`seeded user ${emailFor(prefix, i)} cannot sign in: bench/seed.js no longer matches the schema`);
  }
}

try {
  let started = performance.now();
  for (const set of spec.users ?? []) {
    const pool = await Promise.all(Array.from({ length: PASSWORD_POOL_SIZE }, (_, k) => gatehouse.hasher.hash(passwordFor(set.prefix, k))));
    const hashes = JSON.stringify(pool);
    for (let from = set.from; from < set.to; from += BATCH) {
      const to = Math.min(set.to, from + BATCH);
      await db.execute(sql`
        insert into users (id, email, username, password_hash, metadata, created_at, updated_at)
        select gen_random_uuid(), ${set.prefix}::text || i || '@bench.example', ${set.prefix}::text || i,
               (${hashes}::jsonb ->> (i % ${PASSWORD_POOL_SIZE})), '{}'::jsonb, now(), now()
        from generate_series(${from}::int, ${to - 1}::int) as i`);
      report.users += to - from;
    }
    // Sign-in by email looks the address up among the user's identities (migration 0001).
    if (await tableExists("identities")) {
      await db.execute(sql`
        insert into identities (id, user_id, type, value, verified_at, created_at)
        select gen_random_uuid(), u.id, 'email', lower(u.email), null, u.created_at
        from users u
        where u.email like ${`${set.prefix}%@bench.example`}
          and not exists (select 1 from identities i where i.type = 'email' and i.value = lower(u.email))`);
    }
    await assertCanSignIn(set.prefix, set.from);
    await assertCanSignIn(set.prefix, set.to - 1);
  }
  report.seconds.users = (performance.now() - started) / 1000;
  if (spec.users?.length) await db.execute(sql`analyze users`);

  started = performance.now();
  const context = { ip: "127.0.0.1", userAgent: "gatehouse-bench-seed", requestId: "seed" };
  for (const set of spec.sessions ?? []) {
    const result = await db.execute(sql`
      select id from users where email like ${`${set.prefix}%@bench.example`} order by random() limit ${set.count}`);
    const ids = (result.rows ?? result).map((r) => r.id);
    if (ids.length === 0) throw new Error(`no users with prefix ${set.prefix}`);
    const grants = [];
    // More sessions than users: some users get several, as people with several devices do.
    for (let i = 0; i < set.count; i++) {
      const grant = await gatehouse.sessions.createSession(ids[i % ids.length], "password", { ...context, requestId: randomUUID() });
      grants.push({ accessToken: grant.accessToken, refreshToken: grant.refreshToken });
    }
    writeFileSync(set.file, JSON.stringify(grants));
    report.sessions += grants.length;
  }
  report.seconds.sessions = (performance.now() - started) / 1000;
} finally {
  await gatehouse.close();
}
process.stdout.write(`${JSON.stringify(report)}\n`);

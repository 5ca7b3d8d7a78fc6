/**
 * A fresh PostgreSQL database per run, created on the server named by BENCH_POSTGRES_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres) and dropped at the end.
 */
import pg from "pg";

export const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

function assertLocal(url) {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) throw new Error(`the benchmark only targets this machine, not ${host}`);
}

async function withAdmin(work) {
  assertLocal(ADMIN_URL);
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Returns { url, name, version } of a new empty database, or throws when the server is unreachable. */
export async function createBenchDatabase() {
  const name = `gatehouse_bench_${Date.now().toString(36)}_${process.pid}`;
  return withAdmin(async (client) => {
    const { rows } = await client.query("show server_version");
    await client.query(`create database ${name}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    return { url: url.toString(), name, version: `PostgreSQL ${rows[0].server_version}` };
  });
}

export async function dropBenchDatabase(name) {
  await withAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
}

import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type DatabaseHandle } from "../../src/kernel/db/database.js";

/** A fresh database opened for one test file; `url` is null on PGlite, `dispose` closes and drops it. */
export interface TestDatabase {
  handle: DatabaseHandle;
  url: string | null;
  dispose(): Promise<void>;
}

/** A database a test file runs against: "pglite" always, "postgres" too when DATABASE_URL is set. */
export interface DatabaseTarget {
  name: "pglite" | "postgres";
  /** Opens a fresh, empty database used by nobody else; `dispose` drops it. */
  create(): Promise<TestDatabase>;
}

const pgliteTarget: DatabaseTarget = {
  name: "pglite",
  async create() {
    const handle = await openDatabase({ url: null, dataDir: "memory://" });
    return { handle, url: null, dispose: () => handle.close() };
  },
};

/** Creates an empty PostgreSQL database next to `adminUrl`'s, without opening it; `drop` removes it. */
export async function createPostgresDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gatehouse_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

function postgresTarget(adminUrl: string): DatabaseTarget {
  return {
    name: "postgres",
    async create() {
      const database = await createPostgresDatabase(adminUrl);
      const handle = await openDatabase({ url: database.url, dataDir: "unused", poolSize: 5 });
      return {
        handle,
        url: database.url,
        async dispose() {
          await handle.close();
          await database.drop();
        },
      };
    },
  };
}

/** Every database the suite runs on in this environment. */
export function databaseTargets(): DatabaseTarget[] {
  const url = process.env.DATABASE_URL;
  return url ? [pgliteTarget, postgresTarget(url)] : [pgliteTarget];
}

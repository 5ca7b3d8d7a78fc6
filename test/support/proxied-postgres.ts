import { openDatabase, type DatabaseOptions } from "../../src/kernel/db/database.js";
import { createPostgresDatabase, type TestDatabase } from "./test-database.js";
import { startTcpProxy, type StreamFilter, type TcpProxy } from "./tcp-proxy.js";

/**
 * A fresh PostgreSQL database (next to DATABASE_URL's) that Gatehouse reaches only through a TCP
 * proxy the test controls. `database.url` is the direct URL, for "another node" that bypasses the
 * proxy; `database.dispose()` closes the handle, the proxy and drops the database.
 */
export async function proxiedPostgres(
  options: { filterFromServer?: () => StreamFilter; database?: Partial<Omit<DatabaseOptions, "url" | "dataDir">> } = {},
): Promise<{ proxy: TcpProxy; database: TestDatabase }> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error("proxiedPostgres needs DATABASE_URL");
  const created = await createPostgresDatabase(adminUrl);
  const direct = new URL(created.url);
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) }, { filterFromServer: options.filterFromServer });
  const handle = await openDatabase({ url: proxy.urlFor(created.url), dataDir: "unused", poolSize: 5, ...options.database });
  return {
    proxy,
    database: {
      handle,
      url: created.url,
      async dispose() {
        await proxy.restore();
        await handle.close();
        await proxy.close();
        await created.drop();
      },
    },
  };
}

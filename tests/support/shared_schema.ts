/**
 * Two DenoQueue servers in this test process on one PostgreSQL schema, each with its own store
 * (its own connections, as two processes would have), driven through `app.request()`.
 * @module
 */

import { createServer, type DenoQueueServer, type ServerOptions } from "../../api/server.ts";
import { PostgresStore } from "../../queue/store/postgres/postgres_store.ts";
import { ApiClient, TEST_SERVER_OPTIONS } from "./api_server.ts";
import { postgresCluster } from "./postgres.ts";

let schemas = 0;

/** A server of the pair, with its client. */
export interface PairedServer {
  server: DenoQueueServer;
  api: ApiClient;
  store: PostgresStore;
}

/**
 * Runs `test` with two servers on a new schema (`a`'s options then `b`'s over the shared ones)
 * and shuts both down. `probe` is a third store on the schema, for reading behind their backs.
 */
export async function withServerPair(
  options: { shared?: ServerOptions; a?: ServerOptions; b?: ServerOptions },
  test: (a: PairedServer, b: PairedServer, probe: PostgresStore) => Promise<void>,
): Promise<void> {
  const cluster = await postgresCluster();
  const schema = `pair_${Deno.pid}_${++schemas}`;
  const open = () => PostgresStore.open(cluster.url(), { schema });
  const probe = await open();
  const started: PairedServer[] = [];
  try {
    for (const own of [options.a, options.b]) {
      const store = await open();
      const server = await createServer({
        ...TEST_SERVER_OPTIONS,
        heartbeat: 250,
        nodeTimeout: 5_000,
        ...options.shared,
        ...own,
        store,
      });
      started.push({ server, api: new ApiClient(server), store });
    }
    await test(started[0], started[1], probe);
  } finally {
    await Promise.all(started.map(({ server }) => server.shutdown()));
    await probe.close();
  }
}

/** The store contract, run against the PostgreSQL store (a new schema per test). */

import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { storeContract } from "../contract/store_contract.ts";

let schemas = 0;

storeContract("PostgresStore", async () => {
  const cluster = await postgresCluster();
  return await PostgresStore.open(cluster.url(), { schema: `contract_${++schemas}` });
});

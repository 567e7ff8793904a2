/** The store contract, run against the SQLite store (a new file per test). */

import { SqliteStore } from "../../../queue/store/sqlite/sqlite_store.ts";
import { storeContract } from "../contract/store_contract.ts";

storeContract("SqliteStore", () => {
  const dir = Deno.makeTempDirSync({ prefix: "denoqueue-store-" });
  return Promise.resolve(SqliteStore.open(`${dir}/jobs.db`));
});

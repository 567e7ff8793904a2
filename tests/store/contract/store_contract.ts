/**
 * The whole store contract, part by part: a driver's test file calls `storeContract` once and
 * runs every part's suite. Parts join as the interface grows (schedules next).
 */

import type { Store } from "../../../queue/store/store.ts";
import { attemptsContract } from "./attempts_contract.ts";
import { claimsContract } from "./claims_contract.ts";
import { jobsContract } from "./jobs_contract.ts";
import { keysContract } from "./keys_contract.ts";
import { nodesContract } from "./nodes_contract.ts";
import { retriesContract } from "./retries_contract.ts";

/** Registers every part of the store contract for the driver `name` that `open` creates. */
export function storeContract(name: string, open: () => Promise<Store>): void {
  jobsContract(name, open);
  claimsContract(name, open);
  attemptsContract(name, open);
  retriesContract(name, open);
  keysContract(name, open);
  nodesContract(name, open);
}

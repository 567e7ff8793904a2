/** The store contract, run against the memory store. */

import { MemoryStore } from "../../../queue/store/memory/memory_store.ts";
import { storeContract } from "../contract/store_contract.ts";

storeContract("MemoryStore", () => Promise.resolve(new MemoryStore()));

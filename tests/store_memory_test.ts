/** The store contract, run against the memory store. */

import { MemoryStore } from "../queue/store/memory.ts";
import { storeContract } from "./support/store_contract.ts";

storeContract("MemoryStore", () => Promise.resolve(new MemoryStore()));

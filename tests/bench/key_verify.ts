/**
 * What checking a key costs: `ApiKeys.verify()` N times in a row (default 10,000) on each store,
 * for a good key (digest, read of the store, compare; its use recorded once), a wrong secret of a
 * real id, a malformed string and the master key, plus the SHA-256 and `findKey` alone. Each
 * figure is microseconds per call, `{ cpu, wall }`.
 *
 *   deno run -A tests/bench/key_verify.ts [--n 10000]
 *
 * @module
 */

import { createHash } from "node:crypto";
import process from "node:process";
import { parseArgs } from "node:util";
import { ApiKeys } from "../../queue/keys/api_keys.ts";
import { MasterKey } from "../../queue/keys/master_key.ts";
import { digestSecret } from "../../queue/keys/secret_digest.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import type { Store } from "../../queue/store/store.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { n: { type: "string", default: "10000" } },
});
const N = Number(values.n);
const MASTER = "bench-master-key-0123456789";

/**
 * Microseconds per call of `fn` over N calls, after N/10 calls of warm-up: of CPU time (every
 * thread of the process; what a shared machine's other load changes least) and wall time.
 */
async function perCall(fn: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  for (let i = 0; i < N / 10; i++) await fn();
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < N; i++) await fn();
  const wall = (performance.now() - start) * 1000;
  const used = process.cpuUsage(cpu);
  const round = (micros: number) => Math.round(micros / N * 10) / 10;
  return { cpu: round(used.user + used.system), wall: round(wall) };
}

async function measure(name: string, store: Store): Promise<Record<string, unknown>> {
  const keys = new ApiKeys({ store, masterKey: new MasterKey(MASTER) });
  // A store with some keys in it, as a service would have.
  for (let i = 0; i < 100; i++) await keys.create({ name: `key ${i}`, role: "producer" });
  const { secret } = await keys.create({ name: "bench", role: "producer" });
  const wrong = secret.slice(0, -1) + (secret.at(-1) === "A" ? "B" : "A");
  const expect = async (presented: string, ok: boolean) => {
    if ((await keys.verify(presented)).ok !== ok) throw new Error("unexpected answer");
  };
  const result = {
    store: name,
    n: N,
    goodKey: await perCall(() => expect(secret, true)),
    wrongSecret: await perCall(() => expect(wrong, false)),
    malformed: await perCall(() => expect("not a key", false)),
    masterKey: await perCall(() => expect(MASTER, true)),
    findKeyAlone: await perCall(() => store.findKey({ id: secret.slice(3, 19) })),
  };
  await store.close();
  return result;
}

const dir = Deno.makeTempDirSync({ prefix: "denoqueue-keys-bench-" });
console.log(JSON.stringify({
  sha256Alone: await perCall(() => digestSecret(MASTER)),
  // What `node:crypto`'s synchronous hash would cost instead of WebCrypto's.
  sha256NodeCrypto: await perCall(() =>
    Promise.resolve(createHash("sha256").update(MASTER).digest())
  ),
}));
console.log(JSON.stringify(await measure("memory", new MemoryStore())));
console.log(JSON.stringify(await measure("sqlite", SqliteStore.open(`${dir}/keys.db`))));
Deno.removeSync(dir, { recursive: true });

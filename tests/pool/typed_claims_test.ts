/**
 * A node claims only the types it has handlers for: every claim a running server makes names
 * its types, never "any type", so a node deployed without a type never takes its jobs (a
 * rolling deploy that adds a type hands it only to the nodes that have it).
 */

import assert from "node:assert/strict";
import type { ClaimParams } from "../../queue/store/job_store.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { withServer } from "../support/api_server.ts";

Deno.test("WorkerPool claims name the types of a permission set, never any type", async () => {
  const inner = new MemoryStore();
  const claims: ClaimParams[] = [];
  const store = new Proxy(inner, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key === "claim") {
        return (params: ClaimParams) => {
          claims.push(params);
          return target.claim(params);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as Store;
  // A job of a type no node here has: stored by another node's producer, say.
  const [foreign] = await inner.insert({
    jobs: [{
      id: "foreign",
      seq: 0,
      type: "added-in-the-next-release",
      payload: {},
      status: "queued",
      maxAttempts: 1,
      timeout: 1000,
      backoff: { base: 100, factor: 2, cap: 1000 },
      createdAt: Date.now(),
      runAt: Date.now(),
      updatedAt: Date.now(),
      progress: 0,
      attempts: [],
      logs: [],
    }],
  });
  await withServer({ store }, async (api, server) => {
    const jobs = [await api.enqueue("noop", {}), await api.enqueue("t-succeeds", { value: 1 })];
    for (const job of jobs) await api.waitForStatus(job.id, "completed");
    const known = new Set(server.queue.registry.types());
    assert.ok(claims.length > 0);
    for (const claim of claims) {
      assert.ok(claim.types !== undefined, "a claim of any type");
      assert.ok(claim.types.every((type) => known.has(type)), claim.types.join());
    }
    assert.equal((await api.job(foreign.id)).status, "queued", "left for a node that has it");
  });
});

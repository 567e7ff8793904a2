/**
 * `retryAll` answers how many jobs remain to retry (the dashboard shows them as "left (the queue
 * is full)"). Jobs that another caller retried meanwhile do not remain: with two retry-alls at
 * once (a double click, two dashboards), every failed job is retried once, and neither answer
 * may say some are left. Found by the attack on "Correct under stress": each call counts the
 * jobs the other one retried (its JobStateError) as remaining.
 */

import assert from "node:assert/strict";
import { buildJob } from "../../queue/enqueue/job_builder.ts";
import { JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import { Queue } from "../../queue/queue.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";

const registry = await HandlerRegistry.load([]);
const T = 1_700_000_000_000;

Deno.test("retryAll() at once twice: every job retried once, and none said to remain", async () => {
  const store = new MemoryStore();
  const queue = new Queue({ store, registry, events: new JobEvents(), now: () => T });
  try {
    await queue.open();
    const failed = Array.from({ length: 20 }, () => ({
      ...buildJob(registry, { type: "noop", payload: {} }, "", T),
      status: "failed" as const,
      finishedAt: T,
    }));
    await store.insert({ jobs: failed });
    const [a, b] = await Promise.all([queue.retryAll("failed"), queue.retryAll("failed")]);
    assert.equal(a.retried + b.retried, 20, "each failed job retried once");
    assert.equal((await store.counts()).retried.failed, 20);
    assert.deepEqual(await queue.retryAll("failed"), { retried: 0, remaining: 0 });
    assert.deepEqual(
      [a.remaining, b.remaining],
      [0, 0],
      "nothing remains to retry, and the queue was never full",
    );
  } finally {
    await queue.close();
  }
});

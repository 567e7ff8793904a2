/** LeaderElection: one leader on a lease row, renewed, resigned, taken over once it runs out. */

import assert from "node:assert/strict";
import { LeaderElection } from "../../queue/cluster/leader_election.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { captureLog } from "../support/log_capture.ts";
import { manualClock } from "./shared_store.ts";

function setup(store: Store = new MemoryStore()) {
  const clock = manualClock();
  const log = captureLog("info");
  const election = (node: string) => {
    const made = new LeaderElection({
      store,
      node,
      leaseMs: 10_000,
      now: clock.now,
      logger: log.logger,
    });
    const changes: boolean[] = [];
    made.onChange((leading) => changes.push(leading));
    return { election: made, changes };
  };
  return { store, clock, log, a: election("a"), b: election("b") };
}

Deno.test("LeaderElection.tryLead() makes one node leader; the other waits", async () => {
  const { a, b, log } = setup();
  assert.equal(await a.election.tryLead(), true);
  assert.equal(await b.election.tryLead(), false);
  assert.equal(await a.election.tryLead(), true, "renewed");
  assert.deepEqual(a.changes, [true], "told once");
  assert.deepEqual(b.changes, []);
  assert.equal(log.matching(/leads now/).length, 1);
});

Deno.test("LeaderElection: a leader that stops renewing is replaced once its lease runs out", async () => {
  const { a, b, clock } = setup();
  await a.election.tryLead();
  clock.advance(10_000);
  assert.equal(await b.election.tryLead(), false, "the lease lasts 10 s");
  clock.advance(1);
  assert.equal(await b.election.tryLead(), true);
  assert.equal(await a.election.tryLead(), false, "the old leader learns it at its next try");
  assert.deepEqual(a.changes, [true, false]);
  assert.deepEqual(b.changes, [true]);
});

Deno.test("LeaderElection.resign() frees the lease at once for the next node", async () => {
  const { store, a, b, clock } = setup();
  await a.election.tryLead();
  await a.election.resign();
  assert.equal(a.election.leading, false);
  assert.deepEqual(a.changes, [true, false]);
  assert.equal(await store.leader({ now: clock.now() }), undefined);
  assert.equal(await b.election.tryLead(), true);
});

Deno.test("LeaderElection.tryLead() on an unreachable store keeps leading only while its lease lasts", async () => {
  const inner = new MemoryStore();
  let down = false;
  const store = new Proxy(inner, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key === "tryLead") {
        return (params: Parameters<Store["tryLead"]>[0]) =>
          down ? Promise.reject(new Error("connection lost")) : target.tryLead(params);
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const { a, clock, log } = setup(store);
  await a.election.tryLead();
  down = true;
  clock.advance(5_000);
  assert.equal(await a.election.tryLead(), true, "its lease still holds");
  assert.equal(log.matching(/Could not renew/).length, 1);
  clock.advance(5_001);
  assert.equal(await a.election.tryLead(), false, "past its lease, others may lead");
  assert.deepEqual(a.changes, [true, false]);
});

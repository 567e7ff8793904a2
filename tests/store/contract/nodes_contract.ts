/**
 * Nodes in the store contract: registering, heartbeating (and learning that the row is gone),
 * listing, removing only what is still stale, finding the jobs a node holds, and the leader
 * lease: one holder at a time, taken when free, expired or already held, given up at once.
 */

import assert from "node:assert/strict";
import type { NodeRecord } from "../../../queue/store/node_store.ts";
import type { Store } from "../../../queue/store/store.ts";
import { claimOf, contractHarness, ids, makeJob, T } from "./harness.ts";

/** A node started at `T + startedAfter`, beating then. */
function node(id: string, startedAfter = 0, overrides: Partial<NodeRecord> = {}): NodeRecord {
  return {
    id,
    name: `node ${id}`,
    host: "host-1",
    version: "0.1.0",
    startedAt: T + startedAfter,
    heartbeatAt: T + startedAfter,
    workers: 4,
    busy: 0,
    types: ["email", "resize"],
    ...overrides,
  };
}

/**
 * Registers this part of the store contract for the driver `name` that `open` creates; each
 * test closes the stores it opened.
 */
export function nodesContract(name: string, open: () => Promise<Store>): void {
  const { test, opened, storeWith } = contractHarness(name, open);

  test("registerNode() stores a node that listNodes() returns whole", async () => {
    const store = await opened();
    assert.deepEqual(await store.listNodes(), []);
    await store.registerNode(node("a"));
    assert.deepEqual(await store.listNodes(), [node("a")]);
  });

  test("listNodes() lists the oldest start first, then by id", async () => {
    const store = await opened();
    await store.registerNode(node("c", 10));
    await store.registerNode(node("b", 0));
    await store.registerNode(node("a", 10));
    assert.deepEqual((await store.listNodes()).map((n) => n.id), ["b", "a", "c"]);
  });

  test("registerNode() of a known id replaces its row", async () => {
    const store = await opened();
    await store.registerNode(node("a"));
    const again = node("a", 50, { workers: 8, types: ["email"], name: "renamed" });
    await store.registerNode(again);
    assert.deepEqual(await store.listNodes(), [again]);
  });

  test("heartbeat() updates the beat, workers and busy, and nothing else", async () => {
    const store = await opened();
    await store.registerNode(node("a"));
    await store.registerNode(node("b"));
    assert.equal(await store.heartbeat({ id: "a", at: T + 1000, workers: 6, busy: 2 }), true);
    assert.deepEqual(await store.listNodes(), [
      node("a", 0, { heartbeatAt: T + 1000, workers: 6, busy: 2 }),
      node("b"),
    ]);
  });

  test("heartbeat() of a node with no row writes nothing and says false", async () => {
    const store = await opened();
    await store.registerNode(node("a"));
    assert.equal(await store.heartbeat({ id: "gone", at: T + 1000, workers: 1, busy: 1 }), false);
    assert.deepEqual(await store.listNodes(), [node("a")]);
  });

  test("removeNode() removes the row; with staleBefore only a row beating before then", async () => {
    const store = await opened();
    await store.registerNode(node("a", 0, { heartbeatAt: T + 100 }));
    await store.registerNode(node("b"));
    assert.equal(await store.removeNode({ id: "a", staleBefore: T + 100 }), false, "fresh");
    assert.equal(await store.removeNode({ id: "a", staleBefore: T + 101 }), true, "stale");
    assert.equal(await store.removeNode({ id: "a" }), false, "gone already");
    assert.equal(await store.removeNode({ id: "b" }), true);
    assert.deepEqual(await store.listNodes(), []);
    assert.equal(await store.heartbeat({ id: "b", at: T, workers: 1, busy: 0 }), false);
  });

  test("listNodes() hands out copies: changing one changes nothing stored", async () => {
    const store = await opened();
    await store.registerNode(node("a"));
    const [listed] = await store.listNodes();
    listed.types.push("other");
    listed.busy = 99;
    assert.deepEqual(await store.listNodes(), [node("a")]);
  });

  test("jobsHeldBy() finds the in-progress jobs leased by that node, whatever their expiry", async () => {
    const store = await storeWith(makeJob("j1"), makeJob("j2"), makeJob("j3"), makeJob("j4"));
    await store.claim({ ...claimOf(2, "w1", T), leaseOwner: "dead", leaseUntil: T + 1 });
    await store.claim({ ...claimOf(1, "w2", T), leaseOwner: "alive" });
    assert.deepEqual(ids(await store.jobsHeldBy({ node: "dead", limit: 10 })).sort(), [
      "j1",
      "j2",
    ]);
    assert.equal((await store.jobsHeldBy({ node: "dead", limit: 1 })).length, 1);
    const [held] = await store.jobsHeldBy({ node: "alive", limit: 10 });
    assert.equal(held.id, "j3");
    assert.equal(held.status, "in-progress");
    assert.equal(typeof held.leaseToken, "string");
    assert.deepEqual(await store.jobsHeldBy({ node: "nobody", limit: 10 }), []);
  });

  test("tryLead() takes a free lease, renews its own, and refuses another's until it runs out", async () => {
    const store = await opened();
    assert.equal(await store.leader({ now: T }), undefined);
    assert.equal(await store.tryLead({ node: "a", now: T, until: T + 10 }), true, "free");
    assert.equal(await store.leader({ now: T }), "a");
    assert.equal(await store.tryLead({ node: "b", now: T + 5, until: T + 15 }), false);
    assert.equal(await store.tryLead({ node: "a", now: T + 5, until: T + 20 }), true, "renewed");
    assert.equal(await store.tryLead({ node: "b", now: T + 20, until: T + 30 }), false, "not yet");
    assert.equal(await store.leader({ now: T + 21 }), undefined, "ran out");
    assert.equal(await store.tryLead({ node: "b", now: T + 21, until: T + 31 }), true, "expired");
    assert.equal(await store.leader({ now: T + 21 }), "b");
    assert.equal(await store.tryLead({ node: "a", now: T + 22, until: T + 32 }), false);
  });

  test("tryLead() of two nodes at once: one leads", async () => {
    const store = await opened();
    const tries = await Promise.all(
      ["a", "b", "c"].map((id) => store.tryLead({ node: id, now: T, until: T + 10 })),
    );
    assert.equal(tries.filter(Boolean).length, 1);
    assert.equal(await store.leader({ now: T }), ["a", "b", "c"][tries.indexOf(true)]);
  });

  test("resign() frees the lease at once for the next node; another's resign changes nothing", async () => {
    const store = await opened();
    await store.tryLead({ node: "a", now: T, until: T + 10_000 });
    await store.resign({ node: "b" });
    assert.equal(await store.leader({ now: T }), "a");
    await store.resign({ node: "a" });
    assert.equal(await store.leader({ now: T }), undefined);
    assert.equal(await store.tryLead({ node: "b", now: T + 1, until: T + 10 }), true);
  });
}

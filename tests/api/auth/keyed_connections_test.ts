import assert from "node:assert/strict";
import { KeyedConnections } from "../../../api/auth/keyed_connections.ts";
import { ApiKeys } from "../../../queue/keys/api_keys.ts";
import { MemoryStore } from "../../../queue/store/memory/memory_store.ts";
import { waitFor } from "../../support/wait.ts";

Deno.test("KeyedConnections.revoked() ends that key's connections, once each, and no other", () => {
  const connections = new KeyedConnections();
  const ended: string[] = [];
  connections.add("k1", "s1", () => ended.push("a"));
  connections.add("k1", "s1", () => ended.push("b"));
  const forget = connections.add("k1", "s1", () => ended.push("closed already"));
  connections.add("k2", "s2", () => ended.push("other key"));
  forget();
  connections.revoked("k1");
  connections.revoked("k1");
  assert.deepEqual(ended, ["a", "b"]);
  assert.equal(connections.size, 1);
});

Deno.test("KeyedConnections checks keys again on a timer: a key revoked elsewhere or expired ends its connections", async () => {
  let now = Date.UTC(2030, 0, 1);
  const store = new MemoryStore();
  const keys = new ApiKeys({ store, now: () => now });
  // Another process sharing the store revokes through its own ApiKeys.
  const elsewhere = new ApiKeys({ store, now: () => now });
  const revoked = await keys.create({ name: "r", role: "producer" });
  const expiring = await keys.create({
    name: "e",
    role: "viewer",
    expiresAt: new Date(now + 60_000).toISOString(),
  });
  const kept = await keys.create({ name: "k", role: "viewer" });
  const connections = new KeyedConnections({ keys, recheckEvery: 20 });
  const reasons = new Map<string, string>();
  for (const made of [revoked, expiring, kept]) {
    connections.add(made.key.id, made.secret, (reason) => reasons.set(made.key.name, reason));
  }
  try {
    await elsewhere.revoke(revoked.key.id);
    now += 120_000;
    await waitFor(() => reasons.size === 2, { timeout: 5_000, message: "two keys ended" });
    assert.deepEqual(Object.fromEntries(reasons), {
      r: "The key is revoked",
      e: "The key is expired",
    });
    assert.equal(connections.size, 1, "the good key's connection stays");
  } finally {
    connections.close();
  }
});

/**
 * Keys in the store contract: a key is stored with its secret's digest, found by id, listed
 * newest first with the revoked ones, revoked once for good, and its last use recorded forward
 * only. Expiry is not the store's business (ApiKeys decides it), so none is tested here.
 */

import assert from "node:assert/strict";
import type { NewKey } from "../../../queue/store/key_store.ts";
import type { Store } from "../../../queue/store/store.ts";
import { contractHarness } from "./harness.ts";

const AT = "2030-01-01T00:00:00.000Z";
const LATER = "2030-01-02T00:00:00.000Z";
const LATEST = "2030-01-03T00:00:00.000Z";

/** A key to store, its digest 32 bytes of `fill`. */
function newKey(id: string, overrides: Partial<NewKey> = {}): NewKey {
  return {
    id,
    name: `key ${id}`,
    role: "producer",
    secretHash: new Uint8Array(32).fill(id.charCodeAt(0)),
    createdAt: AT,
    ...overrides,
  };
}

/**
 * Registers this part of the store contract for the driver `name` that `open` creates; each
 * test closes the stores it opened.
 */
export function keysContract(name: string, open: () => Promise<Store>): void {
  const { test, opened } = contractHarness(name, open);

  test("createKey() stores a key that findKey() returns with its digest", async () => {
    const store = await opened();
    const made = await store.createKey(newKey("a", { role: "viewer", expiresAt: LATER }));
    const expected = { id: "a", name: "key a", role: "viewer", createdAt: AT, expiresAt: LATER };
    assert.deepEqual(made, expected);
    const found = await store.findKey({ id: "a" });
    assert.deepEqual(found?.key, expected);
    assert.deepEqual([...found!.secretHash], [...new Uint8Array(32).fill("a".charCodeAt(0))]);
    assert.deepEqual(
      await store.createKey(newKey("b", { expiresAt: undefined })),
      { id: "b", name: "key b", role: "producer", createdAt: AT },
      "an absent time is left out, not undefined",
    );
  });

  test("findKey(), revokeKey() and touchKey() of an unknown id find nothing and store nothing", async () => {
    const store = await opened();
    await store.createKey(newKey("a"));
    assert.equal(await store.findKey({ id: "b" }), undefined);
    assert.equal(await store.revokeKey({ id: "b", at: AT }), undefined);
    await store.touchKey({ id: "b", at: AT });
    assert.deepEqual((await store.listKeys()).map((key) => key.id), ["a"]);
  });

  test("createKey() with an id stored already rejects and keeps the first key", async () => {
    const store = await opened();
    await store.createKey(newKey("a"));
    await assert.rejects(
      store.createKey(newKey("a", { name: "impostor", role: "admin" })),
      /already exists/,
    );
    const found = await store.findKey({ id: "a" });
    assert.equal(found?.key.name, "key a");
    assert.equal(found?.key.role, "producer");
    assert.equal(found?.secretHash[0], "a".charCodeAt(0));
    assert.equal((await store.listKeys()).length, 1);
  });

  test("listKeys() lists every key newest first, revoked ones marked", async () => {
    const store = await opened();
    await store.createKey(newKey("old", { createdAt: AT }));
    await store.createKey(newKey("new", { createdAt: LATEST }));
    await store.createKey(newKey("mid1", { createdAt: LATER }));
    await store.createKey(newKey("mid2", { createdAt: LATER }));
    await store.revokeKey({ id: "old", at: LATEST });
    const listed = await store.listKeys();
    assert.deepEqual(listed.map((key) => key.id), ["new", "mid2", "mid1", "old"]);
    assert.equal(listed[3].revokedAt, LATEST);
    assert.ok(listed.slice(0, 3).every((key) => key.revokedAt === undefined));
    assert.ok(listed.every((key) => !("secretHash" in key)), "no digest in a list");
  });

  test("listKeys() of an empty store is empty", async () => {
    assert.deepEqual(await (await opened()).listKeys(), []);
  });

  test("revokeKey() marks the key at once; revoking again keeps the first time", async () => {
    const store = await opened();
    await store.createKey(newKey("a"));
    await store.createKey(newKey("b"));
    const revoked = await store.revokeKey({ id: "a", at: LATER });
    assert.deepEqual(revoked, {
      id: "a",
      name: "key a",
      role: "producer",
      createdAt: AT,
      revokedAt: LATER,
    });
    assert.equal((await store.findKey({ id: "a" }))?.key.revokedAt, LATER);
    assert.equal((await store.revokeKey({ id: "a", at: LATEST }))?.revokedAt, LATER);
    assert.equal((await store.findKey({ id: "a" }))?.key.revokedAt, LATER);
    assert.equal((await store.findKey({ id: "b" }))?.key.revokedAt, undefined, "only that key");
  });

  test("revokeKey() of two calls at once keeps one time", async () => {
    const store = await opened();
    await store.createKey(newKey("a"));
    const both = await Promise.all([
      store.revokeKey({ id: "a", at: LATER }),
      store.revokeKey({ id: "a", at: LATEST }),
    ]);
    assert.deepEqual(both.map((key) => key?.revokedAt), [LATER, LATER]);
  });

  test("touchKey() records the latest use and never moves it back", async () => {
    const store = await opened();
    await store.createKey(newKey("a"));
    await store.touchKey({ id: "a", at: LATER });
    assert.equal((await store.findKey({ id: "a" }))?.key.lastUsedAt, LATER);
    await store.touchKey({ id: "a", at: LATEST });
    await store.touchKey({ id: "a", at: AT });
    assert.equal((await store.findKey({ id: "a" }))?.key.lastUsedAt, LATEST);
    assert.equal((await store.listKeys())[0].lastUsedAt, LATEST);
  });

  test("createKey(), findKey() and listKeys() hand out copies: changing one changes nothing stored", async () => {
    const store = await opened();
    const digest = new Uint8Array(32).fill(7);
    const made = await store.createKey(newKey("a", { secretHash: digest }));
    digest.fill(0);
    made.role = "admin";
    const found = await store.findKey({ id: "a" });
    assert.equal(found?.secretHash[0], 7, "the digest given was copied");
    found!.secretHash.fill(1);
    found!.key.revokedAt = LATER;
    (await store.listKeys())[0].name = "renamed";
    const again = await store.findKey({ id: "a" });
    assert.deepEqual(again?.key, { id: "a", name: "key a", role: "producer", createdAt: AT });
    assert.equal(again?.secretHash[0], 7);
  });
}

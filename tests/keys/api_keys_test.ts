/**
 * ApiKeys: making keys (the secret shown once, only its digest stored) and checking presented
 * secrets against the store, the master key, revocation and expiry (an injected clock).
 */

import assert from "node:assert/strict";
import { ValidationError } from "../../queue/errors.ts";
import type { ApiKey } from "../../queue/keys/api_key.ts";
import { ApiKeys, type ApiKeysOptions, MASTER_KEY_ID } from "../../queue/keys/api_keys.ts";
import { MasterKey } from "../../queue/keys/master_key.ts";
import { digestSecret } from "../../queue/keys/secret_digest.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { captureLog } from "../support/log_capture.ts";
import { waitFor } from "../support/wait.ts";

const T0 = Date.UTC(2030, 0, 1);
const MASTER = "m4ster-key-of-at-least-16";

/** ApiKeys over a new memory store, on a clock the test moves (`clock.now`). */
function setUp(options: Partial<ApiKeysOptions> = {}) {
  const store = new MemoryStore();
  const clock = { now: T0 };
  const keys = new ApiKeys({ store, now: () => clock.now, ...options });
  return { store, clock, keys };
}

Deno.test("ApiKeys.create() answers the key and its secret once, and stores only its SHA-256", async () => {
  const { store, keys } = setUp();
  const { key, secret } = await keys.create({ name: "ci", role: "producer" });
  assert.deepEqual(key, {
    id: key.id,
    name: "ci",
    role: "producer",
    createdAt: "2030-01-01T00:00:00.000Z",
  });
  assert.match(secret, new RegExp(`^dq_${key.id}_[A-Za-z0-9_-]{43}$`));
  const stored = await store.findKey({ id: key.id });
  assert.deepEqual([...stored!.secretHash], [...await digestSecret(secret)]);
  const random = secret.slice(`dq_${key.id}_`.length);
  const everything = JSON.stringify([stored!.key, await store.listKeys(), await keys.list()]);
  assert.ok(!everything.includes(random), "the secret is nowhere in what is stored or listed");
  const other = await keys.create({ name: "ci", role: "producer" });
  assert.notEqual(other.key.id, key.id);
  assert.notEqual(other.secret, secret);
});

Deno.test("ApiKeys.create() refuses a bad request naming the field, storing nothing", async () => {
  const { store, keys } = setUp();
  const cases: [unknown, string][] = [
    [{ name: "", role: "admin" }, "name"],
    [{ name: "x".repeat(101), role: "admin" }, "name"],
    [{ name: "ci", role: "root" }, "role"],
    [{ name: "ci", role: "admin", expiresAt: "soon" }, "expiresAt"],
    [{ name: "ci", role: "admin", expiresAt: "2029-12-31T23:59:59Z" }, "expiresAt"],
    [{ name: "ci", role: "admin", expiresAt: "2030-01-01T00:00:00Z" }, "expiresAt"],
  ];
  for (const [request, field] of cases) {
    await assert.rejects(
      keys.create(request as Parameters<ApiKeys["create"]>[0]),
      (error: Error) => error instanceof ValidationError && error.field === field,
      JSON.stringify(request),
    );
  }
  assert.deepEqual(await store.listKeys(), []);
});

Deno.test("ApiKeys.verify() accepts a key's secret and answers the key", async () => {
  const { keys } = setUp();
  const { key, secret } = await keys.create({ name: "viewer", role: "viewer" });
  const check = await keys.verify(secret);
  assert.ok(check.ok);
  assert.equal(check.key.id, key.id);
  assert.equal(check.key.role, "viewer");
  assert.equal(check.key.name, "viewer");
});

Deno.test("ApiKeys.verify() calls a string of any other shape malformed", async () => {
  const { keys } = setUp();
  const { key, secret } = await keys.create({ name: "ci", role: "admin" });
  const random = secret.slice(`dq_${key.id}_`.length);
  const shapes = [
    "",
    " ",
    "dq_",
    key.id,
    random,
    `dq_${key.id}`,
    `dq_${key.id}_`,
    `Bearer ${secret}`,
    ` ${secret}`,
    `${secret} `,
    `${secret}\n`,
    `${secret}A`,
    secret.slice(0, -1),
    secret.toUpperCase(),
    secret.replace("dq_", "DQ_"),
    secret.replace("dq_", "gq_"),
    `dq_${key.id.toUpperCase()}_${random}`,
    `dq_${key.id}-${random}`,
    `dq_${MASTER_KEY_ID}_${random}`,
    `dq_${key.id}_${random}_${random}`,
    "x".repeat(100_000),
    `${secret}${"=".repeat(2_000)}`,
  ];
  for (const presented of shapes) {
    assert.deepEqual(
      await keys.verify(presented),
      { ok: false, reason: "malformed" },
      JSON.stringify(presented.slice(0, 80)),
    );
  }
  for (const notAString of [undefined, null, 42, { secret }]) {
    assert.deepEqual(await keys.verify(notAString as unknown as string), {
      ok: false,
      reason: "malformed",
    });
  }
  assert.ok((await keys.verify(secret)).ok, "the key itself still passes");
});

Deno.test("ApiKeys.verify() calls a token of an unknown id, or a wrong secret for a right id, unknown", async () => {
  const { keys } = setUp();
  const { key, secret } = await keys.create({ name: "ci", role: "admin" });
  const other = await keys.create({ name: "other", role: "viewer" });
  const random = secret.slice(`dq_${key.id}_`.length);
  const lastChanged = secret.slice(0, -1) + (secret.at(-1) === "A" ? "B" : "A");
  const firstChanged = `dq_${key.id}_${random[0] === "A" ? "B" : "A"}${random.slice(1)}`;
  const unknown = [
    `dq_${"0".repeat(16)}_${random}`,
    lastChanged,
    firstChanged,
    `dq_${key.id}_${other.secret.slice(-43)}`,
    `dq_${other.key.id}_${random}`,
  ];
  for (const presented of unknown) {
    assert.deepEqual(await keys.verify(presented), { ok: false, reason: "unknown" }, presented);
  }
});

Deno.test("ApiKeys.revoke() makes verify() refuse the key at once, keeps the first time, and leaves others", async () => {
  const { clock, keys } = setUp();
  const { key, secret } = await keys.create({ name: "ci", role: "producer" });
  const kept = await keys.create({ name: "kept", role: "producer" });
  assert.ok((await keys.verify(secret)).ok);
  clock.now = T0 + 1_000;
  const revoked = await keys.revoke(key.id);
  assert.equal(revoked?.revokedAt, "2030-01-01T00:00:01.000Z");
  assert.deepEqual(await keys.verify(secret), { ok: false, reason: "revoked" });
  clock.now = T0 + 2_000;
  assert.equal((await keys.revoke(key.id))?.revokedAt, "2030-01-01T00:00:01.000Z");
  assert.ok((await keys.verify(kept.secret)).ok);
  assert.equal(await keys.revoke("no-such-key"), undefined);
  assert.equal(await keys.revoke(MASTER_KEY_ID), undefined);
  const wrong = secret.slice(0, -1) + (secret.at(-1) === "A" ? "B" : "A");
  assert.deepEqual(
    await keys.verify(wrong),
    { ok: false, reason: "unknown" },
    "a wrong secret learns nothing of the key's revocation",
  );
});

Deno.test("ApiKeys.verify() reads the store every time: a revocation by another ApiKeys counts at once", async () => {
  const store = new MemoryStore();
  const here = new ApiKeys({ store });
  const elsewhere = new ApiKeys({ store });
  const { key, secret } = await here.create({ name: "ci", role: "producer" });
  assert.ok((await here.verify(secret)).ok);
  await elsewhere.revoke(key.id);
  assert.deepEqual(await here.verify(secret), { ok: false, reason: "revoked" });
});

Deno.test("ApiKeys.verify() refuses a key from its expiry on, by the injected clock", async () => {
  const { clock, keys } = setUp();
  const { secret } = await keys.create({
    name: "temp",
    role: "viewer",
    expiresAt: "2030-01-01T01:00:00Z",
  });
  const never = await keys.create({ name: "forever", role: "viewer" });
  clock.now = Date.UTC(2030, 0, 1, 0, 59, 59, 999);
  assert.ok((await keys.verify(secret)).ok, "a millisecond before");
  clock.now = Date.UTC(2030, 0, 1, 1);
  assert.deepEqual(await keys.verify(secret), { ok: false, reason: "expired" }, "at its expiry");
  clock.now = Date.UTC(2040, 0, 1);
  assert.deepEqual(await keys.verify(secret), { ok: false, reason: "expired" });
  assert.ok((await keys.verify(never.secret)).ok, "a key without expiry never expires");
  const wrong = secret.slice(0, -1) + (secret.at(-1) === "A" ? "B" : "A");
  assert.deepEqual(await keys.verify(wrong), { ok: false, reason: "unknown" });
});

Deno.test("ApiKeys.verify() takes the master key as an admin named master", async () => {
  const { keys } = setUp({ masterKey: new MasterKey(MASTER) });
  assert.deepEqual(await keys.verify(MASTER), {
    ok: true,
    key: {
      id: MASTER_KEY_ID,
      name: "master",
      role: "admin",
      createdAt: "2030-01-01T00:00:00.000Z",
    },
  });
  for (const near of [MASTER.slice(0, -1), `${MASTER}x`, ` ${MASTER}`, MASTER.toUpperCase()]) {
    assert.deepEqual(await keys.verify(near), { ok: false, reason: "malformed" }, near);
  }
  const { secret } = await keys.create({ name: "ci", role: "viewer" });
  assert.equal((await keys.verify(secret)).ok, true, "keys work beside the master key");
  assert.deepEqual(await keys.list().then((list) => list.map((key) => key.name)), ["ci"]);
});

Deno.test("ApiKeys.verify() without a master key configured does not take one", async () => {
  const { keys } = setUp();
  assert.deepEqual(await keys.verify(MASTER), { ok: false, reason: "malformed" });
});

Deno.test("ApiKeys.verify() takes a master key shaped like a token as the master", async () => {
  const tokenLike = `dq_${"0".repeat(16)}_${"A".repeat(43)}`;
  const { keys } = setUp({ masterKey: new MasterKey(tokenLike) });
  const check = await keys.verify(tokenLike);
  assert.ok(check.ok);
  assert.equal(check.key.id, MASTER_KEY_ID);
});

Deno.test("ApiKeys.verify() records a key's use at most once per touchEvery", async () => {
  const { store, clock, keys } = setUp({ touchEvery: 60_000 });
  const { key, secret } = await keys.create({ name: "ci", role: "producer" });
  const lastUsed = async () => (await store.findKey({ id: key.id }))?.key.lastUsedAt;
  assert.equal(await lastUsed(), undefined);
  assert.ok((await keys.verify(secret)).ok);
  assert.equal(await lastUsed(), "2030-01-01T00:00:00.000Z");
  clock.now = T0 + 59_999;
  assert.ok((await keys.verify(secret)).ok);
  assert.equal(await lastUsed(), "2030-01-01T00:00:00.000Z", "not again within the minute");
  clock.now = T0 + 60_000;
  const check = await keys.verify(secret);
  assert.ok(check.ok);
  assert.equal(check.key.lastUsedAt, "2030-01-01T00:00:00.000Z", "answered as it was read");
  assert.equal(await lastUsed(), "2030-01-01T00:01:00.000Z");
  clock.now = T0 + 120_000;
  await keys.verify(secret.slice(0, -1) + (secret.at(-1) === "A" ? "B" : "A"));
  assert.equal(await lastUsed(), "2030-01-01T00:01:00.000Z", "a refused secret is no use");
});

Deno.test("ApiKeys.verify() still accepts a key when recording its use fails, and logs why", async () => {
  const log = captureLog("warn");
  const store = new MemoryStore();
  const keys = new ApiKeys({ store, logger: log.logger, touchEvery: 0 });
  const { key, secret } = await keys.create({ name: "ci", role: "producer" });
  store.touchKey = () => Promise.reject(new Error("disk full"));
  assert.ok((await keys.verify(secret)).ok);
  await waitFor(() => log.matching(/Could not record a key's use/).length > 0);
  const [record] = log.matching(/Could not record a key's use/);
  assert.equal(record?.fields.keyId, key.id);
  assert.match(String((record?.fields.error as Error).message), /disk full/);
  assert.ok(!JSON.stringify(log.records).includes(secret.slice(-43)), "the secret is not logged");
});

Deno.test("new ApiKeys() refuses a negative touchEvery", () => {
  assert.throws(() => setUp({ touchEvery: -1 }), /touchEvery must be 0 or more ms, received -1/);
  assert.throws(() => setUp({ touchEvery: NaN }), /touchEvery/);
});

Deno.test("ApiKeys.list() answers every key, revoked and expired ones too, newest first", async () => {
  const { clock, keys } = setUp();
  const made: ApiKey[] = [];
  for (const name of ["a", "b", "c"]) {
    made.push((await keys.create({ name, role: "viewer", expiresAt: "2030-01-02" })).key);
    clock.now += 1_000;
  }
  await keys.revoke(made[0].id);
  clock.now = Date.UTC(2031, 0, 1);
  const listed = await keys.list();
  assert.deepEqual(listed.map((key) => key.name), ["c", "b", "a"]);
  assert.ok(listed[2].revokedAt !== undefined);
});

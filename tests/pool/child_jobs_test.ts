/**
 * `ctx.enqueue` through a real worker: a handler fans out child jobs that then run, and the
 * queue's refusals (bad payload, bad options, unknown type, full queue) reach the handler as an
 * `EnqueueError` it can catch, with nothing stored.
 */

import assert from "node:assert/strict";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { poolHarness } from "../support/pool_harness.ts";

type ChildAnswer =
  | { id: string; status: string }
  | {
    refused: {
      name: string;
      code: string;
      field?: string;
      message: string;
      retryAfterSeconds?: number;
    };
  };

const STORES: [string, () => Store][] = [
  ["MemoryStore", () => new MemoryStore()],
  ["SqliteStore", () => SqliteStore.open(`${Deno.makeTempDirSync()}/jobs.db`)],
];

for (const [name, open] of STORES) {
  Deno.test(`${name}: a handler fans out child jobs with ctx.enqueue and they complete`, async () => {
    const harness = await poolHarness({}, { store: open() });
    try {
      await harness.pool.start();
      const children = [1, 2, 3].map((value) => ({ type: "t-succeeds", payload: { value } }));
      const [parent] = await harness.queue.enqueue([{
        type: "t-fans-out",
        payload: { children },
      }]);
      const done = await harness.final(parent.id);
      assert.equal(done.status, "completed", done.error);
      const answers = done.result as ChildAnswer[];
      assert.equal(answers.length, 3);
      for (const [i, answer] of answers.entries()) {
        assert.ok("id" in answer, JSON.stringify(answer));
        assert.equal(answer.status, "queued");
        const child = await harness.final(answer.id);
        assert.equal(child.status, "completed");
        assert.deepEqual(child.result, { doubled: (i + 1) * 2 });
      }
    } finally {
      await harness.close();
    }
  });
}

Deno.test("ctx.enqueue refusals reach the handler as EnqueueError naming the field", async () => {
  const harness = await poolHarness();
  try {
    await harness.pool.start();
    const [parent] = await harness.queue.enqueue([{
      type: "t-fans-out",
      payload: {
        children: [
          { type: "t-succeeds", payload: { value: "not a number" } },
          { type: "t-succeeds", payload: { value: 1 }, options: { maxAttempts: 0 } },
          { type: "t-no-such-type", payload: {} },
          { type: "t-succeeds", payload: { value: 1 }, options: { delay: 60_000 } },
        ],
      },
    }]);
    const done = await harness.final(parent.id);
    assert.equal(done.status, "completed", done.error);
    const [badPayload, badOptions, unknownType, delayed] = done.result as ChildAnswer[];
    assert.ok("refused" in badPayload && "refused" in badOptions && "refused" in unknownType);
    assert.deepEqual(
      [badPayload.refused.name, badPayload.refused.code, badPayload.refused.field],
      ["EnqueueError", "invalid_payload", "payload.value"],
    );
    assert.deepEqual(
      [badOptions.refused.code, badOptions.refused.field],
      ["invalid_options", "options.maxAttempts"],
    );
    assert.deepEqual([unknownType.refused.code, unknownType.refused.field], [
      "unknown_type",
      "type",
    ]);
    assert.ok("id" in delayed);
    assert.equal(delayed.status, "scheduled");
    const stored = await harness.queue.list({ limit: 100 });
    assert.deepEqual(stored.map((job) => job.type).sort(), ["t-fans-out", "t-succeeds"]);
  } finally {
    await harness.close();
  }
});

Deno.test("ctx.enqueue on a full queue rejects with EnqueueError queue_full", async () => {
  // The parent itself takes the only place, so the child waits enqueueWait and is refused.
  const harness = await poolHarness({}, { capacity: 1, enqueueWait: 50 });
  try {
    await harness.pool.start();
    const [parent] = await harness.queue.enqueue([{
      type: "t-fans-out",
      payload: { children: [{ type: "t-succeeds", payload: { value: 1 } }] },
    }]);
    const done = await harness.final(parent.id);
    assert.equal(done.status, "completed", done.error);
    const [answer] = done.result as ChildAnswer[];
    assert.ok("refused" in answer, JSON.stringify(answer));
    assert.equal(answer.refused.name, "EnqueueError");
    assert.equal(answer.refused.code, "queue_full");
    assert.ok(Number.isInteger(answer.refused.retryAfterSeconds));
    assert.equal((await harness.queue.list({ limit: 100 })).length, 1);
  } finally {
    await harness.close();
  }
});

Deno.test("ctx.enqueue is held to the body limit and to a bound on requests waiting at once", async () => {
  // The parent takes the only place: each child accepted waits enqueueWait, then is refused.
  const harness = await poolHarness(
    { childLimits: { payloadBytes: 100, waiting: 3 } },
    { capacity: 1, enqueueWait: 300 },
  );
  try {
    await harness.pool.start();
    const small = { type: "t-succeeds", payload: { value: 1 } };
    const big = { type: "t-succeeds", payload: { value: 1, pad: "x".repeat(200) } };
    const [parent] = await harness.queue.enqueue([{
      type: "t-fans-out",
      payload: { children: [big, small, small, small, small, small] },
    }]);
    const done = await harness.final(parent.id);
    assert.equal(done.status, "completed", done.error);
    const codes = (done.result as ChildAnswer[]).map((answer) =>
      "refused" in answer ? answer.refused.code : "enqueued"
    );
    assert.deepEqual(codes, [
      "payload_too_large",
      "queue_full",
      "queue_full",
      "queue_full",
      "too_many_requests",
      "too_many_requests",
    ]);
    assert.equal((await harness.queue.list({ limit: 100 })).length, 1, "nothing stored");
  } finally {
    await harness.close();
  }
});

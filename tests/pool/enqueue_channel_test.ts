/**
 * The worker's side of `ctx.enqueue`: requests of one turn go in one message, answers settle
 * the right promises, and a job that cannot be cloned is refused alone.
 */

import assert from "node:assert/strict";
import { EnqueueError } from "../../queue/errors.ts";
import { EnqueueChannel } from "../../queue/pool/enqueue_channel.ts";
import type { FromWorker } from "../../queue/pool/protocol.ts";

function channel() {
  const sent: FromWorker[] = [];
  // structuredClone refuses what postMessage refuses.
  const enqueues = new EnqueueChannel((message) => sent.push(structuredClone(message)));
  return { sent, enqueues };
}

Deno.test("EnqueueChannel sends one turn's requests together and settles each answer", async () => {
  const { sent, enqueues } = channel();
  const first = enqueues.enqueue("parent", "t-succeeds", { value: 1 });
  const second = enqueues.enqueue("parent", "t-succeeds", { value: 2 }, { delay: 5 });
  await Promise.resolve();
  assert.equal(sent.length, 1);
  const message = sent[0];
  assert.ok(message.kind === "enqueue");
  assert.deepEqual(message.requests.map((request) => request.payload), [{ value: 1 }, {
    value: 2,
  }]);
  assert.deepEqual(message.requests[1].options, { delay: 5 });
  const [a, b] = message.requests.map((request) => request.requestId);
  enqueues.answer([
    { requestId: b, ok: false, code: "queue_full", message: "full", retryAfterSeconds: 3 },
    { requestId: a, ok: true, id: "child-1", status: "queued" },
  ]);
  assert.deepEqual(await first, { id: "child-1", status: "queued" });
  const error = await second.catch((error) => error);
  assert.ok(error instanceof EnqueueError);
  assert.equal(error.code, "queue_full");
  assert.equal(error.retryAfterSeconds, 3);
});

Deno.test("EnqueueChannel refuses a payload that cannot be sent, and sends the others", async () => {
  const { sent, enqueues } = channel();
  const bad = enqueues.enqueue("parent", "t-succeeds", { value: () => 1 });
  const good = enqueues.enqueue("parent", "t-succeeds", { value: 2 });
  const error = await bad.catch((error) => error);
  assert.ok(error instanceof EnqueueError);
  assert.equal(error.code, "invalid_payload");
  assert.equal(error.field, "payload");
  assert.equal(sent.length, 1);
  assert.ok(sent[0].kind === "enqueue");
  assert.deepEqual(sent[0].requests.map((request) => request.payload), [{ value: 2 }]);
  enqueues.answer([{
    requestId: sent[0].requests[0].requestId,
    ok: true,
    id: "c",
    status: "queued",
  }]);
  assert.deepEqual(await good, { id: "c", status: "queued" });
});

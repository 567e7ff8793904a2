/**
 * The write lane of the PostgreSQL store: calls of one turn share a batch, calls made while a
 * batch is written gather for the next, and a lane writes one batch at a time, or up to
 * `maxWrites` at once; a batch that throws rejects its own calls only.
 */

import assert from "node:assert/strict";
import { type Outcome, WriteLane } from "../../../queue/store/postgres/write_lane.ts";
import { afterQueuedCallbacks, waitFor } from "../../support/wait.ts";

/** A lane whose writes wait until the test ends them, recording each batch as it starts. */
function heldLane(maxWrites?: number) {
  const started: { inputs: string[]; end(error?: Error): void }[] = [];
  const lane = new WriteLane<string, string>((inputs) => {
    const { promise, resolve, reject } = Promise.withResolvers<Outcome<string>[]>();
    started.push({
      inputs,
      end: (error) =>
        error
          ? reject(error)
          : resolve(inputs.map((input) => ({ ok: true as const, output: `${input}!` }))),
    });
    return promise;
  }, maxWrites);
  return { lane, started };
}

Deno.test("WriteLane: calls of one turn share a batch; the next waits for it to end", async () => {
  const { lane, started } = heldLane();
  const a = lane.run("a");
  const b = lane.run("b");
  await waitFor(() => started.length === 1);
  assert.deepEqual(started[0].inputs, ["a", "b"]);
  const c = lane.run("c");
  const d = lane.run("d");
  await afterQueuedCallbacks();
  assert.equal(started.length, 1, "one batch at a time");
  started[0].end();
  assert.deepEqual(await Promise.all([a, b]), ["a!", "b!"]);
  await waitFor(() => started.length === 2);
  assert.deepEqual(started[1].inputs, ["c", "d"]);
  started[1].end();
  assert.deepEqual(await Promise.all([c, d]), ["c!", "d!"]);
});

Deno.test("WriteLane with maxWrites 2: a second batch is written beside the first, a third waits", async () => {
  const { lane, started } = heldLane(2);
  const a = lane.run("a");
  await waitFor(() => started.length === 1);
  const b = lane.run("b");
  await waitFor(() => started.length === 2);
  assert.deepEqual(started[1].inputs, ["b"]);
  const c = lane.run("c");
  const d = lane.run("d");
  await afterQueuedCallbacks();
  assert.equal(started.length, 2, "no more than two at once");
  // The second ends first: its calls settle without waiting for the first.
  started[1].end();
  assert.equal(await b, "b!");
  await waitFor(() => started.length === 3);
  assert.deepEqual(started[2].inputs, ["c", "d"]);
  started[2].end();
  assert.deepEqual(await Promise.all([c, d]), ["c!", "d!"]);
  started[0].end();
  assert.equal(await a, "a!");
});

Deno.test("WriteLane with maxWrites 2: a batch that fails rejects its calls, not the other's", async () => {
  const { lane, started } = heldLane(2);
  const a = lane.run("a");
  await waitFor(() => started.length === 1);
  const b = lane.run("b");
  await waitFor(() => started.length === 2);
  started[0].end(new Error("refused"));
  await assert.rejects(a, /refused/);
  started[1].end();
  assert.equal(await b, "b!");
});

Deno.test("WriteLane refuses a maxWrites that is not a positive integer", () => {
  const write = () => Promise.resolve([]);
  assert.throws(() => new WriteLane(write, 0), RangeError);
  assert.throws(() => new WriteLane(write, 1.5), RangeError);
});

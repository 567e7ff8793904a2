/**
 * Capacity holds for a cluster: two servers on one PostgreSQL schema share one limit, counted
 * in the database. Jobs stored on one node take room on the other; refusals are 503 queue_full
 * with Retry-After; room freed on one node lets the other enqueue again; two nodes enqueueing as
 * fast as they can overshoot the limit by no more than the jobs of their enqueue calls in flight
 * (near the limit each reservation counts first).
 */

import assert from "node:assert/strict";
import type { ErrorBody } from "../../api/errors.ts";
import type { ApiClient, JobView } from "../support/api_server.ts";
import { withServerPair } from "../support/shared_schema.ts";
import { waitFor } from "../support/wait.ts";

const LIMIT = 100;
/** Concurrent enqueue calls per node in the race to the limit, and jobs per call. */
const CALLERS = 4;
const BATCH = 2;
const REFRESH_MS = 100;
/** Scheduled an hour ahead: unfinished, never run. */
const LATER = { delay: 3_600_000 };

function batch(size: number) {
  return Array.from({ length: size }, (_, i) => ({ type: "noop", payload: i, options: LATER }));
}

/** Enqueues `size` jobs; the jobs when stored, else the refusal. */
async function tryEnqueue(api: ApiClient, size: number) {
  const answer = await api.post<JobView[] | ErrorBody>("/api/jobs", batch(size));
  return answer;
}

function assertQueueFull(answer: { status: number; headers: Headers; body: unknown }): void {
  assert.equal(answer.status, 503, JSON.stringify(answer.body));
  assert.equal((answer.body as ErrorBody).error.code, "queue_full");
  assert.match(answer.headers.get("retry-after") ?? "", /^[1-9][0-9]*$/);
}

const OPTIONS = { shared: { capacity: LIMIT, enqueueWait: 0, capacityRefresh: REFRESH_MS } };

Deno.test("Cluster capacity: jobs stored on node A take room on node B; B is refused at the limit, with Retry-After", async () => {
  await withServerPair(OPTIONS, async (a, b, probe) => {
    assert.equal((await tryEnqueue(a.api, 60)).status, 201);
    await waitFor(async () => (await b.api.stats()).capacity.used >= 60, {
      message: "node B to count node A's jobs",
    });
    let stored = 0;
    for (;;) {
      const answer = await tryEnqueue(b.api, 5);
      if (answer.status !== 201) {
        assertQueueFull(answer);
        break;
      }
      stored += 5;
    }
    assert.equal(stored, 40, "B stores only the room A left");
    assert.equal(await probe.countUnfinished(), LIMIT);
    // A sees B's jobs at its next count (until then it could take one: the bounded overshoot).
    await waitFor(async () => (await a.api.stats()).capacity.used >= LIMIT, {
      message: "node A to count node B's jobs",
    });
    assertQueueFull(await tryEnqueue(a.api, 1));
  });
});

Deno.test("Cluster capacity: room freed on node B lets node A enqueue again", async () => {
  await withServerPair(OPTIONS, async (a, b, probe) => {
    const [first] = (await tryEnqueue(b.api, LIMIT)).body as JobView[];
    await waitFor(async () => (await a.api.stats()).capacity.used >= LIMIT, {
      message: "node A to count node B's jobs",
    });
    assertQueueFull(await tryEnqueue(a.api, 1));
    assert.equal((await b.api.delete(`/api/jobs/${first.id}`)).status, 200);
    const answer = await waitFor(async () => {
      const answer = await tryEnqueue(a.api, 1);
      return answer.status === 201 ? answer : undefined;
    }, { message: "node A to enqueue into the room freed on B" });
    assert.equal((answer.body as JobView[]).length, 1);
    assert.equal(await probe.countUnfinished(), LIMIT);
  });
});

Deno.test("Cluster capacity: two nodes enqueueing as fast as they can store at most the limit plus the enqueues in flight", async () => {
  await withServerPair(OPTIONS, async (a, b, probe) => {
    const stored = new Map<ApiClient, number>([[a.api, 0], [b.api, 0]]);
    let refusals = 0;
    // One of a node's concurrent enqueue calls: on until refused a few times in a row.
    const caller = async (api: ApiClient) => {
      for (let refusedInARow = 0; refusedInARow < 3;) {
        const answer = await tryEnqueue(api, BATCH);
        if (answer.status === 201) {
          refusedInARow = 0;
          stored.set(api, stored.get(api)! + BATCH);
        } else {
          assertQueueFull(answer);
          refusals++;
          refusedInARow++;
        }
      }
    };
    const calls = [a.api, b.api].flatMap((api) => Array.from({ length: CALLERS }, () => api));
    await Promise.all(calls.map(caller));
    const total = await probe.countUnfinished();
    // A count misses only what other nodes had reserved and not stored yet: their calls in flight.
    const bound = LIMIT + calls.length * BATCH;
    console.log(
      `stored ${total} against a limit of ${LIMIT} (a ${stored.get(a.api)}, ` +
        `b ${stored.get(b.api)}); bound ${bound}; ${refusals} refusals`,
    );
    assert.equal(total, stored.get(a.api)! + stored.get(b.api)!);
    assert.ok(refusals > 0);
    assert.ok(total >= LIMIT - BATCH, `the cluster fills up (${total})`);
    assert.ok(total <= bound, `${total} stored, over ${LIMIT} + ${calls.length} calls × ${BATCH}`);
  });
});

/**
 * Capacity holds for a cluster: two servers on one PostgreSQL schema share one limit, counted
 * in the database. Jobs stored on one node take room on the other; refusals are 503 queue_full
 * with Retry-After; room freed on one node lets the other enqueue again; two nodes enqueueing at
 * once overshoot the limit by no more than the README's bound (what the other node stores in a
 * count's period and time).
 */

import assert from "node:assert/strict";
import type { ErrorBody } from "../../api/errors.ts";
import type { ApiClient, JobView } from "../support/api_server.ts";
import { withServerPair } from "../support/shared_schema.ts";
import { waitFor } from "../support/wait.ts";

const LIMIT = 100;
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

Deno.test("Cluster capacity: two nodes enqueueing at once overshoot the limit by at most what the other stored in a count's period", async () => {
  await withServerPair(OPTIONS, async (a, b, probe) => {
    /** When each job a node stored was acknowledged. */
    const storedAt = new Map<ApiClient, number[]>([[a.api, []], [b.api, []]]);
    let refusals = 0;
    const run = async (api: ApiClient) => {
      let refusedInARow = 0;
      while (refusedInARow < 5) {
        const answer = await tryEnqueue(api, 2);
        if (answer.status === 201) {
          refusedInARow = 0;
          storedAt.get(api)!.push(performance.now(), performance.now());
        } else {
          assertQueueFull(answer);
          refusals++;
          refusedInARow++;
          // Refused: the next try once the count has surely run again.
          await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
        }
      }
    };
    await Promise.all([run(a.api), run(b.api)]);
    const total = await probe.countUnfinished();
    // The other node's jobs a node cannot see yet: those stored in one period plus the count's
    // own time (a second period, generously); either node may be the other.
    const bound = Math.max(
      ...[...storedAt.values()].map((times) => mostWithin(times, 2 * REFRESH_MS)),
    );
    console.log(
      `stored ${total} against a limit of ${LIMIT} (a ${storedAt.get(a.api)!.length}, ` +
        `b ${storedAt.get(b.api)!.length}); bound ${LIMIT + bound}; ${refusals} refusals`,
    );
    assert.ok(refusals > 0);
    assert.ok(total >= LIMIT - 2, `the cluster fills up (${total})`);
    assert.ok(total <= LIMIT + bound, `${total} stored, over ${LIMIT} + ${bound}`);
  });
});

/** The most of `times` (sorted) within any window of `ms`. */
function mostWithin(times: number[], ms: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] > ms) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/**
 * The live feed shows the whole cluster: two servers on one PostgreSQL schema, node A with no
 * handlers for the fixture types, so a fixture job runs on node B. A's event stream shows B's
 * job completing, never A's own events twice; A's stats count B's jobs (from the rows) and its
 * throughput includes what B finished (from B's notices).
 */

import assert from "node:assert/strict";
import type { DenoQueueServer } from "../../api/server.ts";
import type { EventDigest } from "../../queue/observe/event_digest.ts";
import { readSse, type SseMessage } from "../support/sse.ts";
import { withServerPair } from "../support/shared_schema.ts";
import { waitFor } from "../support/wait.ts";

/** Every job event a server's stream sends, gathered as they arrive. */
async function watch(server: DenoQueueServer) {
  const response = await server.app.request("/api/events");
  assert.equal(response.status, 200);
  const messages = readSse(response.body!);
  const seen: EventDigest[] = [];
  const reading = (async () => {
    for await (const message of messages as AsyncGenerator<SseMessage>) {
      if (message.event === "jobs") seen.push(...JSON.parse(message.data).events);
      if (message.event === "summary") seen.push(...JSON.parse(message.data).sample);
    }
  })();
  return {
    seen,
    async stop() {
      await messages.return(undefined);
      await response.body?.cancel().catch(() => {});
      await reading.catch(() => {});
    },
  };
}

Deno.test("Live feed on PostgreSQL: a job run on node B shows on node A's stream and stats, A's own events once", async () => {
  await withServerPair({ a: { handlers: [] } }, async (a, b) => {
    const onA = await watch(a.server);
    const onB = await watch(b.server);
    try {
      const own = await a.api.enqueue("noop", {}, { delay: 3_600_000 });
      await waitFor(() => onB.seen.some((e) => e.id === own.id && e.event === "enqueued"), {
        message: "node B to hear of A's job",
      });
      const job = await b.api.enqueue("t-succeeds", { value: 1 });
      const completed = await waitFor(
        () => onA.seen.find((e) => e.id === job.id && e.event === "completed"),
        { message: "node A's stream to show B's job completed" },
      );
      assert.equal(completed.type, "t-succeeds");
      assert.equal(completed.status, "completed");
      assert.equal(completed.attempt, 1);
      assert.equal(
        onA.seen.filter((e) => e.id === own.id).length,
        1,
        "A's own enqueue, not echoed back",
      );
      // Counted from the rows, which a shared store's stats read at most once a second.
      const stats = await waitFor(async () => {
        const now = await a.api.stats();
        return now.byStatus.completed === 1 ? now : undefined;
      }, { message: "A's stats to count B's job from the rows" });
      assert.equal(stats.byType["t-succeeds"].completed, 1);
      await waitFor(async () => {
        const { throughput } = await a.api.stats();
        return throughput.series.completed.reduce((sum, n) => sum + n, 0) === 1;
      }, { message: "A's throughput to include the job B finished" });
    } finally {
      await onA.stop();
      await onB.stop();
    }
  });
});

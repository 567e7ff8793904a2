/**
 * Claims in turns on a shared PostgreSQL schema: two servers, each with a group of workers,
 * claiming from the same rows (SKIP LOCKED). A job posted to either one is claimed by a
 * wake-up, never left for the 5 s safety poll: every `?wait` shorter than that answers it
 * completed, however the two nodes' claims interleave.
 */

import assert from "node:assert/strict";
import type { JobView } from "./support/api_server.ts";
import { withServerPair } from "./support/shared_schema.ts";

Deno.test("two nodes claiming in turns from one schema leave no job for the safety poll", async () => {
  await withServerPair({ shared: { workers: 2, concurrency: 2 } }, async (a, b) => {
    const late: string[] = [];
    for (let wave = 0; wave < 15; wave++) {
      const answers = await Promise.all(
        Array.from(
          { length: 12 },
          (_, i) =>
            (i % 2 === 0 ? a : b).api.post<JobView>("/api/jobs?wait=3000", {
              type: "t-succeeds",
              payload: { value: i },
            }),
        ),
      );
      for (const answer of answers) {
        assert.equal(answer.status, 201);
        if (answer.body.status !== "completed") {
          late.push(`${answer.body.id}:${answer.body.status}`);
        }
      }
    }
    assert.deepEqual(late, [], "jobs not completed within 3 s (left for the safety poll)");
  });
});

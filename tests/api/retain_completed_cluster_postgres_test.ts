/**
 * `--retain-completed 0` on two servers sharing one PostgreSQL schema: a `?wait` on node A for
 * a job that node B runs (A's pool paused) must answer the job completed, as it does when A
 * runs it, though B removed the row as it completed it.
 * @module
 */

import assert from "node:assert/strict";
import type { JobView } from "../support/api_server.ts";
import { withServerPair } from "../support/shared_schema.ts";

Deno.test("--retain-completed 0: ?wait on node A answers completed for a job node B ran and removed", async () => {
  await withServerPair(
    { shared: { retainCompleted: 0 } },
    async (a) => {
      assert.equal((await a.api.post("/api/queue/pause")).status < 300, true, "A's pool paused");
      const waited = await a.api.post<JobView>("/api/jobs?wait=10000", {
        type: "t-succeeds",
        payload: { value: 1 },
      });
      assert.equal(waited.status, 201);
      assert.equal(waited.body.status, "completed", "the answer says the job completed");
    },
  );
});

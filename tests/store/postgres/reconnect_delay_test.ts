/**
 * How long a lost PostgreSQL connection waits before it tries again (`reconnectDelay`): a
 * moment at first, never more than a second however long the outage, so that calls fail fast
 * with `storage_unavailable` during one and the pool is back soon after.
 */

import assert from "node:assert/strict";
import { reconnectDelay } from "../../../queue/store/postgres/connection.ts";

Deno.test("reconnectDelay() starts at tens of ms and never exceeds a second", () => {
  for (let i = 0; i < 100; i++) {
    const first = reconnectDelay(0);
    assert.ok(first > 0 && first <= 0.05, `${first}`);
    for (const retries of [5, 10, 30, 100]) {
      const delay = reconnectDelay(retries);
      assert.ok(delay >= 0.5 && delay <= 1, `after ${retries} failures: ${delay} s`);
    }
  }
});

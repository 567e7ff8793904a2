import assert from "node:assert/strict";
import { newJobId } from "../queue/job_id.ts";

Deno.test("newJobId() makes RFC 9562 version 7 UUIDs", () => {
  const id = newJobId(Date.UTC(2026, 10, 27));
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const millis = parseInt(id.replace(/-/g, "").slice(0, 12), 16);
  assert.equal(millis, Date.UTC(2026, 10, 27));
});

Deno.test("newJobId() sorts by creation time and does not repeat", () => {
  const ids = Array.from({ length: 1000 }, (_, i) => newJobId(1_800_000_000_000 + i));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(Array.from({ length: 10_000 }, () => newJobId())).size, 10_000);
});

/**
 * A tick's job events as notices: each payload within the broadcast limit however many events
 * and however long their errors, the counts on the first, nothing for a quiet tick, and what
 * is not a notice read as none.
 */

import assert from "node:assert/strict";
import {
  decodeNotice,
  encodeNotices,
  type EventBatch,
  MAX_NOTICE_ERROR,
} from "../../queue/cluster/event_notices.ts";
import type { EventDigest } from "../../queue/observe/event_digest.ts";
import { MAX_BROADCAST_BYTES } from "../../queue/store/broadcast.ts";

const AT = "2026-01-01T00:00:00.000Z";

function failedEvent(i: number, error = "boom"): EventDigest {
  return {
    event: "failed",
    id: crypto.randomUUID(),
    type: "émail-ü",
    status: "failed",
    attempt: 3,
    error: `${i}: ${error}`,
    at: AT,
  };
}

function batchOf(events: EventDigest[]): EventBatch {
  return {
    node: "node-a",
    events,
    unlisted: { completed: 40 },
    finished: { completed: 40, failed: events.length },
  };
}

Deno.test("encodeNotices() splits a tick into payloads within the limit, every event kept in order", () => {
  const events = Array.from({ length: 100 }, (_, i) => failedEvent(i, "é".repeat(300)));
  const payloads = encodeNotices(batchOf(events), 1);
  assert.ok(payloads.length > 1, `${payloads.length} payload(s)`);
  for (const payload of payloads) {
    assert.ok(new TextEncoder().encode(payload).length <= MAX_BROADCAST_BYTES);
  }
  const decoded = payloads.map((payload) => decodeNotice(payload)!);
  assert.deepEqual(decoded.flatMap((batch) => batch.events), events);
  assert.deepEqual(decoded[0].finished, { completed: 40, failed: 100 });
  assert.deepEqual(decoded[0].unlisted, { completed: 40 });
  for (const later of decoded.slice(1)) {
    assert.deepEqual(later.finished, { completed: 0, failed: 0 }, "counted once, on the first");
    assert.deepEqual(later.unlisted, {});
  }
  assert.equal(new Set(payloads).size, payloads.length, "no two alike (NOTIFY folds those)");
  assert.ok(decoded.every((batch) => batch.node === "node-a"));
});

Deno.test("encodeNotices() cuts a long error, so one event always fits", () => {
  const [payload] = encodeNotices(batchOf([failedEvent(1, "x".repeat(20_000))]), 1);
  const [event] = decodeNotice(payload)!.events;
  assert.equal(event.error!.length, MAX_NOTICE_ERROR);
  assert.ok(event.error!.endsWith("…"));
});

Deno.test("encodeNotices() sends nothing for a quiet tick, and counts alone for a tick of counts", () => {
  const quiet = { node: "n", events: [], unlisted: {}, finished: { completed: 0, failed: 0 } };
  assert.deepEqual(encodeNotices(quiet, 1), []);
  const counts = encodeNotices({ ...quiet, finished: { completed: 0, failed: 2 } }, 7);
  assert.equal(counts.length, 1);
  assert.deepEqual(decodeNotice(counts[0])!.finished, { completed: 0, failed: 2 });
});

Deno.test("decodeNotice() reads what is not a notice as none", () => {
  assert.equal(decodeNotice("not json"), undefined);
  assert.equal(decodeNotice('["email"]'), undefined);
  assert.equal(decodeNotice('{"n":1,"e":[]}'), undefined);
});

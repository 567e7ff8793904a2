/**
 * The job events of one node's tick, as notices to the other nodes: JSON payloads each within
 * the broadcast limit (PostgreSQL's 8,000 bytes), the events split across as many as needed,
 * each notice naming its node (so a node drops its own) and the first carrying the tick's
 * counts (events beyond those listed, and jobs finished, for the others' throughput).
 * @module
 */

import type { EventDigest } from "../observe/event_digest.ts";
import { MAX_BROADCAST_BYTES } from "../store/broadcast.ts";

/** One node's tick, as its notices carry it. */
export interface EventBatch {
  /** The node that sent it. */
  node: string;
  events: EventDigest[];
  /** Events of the tick not listed (a burst), by event type. */
  unlisted: Record<string, number>;
  /** Jobs that ended completed, and failed, in the tick. */
  finished: { completed: number; failed: number };
}

/** The longest error a notice carries, in characters; a view that wants more reads the job. */
export const MAX_NOTICE_ERROR = 500;

interface Notice {
  n: string;
  /** Sequence of the notice on its node: no two are alike (NOTIFY folds equal ones). */
  s: number;
  e: EventDigest[];
  x?: Record<string, number>;
  f?: [number, number];
}

const encoder = new TextEncoder();

/**
 * The payloads of `batch`, each at most `limit` bytes, numbered from `seq`; none when it holds
 * nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeNotice, encodeNotices } from "./event_notices.ts";
 * const batch = { node: "n1", events: [], unlisted: {}, finished: { completed: 2, failed: 0 } };
 * const [payload] = encodeNotices(batch, 1);
 * assert.deepEqual(decodeNotice(payload), batch);
 * ```
 */
export function encodeNotices(
  batch: EventBatch,
  seq: number,
  limit = MAX_BROADCAST_BYTES,
): string[] {
  const { node, events, unlisted, finished } = batch;
  const first: Notice = { n: node, s: seq, e: [] };
  const quiet = finished.completed === 0 && finished.failed === 0;
  if (events.length === 0 && Object.keys(unlisted).length === 0 && quiet) return [];
  if (Object.keys(unlisted).length > 0) first.x = unlisted;
  if (!quiet) {
    first.f = [finished.completed, finished.failed];
  }
  const payloads: string[] = [];
  let notice = first;
  let size = bytes(JSON.stringify(notice));
  for (const event of events) {
    const part = JSON.stringify(shorten(event));
    const partSize = bytes(part) + 1;
    if (notice.e.length > 0 && size + partSize > limit) {
      payloads.push(JSON.stringify(notice));
      notice = { n: node, s: seq + payloads.length, e: [] };
      size = bytes(JSON.stringify(notice));
    }
    notice.e.push(JSON.parse(part));
    size += partSize;
  }
  // The last notice holds events, or is the first, with the counts.
  payloads.push(JSON.stringify(notice));
  return payloads;
}

/** The batch a payload carries, or undefined when it is not a notice. */
export function decodeNotice(payload: string): EventBatch | undefined {
  let notice: Partial<Notice>;
  try {
    notice = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof notice?.n !== "string" || !Array.isArray(notice.e)) return undefined;
  const [completed, failed] = Array.isArray(notice.f) ? notice.f : [0, 0];
  return {
    node: notice.n,
    events: notice.e.filter((event) => typeof event?.id === "string"),
    unlisted: notice.x ?? {},
    finished: { completed: Number(completed) || 0, failed: Number(failed) || 0 },
  };
}

/** `event` with its error cut to {@linkcode MAX_NOTICE_ERROR} characters. */
function shorten(event: EventDigest): EventDigest {
  if (event.error === undefined || event.error.length <= MAX_NOTICE_ERROR) return event;
  return { ...event, error: `${event.error.slice(0, MAX_NOTICE_ERROR - 1)}…` };
}

function bytes(text: string): number {
  return encoder.encode(text).length;
}

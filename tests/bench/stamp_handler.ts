/**
 * The latency phase's job type: does nothing and returns when its handler ran, in epoch
 * milliseconds with sub-millisecond precision (`performance.timeOrigin + performance.now()`, on
 * the machine's one clock), so the bench can tell enqueue → handler done (what the peers'
 * in-process events measure) from enqueue → answered completed (after the outcome commits).
 * @module
 */

import { z } from "zod";
import { defineHandler } from "../../queue/mod.ts";

/** This module's URL, to pass as a handler module. */
export const STAMP_HANDLERS = new URL(import.meta.url).href;

export const stamp = defineHandler({
  type: "bench-stamp",
  payload: z.unknown(),
  run: () => performance.timeOrigin + performance.now(),
});

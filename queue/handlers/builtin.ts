/**
 * The built-in job types: GoQueue's demo types, `noop`, `sleep` and `http`.
 * @module
 */

import { z } from "zod";
import { delay } from "../primitives/delay.ts";
import { defineHandler, type Handler } from "./define.ts";
import { demoHandlers } from "./demo.ts";
import { httpHandler } from "./http.ts";

/** Does nothing and succeeds: the benchmark's job. */
export const noopHandler = defineHandler({
  type: "noop",
  description: "Does nothing and succeeds",
  payload: z.unknown(),
  example: {},
  run: () => null,
});

/** Waits `ms` milliseconds (aborts with its signal). */
export const sleepHandler = defineHandler({
  type: "sleep",
  description: "Waits for ms milliseconds",
  payload: z.object({ ms: z.number().int().min(0).max(86_400_000) }),
  example: { ms: 1000 },
  run: async ({ ms }, ctx) => {
    await delay(ms, { signal: ctx.signal });
    return { sleptMs: ms };
  },
});

/** Every built-in handler. */
export const builtinHandlers: Handler[] = [noopHandler, sleepHandler, httpHandler, ...demoHandlers];

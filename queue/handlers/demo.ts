/**
 * GoQueue's demo job types: simulated work of fixed durations, scaled by `demoSpeed`.
 * Like GoQueue's, they accept any payload (a string or any JSON).
 * @module
 */

import { z } from "zod";
import { delay } from "../primitives/delay.ts";
import { defineHandler, type Handler } from "./define.ts";

/** Settings the worker entry applies before any demo job runs. */
export const demoSettings = {
  /** Multiplies every demo duration: 1 is GoQueue's, 0.01 runs them 100x faster. */
  speed: 1,
};

function simulated(type: string, seconds: number, description: string): Handler {
  return defineHandler({
    type,
    payload: z.unknown(),
    description: `${description} (simulated, ${seconds} s)`,
    example: `${type} demo`,
    run: async (_payload, ctx) => {
      const total = seconds * 1000 * demoSettings.speed;
      const steps = 4;
      for (let step = 1; step <= steps; step++) {
        await delay(total / steps, { signal: ctx.signal });
        ctx.progress((step / steps) * 100);
      }
      return { simulatedMs: total };
    },
  });
}

/** The demo types, as GoQueue had them. */
export const demoHandlers: Handler[] = [
  simulated("email", 2, "Sends an email"),
  simulated("report", 5, "Builds a report"),
  simulated("data-cleanup", 3, "Cleans up data"),
  simulated("sms", 1, "Sends an SMS"),
  simulated("newsletter", 4, "Sends a newsletter"),
  simulated("takes-long", 10, "A long-running task"),
  defineHandler({
    type: "fail",
    payload: z.unknown(),
    description: "Succeeds on 25% of attempts, fails otherwise (simulated, 1 s)",
    example: "fail demo",
    run: async (_payload, ctx) => {
      await delay(1000 * demoSettings.speed, { signal: ctx.signal });
      if (Math.random() >= 0.25) throw new Error("Simulated failure (succeeds on 25% of attempts)");
      return { succeededOnAttempt: ctx.attempt };
    },
  }),
  defineHandler({
    type: "fail-absolute",
    payload: z.unknown(),
    description: "Always fails (simulated, 1 s)",
    example: "fail-absolute demo",
    run: async (_payload, ctx) => {
      await delay(1000 * demoSettings.speed, { signal: ctx.signal });
      throw new Error("Simulated failure (this job type always fails)");
    },
  }),
];

/**
 * The schema of per-job options, shared by the queue (which enforces it) and the API (which
 * reports its field errors).
 * @module
 */

import { z } from "zod";

/** `maxAttempts`, `timeout`, `delay` and `backoff`, each optional. Durations in ms. */
export const jobOptionsSchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(1000).optional(),
  timeout: z.number().int().min(1).max(86_400_000).optional(),
  delay: z.number().int().min(0).max(31_536_000_000).optional(),
  backoff: z.strictObject({
    base: z.number().min(0).max(86_400_000).optional(),
    factor: z.number().min(1).max(100).optional(),
    cap: z.number().min(0).max(31_536_000_000).optional(),
  }).optional(),
});

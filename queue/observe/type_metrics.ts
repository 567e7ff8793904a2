/**
 * Per job type: mean and p95 duration of recent attempts and their failure rate, for the
 * dashboard's table of types. Keeps the last `window` attempts of each type in a ring.
 * @module
 */

/** What the dashboard shows for one type. */
export interface TypeMetric {
  /** Attempts the figures are computed from (at most the window). */
  samples: number;
  meanMs: number;
  p95Ms: number;
  /** Share of those attempts that did not complete, from 0 to 1. */
  failureRate: number;
}

class Ring {
  durations: Float64Array;
  failed: Uint8Array;
  size = 0;
  next = 0;
  constructor(window: number) {
    this.durations = new Float64Array(window);
    this.failed = new Uint8Array(window);
  }
}

/**
 * @example
 * ```ts
 * import { TypeMetrics } from "./type_metrics.ts";
 * const metrics = new TypeMetrics();
 * metrics.record("email", 120, false);
 * metrics.snapshot().email.meanMs; // 120
 * ```
 */
export class TypeMetrics {
  #rings = new Map<string, Ring>();

  constructor(readonly window = 1000) {
    if (!Number.isInteger(window) || window < 1) {
      throw new RangeError(`window must be a positive integer, received ${window}`);
    }
  }

  /** Adds one ended attempt of `type` that took `durationMs`. */
  record(type: string, durationMs: number, failed: boolean): void {
    let ring = this.#rings.get(type);
    if (ring === undefined) {
      ring = new Ring(this.window);
      this.#rings.set(type, ring);
    }
    ring.durations[ring.next] = durationMs;
    ring.failed[ring.next] = failed ? 1 : 0;
    ring.next = (ring.next + 1) % this.window;
    ring.size = Math.min(this.window, ring.size + 1);
  }

  /** The figures of every type seen so far. */
  snapshot(): Record<string, TypeMetric> {
    const result: Record<string, TypeMetric> = {};
    for (const [type, ring] of this.#rings) {
      const durations = ring.durations.slice(0, ring.size).sort();
      let sum = 0;
      let failed = 0;
      for (let i = 0; i < ring.size; i++) {
        sum += durations[i];
        failed += ring.failed[i];
      }
      result[type] = {
        samples: ring.size,
        meanMs: ring.size === 0 ? 0 : sum / ring.size,
        p95Ms: ring.size === 0
          ? 0
          : durations[Math.min(ring.size - 1, Math.ceil(ring.size * 0.95) - 1)],
        failureRate: ring.size === 0 ? 0 : failed / ring.size,
      };
    }
    return result;
  }
}

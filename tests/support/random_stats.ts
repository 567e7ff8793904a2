/**
 * Random stats for the live feed's delta tests, from a seeded generator so that a failing run
 * can be replayed from its seed.
 * @module
 */

import type { FeedStats } from "../../api/live_feed.ts";

/** A small seeded generator (mulberry32), so a failing run can be replayed from its seed. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUSES = ["queued", "scheduled", "in-progress", "completed", "failed", "cancelled"];
const TYPE_NAMES = ["email", "sms", "a/b", "~1", "~0x", "__proto__", "constructor", "noop"];
const SERIES_SECONDS = 300;

/**
 * Stats in the shape of `GET /api/stats`, moved on at random by each call: counts, rates and
 * workers change, types come and go (some with names a JSON Pointer must escape), and the
 * throughput series slide by 0 to 3 seconds, the partial last second growing meanwhile.
 */
export function statsRun(next: () => number): () => FeedStats {
  const int = (n: number) => Math.floor(next() * n);
  const counts = () => Object.fromEntries(STATUSES.map((s) => [s, int(3) === 0 ? int(50) : 0]));
  let completed = Array<number>(SERIES_SECONDS).fill(0);
  let failed = Array<number>(SERIES_SECONDS).fill(0);
  let types: Record<string, unknown> = {};
  let byType: Record<string, unknown> = {};
  let staleOutcomes = 0;
  return () => {
    // 0 to 3 seconds passed: the window slides (the oldest dropped), the last second grows.
    const seconds = int(4);
    const tick = (series: number[]) => {
      const moved = [...series];
      moved[moved.length - 1] += int(3) === 0 ? int(20) : 0;
      for (let s = 0; s < seconds; s++) moved.push(int(2) === 0 ? int(100) : 0);
      return moved.slice(-SERIES_SECONDS);
    };
    completed = tick(completed);
    failed = tick(failed);
    if (int(3) === 0) {
      const name = TYPE_NAMES[int(TYPE_NAMES.length)];
      if (int(3) === 0) {
        types = Object.fromEntries(Object.entries(types).filter(([t]) => t !== name));
        byType = Object.fromEntries(Object.entries(byType).filter(([t]) => t !== name));
      } else {
        types = {
          ...types,
          [name]: {
            samples: int(1000),
            meanMs: next() * 100,
            p95Ms: int(400),
            failureRate: next(),
          },
        };
        byType = { ...byType, [name]: counts() };
      }
    }
    if (int(5) === 0) staleOutcomes += 1;
    // As a client parses it: JSON values only.
    return JSON.parse(JSON.stringify({
      byStatus: counts(),
      byType,
      retried: { failed: int(3), cancelled: 0 },
      capacity: { limit: 10_000, used: int(10), waiting: 0 },
      throughput: {
        completedPerSecond: next() * 10,
        failedPerSecond: int(2) === 0 ? 0 : next(),
        windowSeconds: 60,
        series: { completed, failed },
      },
      types,
      staleOutcomes,
      workers: {
        size: 2,
        concurrency: 16,
        paused: int(10) === 0,
        busy: int(3),
        idle: int(3),
        running: int(32),
      },
    }));
  };
}

/**
 * Retry backoff: exponential with full jitter, capped.
 * @module
 */

/** How long to wait before a retry. All durations in milliseconds. */
export interface BackoffPolicy {
  /** Delay ceiling before the first retry. Default 1,000. */
  base: number;
  /** Growth per attempt. Default 2. */
  factor: number;
  /** Largest delay ceiling. Default 3,600,000 (1 h). */
  cap: number;
}

/** The defaults used when neither the job type nor the job says otherwise. */
export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = { base: 1_000, factor: 2, cap: 3_600_000 };

/** Attempts in all, as GoQueue's default of 3. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * The delay before the retry that follows attempt `attempt` (1-based): a uniform random value
 * in `[0, min(cap, base * factor^(attempt-1))]` ("full jitter").
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 * const ms = backoffDelay({ base: 1000, factor: 2, cap: 60_000 }, 3); // 0..4000
 * ```
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be a positive integer, received ${attempt}`);
  }
  const ceiling = Math.min(policy.cap, policy.base * policy.factor ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/** Checks a policy's fields, naming the first bad one. */
export function validateBackoff(policy: BackoffPolicy): void {
  for (const key of ["base", "factor", "cap"] as const) {
    const value = policy[key];
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`backoff.${key} must be a non-negative number, received ${value}`);
    }
  }
  if (policy.factor < 1) {
    throw new RangeError(`backoff.factor must be at least 1, received ${policy.factor}`);
  }
}

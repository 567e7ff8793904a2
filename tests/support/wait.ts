/**
 * Waiting in tests without sleeping and hoping: poll a condition until a deadline.
 * @module
 */

/** Polls `condition` every few ms until it returns a truthy value or `timeout` ms pass. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeout = 10_000, interval = 5, message = "condition" } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeout} ms waiting for ${message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/**
 * Resolves once every callback already queued (promise jobs, 0 ms timers) has run: for showing
 * that something has not happened yet, e.g. a close that must wait for a held store call.
 */
export function afterQueuedCallbacks(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Rejects if `promise` has not settled within `ms`: a hang fails the test instead of stalling it. */
export function within<V>(promise: Promise<V>, what: string, ms = 30_000): Promise<V> {
  return deadline(promise, { timeout: ms, message: what });
}

/** Resolves as `promise` does, or rejects once `timeout` ms pass first: a wait that cannot hang. */
export async function deadline<T>(
  promise: Promise<T>,
  { timeout = 10_000, message = "a promise" } = {},
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${timeout} ms waiting for ${message}`)),
      timeout,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

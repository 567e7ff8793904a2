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

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

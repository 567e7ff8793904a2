/**
 * Reading a response body up to a number of bytes and no further: the `http` job type keeps the
 * start of the answer, and a large one never reaches memory.
 * @module
 */

/** The start of a body, as text. */
export interface CappedBody {
  /** The first bytes (at most the limit) decoded as UTF-8; a character cut in two is dropped. */
  text: string;
  /** Whether the body went on past the limit (and was not read further). */
  truncated: boolean;
}

/**
 * Reads `body` until it ends or passes `limit` bytes; past it, stops reading, which ends the
 * iteration (a `node:http` response is destroyed, its connection closed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCapped } from "./capped_body.ts";
 *
 * async function* chunks() {
 *   yield new TextEncoder().encode("hello ");
 *   yield new TextEncoder().encode("world");
 * }
 * assert.deepEqual(await readCapped(chunks(), 8), { text: "hello wo", truncated: true });
 * assert.deepEqual(await readCapped(chunks(), 11), { text: "hello world", truncated: false });
 * ```
 */
export async function readCapped(
  body: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<CappedBody> {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`limit must be a whole number of bytes, received ${limit}`);
  }
  const decoder = new TextDecoder();
  let text = "";
  let kept = 0;
  for await (const chunk of body) {
    const room = limit - kept;
    if (chunk.length > room) {
      // Streaming decode holds back a character cut at the limit; it is never flushed.
      return {
        text: text + decoder.decode(chunk.subarray(0, room), { stream: true }),
        truncated: true,
      };
    }
    text += decoder.decode(chunk, { stream: true });
    kept += chunk.length;
  }
  return { text: text + decoder.decode(), truncated: false };
}

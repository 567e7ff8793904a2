/**
 * The result limit: a job's result is stored as JSON, and one larger than `--result-limit` fails
 * its attempt for good. Measured in the worker, before the result is posted, so the main thread
 * never pays to copy a result it will refuse.
 * @module
 */

/** The default result limit: 1 MB of JSON. */
export const DEFAULT_RESULT_LIMIT = 1024 * 1024;

/** Bytes of `text` in UTF-8, counted without encoding it. */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) i++; // A surrogate pair: 4 bytes for 2 units.
    if (code >= 0x800) bytes++;
    if (code >= 0x80) bytes++;
  }
  return bytes;
}

/**
 * A byte count as people read it: `512 bytes`, `1 KB`, `20.0 MB` (units of 1,024, as the
 * size options are read; a whole number of units has no decimal).
 *
 * @example
 * ```ts
 * import { formatSize } from "./result_limit.ts";
 * formatSize(1024 * 1024); // "1 MB"
 * formatSize(20 * 1024 * 1024 + 2); // "20.0 MB"
 * ```
 */
export function formatSize(bytes: number): string {
  const units = ["KB", "MB", "GB", "TB"];
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes;
  let unit = "bytes";
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}

/**
 * Why `result` cannot be stored, or `undefined` when it can: it is not JSON (a `BigInt`, a
 * cycle), or its JSON is over `limit` bytes.
 *
 * @example
 * ```ts
 * import { resultProblem } from "./result_limit.ts";
 * resultProblem({ ok: true }, 1024); // undefined
 * resultProblem("x".repeat(2048), 1024);
 * // "Result is 2.0 KB, over the result limit of 1 KB (--result-limit)"
 * ```
 */
export function resultProblem(result: unknown, limit: number): string | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `The handler's result cannot be stored as JSON: ${reason}`;
  }
  if (json === undefined) return undefined; // Stored as null.
  // Each UTF-16 unit is 1 to 3 bytes: count exactly only when the length does not decide.
  if (json.length * 3 <= limit) return undefined;
  const size = utf8Length(json);
  if (size <= limit) return undefined;
  return `Result is ${formatSize(size)}, over the result limit of ${
    formatSize(limit)
  } (--result-limit)`;
}

/**
 * Job ids: UUID version 7 (RFC 9562), time-ordered. They sort by creation, and SQLite inserts
 * them at the end of its id index instead of at random places, which keeps enqueues fast.
 * @module
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
// Random bytes are drawn in blocks: one call to the system's generator per 1,600 ids.
const pool = new Uint8Array(16 * 1024);
let offset = pool.length;

/**
 * A new UUIDv7: 48 bits of Unix milliseconds, then random bits.
 *
 * @example
 * ```ts
 * import { newJobId } from "./job_id.ts";
 * const id = newJobId(); // "019ac5e2-7d41-7c3a-9f0e-4b7d2a9c1e55"
 * ```
 */
export function newJobId(now: number = Date.now()): string {
  if (offset + 16 > pool.length) {
    crypto.getRandomValues(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + 16);
  offset += 16;
  bytes[0] = Math.floor(now / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(now / 2 ** 32) & 0xff;
  bytes[2] = (now >>> 24) & 0xff;
  bytes[3] = (now >>> 16) & 0xff;
  bytes[4] = (now >>> 8) & 0xff;
  bytes[5] = now & 0xff;
  bytes[6] = (bytes[6] & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
  let hex = "";
  for (let i = 0; i < 16; i++) {
    hex += HEX[bytes[i]];
    if (i === 3 || i === 5 || i === 7 || i === 9) hex += "-";
  }
  return hex;
}

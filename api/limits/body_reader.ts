/**
 * Reads request bodies within a size limit and a deadline. A body that stops arriving is cut
 * off once `timeout` passes: its stream is cancelled, what was read is dropped, and the
 * request gets 408, so a client that declares a large body and stalls holds its memory for
 * `timeout` at most (Deno's `Request.text()` would hold it until the client closes). What was
 * read is released at once (`ArrayBuffer.prototype.transfer(0)` frees a buffer's memory
 * without waiting for a garbage collection, which an idle server may not run for a long time).
 * One timer watches every read in progress, rather than one timer per request.
 * @module
 */

import { HttpError } from "../errors.ts";

/** Options of a {@linkcode BodyReader}. */
export interface BodyReaderOptions {
  /** Largest body in bytes, else 413. */
  limit: number;
  /** Milliseconds a body may take to arrive, else 408. */
  timeout: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Frees the memory of `bytes` now, when it is the start of a buffer of its own: Deno reads
 * each body chunk into a new buffer, and the reader's own buffers are made here.
 */
function release(bytes: Uint8Array): void {
  const { buffer } = bytes;
  if (bytes.byteOffset === 0 && buffer instanceof ArrayBuffer && !buffer.detached) {
    buffer.transfer(0);
  }
}

/**
 * @example
 * ```ts
 * import { BodyReader } from "./body_reader.ts";
 * const bodies = new BodyReader({ limit: 1024, timeout: 10_000 });
 * const bytes = await bodies.read(new Request("http://x/", { method: "POST", body: "{}" }));
 * console.assert(bytes.length === 2);
 * bodies.close();
 * ```
 */
export class BodyReader {
  readonly limit: number;
  readonly timeout: number;
  /** Reads in progress, with the time each must end by. */
  readonly #deadlines = new Map<ReadableStreamDefaultReader<Uint8Array>, number>();
  /** Reads the sweep cut off; a read that ends early and is here timed out. */
  readonly #expired = new WeakSet<ReadableStreamDefaultReader<Uint8Array>>();
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor({ limit, timeout }: BodyReaderOptions) {
    if (!Number.isInteger(limit) || limit < 0) {
      throw new RangeError(`limit must be a whole number of bytes, received ${limit}`);
    }
    if (!(timeout > 0)) throw new RangeError(`timeout must be positive, received ${timeout}`);
    this.limit = limit;
    this.timeout = timeout;
  }

  /** Body reads in progress now. */
  get reading(): number {
    return this.#deadlines.size;
  }

  /**
   * The body of `request`, whole. Throws an `HttpError`: 413 past `limit` (from
   * Content-Length, or counted as it arrives), 408 past `timeout`, 400 if it is cut off.
   */
  async read(request: Request): Promise<Uint8Array> {
    const header = request.headers.get("content-length");
    const declared = header === null ? NaN : Number(header);
    if (declared > this.limit) throw this.#tooLarge();
    const body = request.body;
    if (body === null || declared === 0) return EMPTY;
    const reader = body.getReader();
    this.#watch(reader);
    try {
      const first = await reader.read();
      if (first.done) return this.#ended(reader, 0, declared);
      // Most bodies arrive in one chunk with their headers: no copy.
      if (first.value.byteLength === declared) return first.value;
      return Number.isFinite(declared)
        ? await this.#readDeclared(reader, first.value, declared)
        : await this.#readCounted(reader, first.value);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, "incomplete_body", `The request body was cut off: ${error}`);
    } finally {
      this.#deadlines.delete(reader);
    }
  }

  /** Stops the timer; reads in progress are no longer cut off. */
  close(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    this.#deadlines.clear();
  }

  /** With a Content-Length: one buffer of that size, filled as chunks arrive. */
  async #readDeclared(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    first: Uint8Array,
    declared: number,
  ): Promise<Uint8Array> {
    const bytes = new Uint8Array(declared);
    let size = 0;
    try {
      for (let chunk: Uint8Array | undefined = first; chunk !== undefined;) {
        if (size + chunk.byteLength > declared) throw this.#tooLarge();
        bytes.set(chunk, size);
        size += chunk.byteLength;
        release(chunk);
        if (size === declared) return bytes;
        const next = await reader.read();
        chunk = next.done ? undefined : next.value;
      }
      return this.#ended(reader, size, declared);
    } catch (error) {
      release(bytes);
      throw error;
    }
  }

  /** Without a Content-Length: chunks counted as they arrive, refused past the limit. */
  async #readCounted(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    first: Uint8Array,
  ): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (let chunk: Uint8Array | undefined = first; chunk !== undefined;) {
        chunks.push(chunk);
        size += chunk.byteLength;
        if (size > this.limit) {
          await reader.cancel();
          throw this.#tooLarge();
        }
        const next = await reader.read();
        chunk = next.done ? undefined : next.value;
      }
      this.#ended(reader, size, NaN);
    } catch (error) {
      chunks.forEach(release);
      throw error;
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
      release(chunk);
    }
    return bytes;
  }

  /** The stream ended after `size` bytes: 408 if the sweep cut it, 400 if short, else empty. */
  #ended(reader: ReadableStreamDefaultReader<Uint8Array>, size: number, declared: number) {
    if (this.#expired.has(reader)) {
      throw new HttpError(
        408,
        "request_timeout",
        `The request body did not arrive within ${this.timeout} ms (--body-timeout)`,
        { timeoutMs: this.timeout, received: size },
      );
    }
    if (size < declared) {
      throw new HttpError(
        400,
        "incomplete_body",
        `The request body ended after ${size} of ${declared} bytes`,
      );
    }
    return EMPTY;
  }

  #watch(reader: ReadableStreamDefaultReader<Uint8Array>): void {
    this.#deadlines.set(reader, Date.now() + this.timeout);
    if (this.#sweeper !== undefined) return;
    // A quarter of the timeout (at most 1 s) between sweeps: a body is cut off between
    // `timeout` and `timeout` + one sweep.
    const every = Math.max(25, Math.min(1_000, this.timeout / 4));
    const sweeper = setInterval(() => this.#sweep(), every);
    Deno.unrefTimer(sweeper);
    this.#sweeper = sweeper;
  }

  #sweep(): void {
    if (this.#deadlines.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
      return;
    }
    const now = Date.now();
    for (const [reader, deadline] of this.#deadlines) {
      // Insertion order is deadline order: the first one not due ends the sweep.
      if (deadline > now) break;
      this.#deadlines.delete(reader);
      this.#expired.add(reader);
      // Cancelling ends the pending read (done) and drops what the stream had buffered.
      reader.cancel().catch(() => {});
    }
  }

  #tooLarge(): HttpError {
    return new HttpError(
      413,
      "payload_too_large",
      `The body is larger than ${this.limit} bytes`,
      { limit: this.limit },
    );
  }
}

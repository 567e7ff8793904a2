/**
 * Reads request bodies within a size limit and a deadline (`timeout`); past it the request
 * gets 408. Two ways, by the declared size:
 *
 * - Larger than {@linkcode SMALL_BODY}, or of unknown size: read from the stream, which is
 *   cancelled at the deadline; what was read is released at once
 *   (`ArrayBuffer.prototype.transfer(0)` frees a buffer without waiting for a garbage
 *   collection, which an idle server may not run for a long time). Deno's `Request.text()`
 *   cannot be cancelled and would hold a stalled body until its client closes.
 * - Up to {@linkcode SMALL_BODY}: `Request.text()`, which takes a body that has arrived whole
 *   straight from Deno (measured: ~4 µs of server CPU less per request than the stream), raced
 *   with the deadline. A stalled one cannot be cancelled, so it lingers, at most
 *   `SMALL_BODY` and Deno's buffers, until its client sends the rest or closes; the request
 *   limits keep its slot taken until then ({@linkcode BodyReader.lingering}), so the caps
 *   bound how many linger.
 *
 * One timer watches every read in progress, rather than one timer per request.
 * @module
 */

import { HttpError } from "../errors.ts";

/** Bodies declared up to this many bytes are read with `Request.text()` (see above). */
export const SMALL_BODY = 64 * 1024;

/** Options of a {@linkcode BodyReader}. */
export interface BodyReaderOptions {
  /** Largest body in bytes, else 413. */
  limit: number;
  /** Milliseconds a body may take to arrive, else 408. */
  timeout: number;
}

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

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

/** One read from a stream: whether the sweep cut it off. */
interface StreamRead {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  timedOut: boolean;
}

/**
 * @example
 * ```ts
 * import { BodyReader } from "./body_reader.ts";
 * const bodies = new BodyReader({ limit: 1024, timeout: 10_000 });
 * const text = await bodies.text(new Request("http://x/", { method: "POST", body: "{}" }));
 * console.assert(text === "{}");
 * bodies.close();
 * ```
 */
export class BodyReader {
  readonly limit: number;
  readonly timeout: number;
  /** What to do when each read in progress passes its deadline, and that deadline. */
  readonly #deadlines = new Map<() => void, number>();
  /** Small bodies cut off by the deadline that Deno still reads, until their clients leave. */
  readonly #lingering = new WeakMap<Request, Promise<void>>();
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
   * The body of `request` as text (UTF-8), whole. Throws an `HttpError`: 413 past `limit`
   * (from Content-Length, or counted as it arrives), 408 past `timeout`, 400 if it is cut off.
   */
  text(request: Request): Promise<string> {
    const declared = declaredLength(request);
    if (declared > this.limit) return Promise.reject(this.#tooLarge());
    if (declared <= SMALL_BODY) return this.#smallText(request);
    return this.read(request).then((bytes) => decoder.decode(bytes));
  }

  /**
   * The body of `request` as bytes, whole, read from its stream (cancelled at the deadline):
   * the same refusals as {@linkcode text}.
   */
  async read(request: Request): Promise<Uint8Array> {
    const declared = declaredLength(request);
    if (declared > this.limit) throw this.#tooLarge();
    const body = request.body;
    if (body === null || declared === 0) return EMPTY;
    const read: StreamRead = { reader: body.getReader(), timedOut: false };
    const expire = () => {
      read.timedOut = true;
      // Cancelling ends the pending read (done) and drops what the stream had buffered.
      read.reader.cancel().catch(() => {});
    };
    this.#watch(expire);
    try {
      const first = await read.reader.read();
      if (first.done) return this.#ended(read, 0, declared);
      // Most bodies arrive in one chunk with their headers: no copy.
      if (first.value.byteLength === declared) return first.value;
      return Number.isFinite(declared)
        ? await this.#readDeclared(read, first.value, declared)
        : await this.#readCounted(read, first.value);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, "incomplete_body", `The request body was cut off: ${error}`);
    } finally {
      this.#deadlines.delete(expire);
    }
  }

  /**
   * For a request whose small body was cut off by the deadline: settles once Deno stops
   * reading it (its client sent the rest, or left). `undefined` for any other request.
   */
  lingering(request: Request): Promise<void> | undefined {
    return this.#lingering.get(request);
  }

  /** Stops the timer; reads in progress are no longer cut off. */
  close(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    this.#deadlines.clear();
  }

  async #smallText(request: Request): Promise<string> {
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    const text = request.text();
    text.then(resolve, reject);
    const expire = () => {
      this.#lingering.set(request, text.then(() => {}, () => {}));
      reject(this.#timedOut(undefined));
    };
    this.#watch(expire);
    try {
      return await promise;
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, "incomplete_body", `The request body was cut off: ${error}`);
    } finally {
      this.#deadlines.delete(expire);
    }
  }

  /** With a Content-Length: one buffer of that size, filled as chunks arrive. */
  async #readDeclared(read: StreamRead, first: Uint8Array, declared: number) {
    const bytes = new Uint8Array(declared);
    let size = 0;
    try {
      for (let chunk: Uint8Array | undefined = first; chunk !== undefined;) {
        if (size + chunk.byteLength > declared) throw this.#tooLarge();
        bytes.set(chunk, size);
        size += chunk.byteLength;
        release(chunk);
        if (size === declared) return bytes;
        const next = await read.reader.read();
        chunk = next.done ? undefined : next.value;
      }
      return this.#ended(read, size, declared);
    } catch (error) {
      release(bytes);
      throw error;
    }
  }

  /** Without a Content-Length: chunks counted as they arrive, refused past the limit. */
  async #readCounted(read: StreamRead, first: Uint8Array): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (let chunk: Uint8Array | undefined = first; chunk !== undefined;) {
        chunks.push(chunk);
        size += chunk.byteLength;
        if (size > this.limit) {
          await read.reader.cancel();
          throw this.#tooLarge();
        }
        const next = await read.reader.read();
        chunk = next.done ? undefined : next.value;
      }
      this.#ended(read, size, NaN);
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
  #ended(read: StreamRead, size: number, declared: number): Uint8Array {
    if (read.timedOut) throw this.#timedOut(size);
    if (size < declared) {
      throw new HttpError(
        400,
        "incomplete_body",
        `The request body ended after ${size} of ${declared} bytes`,
      );
    }
    return EMPTY;
  }

  #timedOut(received: number | undefined): HttpError {
    return new HttpError(
      408,
      "request_timeout",
      `The request body did not arrive within ${this.timeout} ms (--body-timeout)`,
      received === undefined ? { timeoutMs: this.timeout } : { timeoutMs: this.timeout, received },
    );
  }

  #watch(expire: () => void): void {
    this.#deadlines.set(expire, Date.now() + this.timeout);
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
    for (const [expire, deadline] of this.#deadlines) {
      // Insertion order is deadline order: the first one not due ends the sweep.
      if (deadline > now) break;
      this.#deadlines.delete(expire);
      expire();
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

/** The Content-Length of `request`, or NaN when it has none. */
function declaredLength(request: Request): number {
  const header = request.headers.get("content-length");
  return header === null ? NaN : Number(header);
}

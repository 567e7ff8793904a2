/**
 * A minimal HTTP/1.1 keep-alive client connection for the benchmark: one request in flight at
 * a time, requests written by hand, answers read by Content-Length. `fetch` costs more CPU per
 * request than the server's handler does, and client and server share two cores here, so the
 * benchmark would measure its own client.
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEADER_END = new Uint8Array([13, 10, 13, 10]);

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** One answer: status and body text. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/** A kept-alive connection to `127.0.0.1:port`. */
export class HttpConnection {
  #conn: Deno.TcpConn;
  #buffer = new Uint8Array(0);
  #chunk = new Uint8Array(64 * 1024);

  private constructor(conn: Deno.TcpConn, readonly host: string) {
    this.#conn = conn;
  }

  static async open(url: string): Promise<HttpConnection> {
    const { hostname, port } = new URL(url);
    const conn = await Deno.connect({ hostname, port: Number(port) });
    conn.setNoDelay(true);
    return new HttpConnection(conn, `${hostname}:${port}`);
  }

  /** Sends a request with a JSON body (or none) and reads the whole answer. */
  async request(
    method: string,
    path: string,
    json?: string,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer> {
    const body = json === undefined ? undefined : encoder.encode(json);
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
    const head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}\r\n${extra}` +
      (body === undefined
        ? "Content-Length: 0\r\n\r\n"
        : `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    const request = body === undefined
      ? encoder.encode(head)
      : new Uint8Array([...encoder.encode(head), ...body]);
    for (let written = 0; written < request.length;) {
      written += await this.#conn.write(request.subarray(written));
    }
    return await this.#readAnswer();
  }

  close(): void {
    this.#conn.close();
  }

  async #readAnswer(): Promise<HttpAnswer> {
    let end = indexOf(this.#buffer, HEADER_END, 0);
    while (end === -1) {
      await this.#fill();
      end = indexOf(this.#buffer, HEADER_END, 0);
    }
    const head = decoder.decode(this.#buffer.subarray(0, end));
    const status = Number(head.slice(9, 12));
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1]);
    if (!Number.isFinite(length)) throw new Error(`answer without Content-Length:\n${head}`);
    const start = end + 4;
    while (this.#buffer.length < start + length) await this.#fill();
    const body = decoder.decode(this.#buffer.subarray(start, start + length));
    this.#buffer = this.#buffer.slice(start + length);
    return { status, body };
  }

  async #fill(): Promise<void> {
    const read = await this.#conn.read(this.#chunk);
    if (read === null) throw new Error("the server closed the connection");
    const next = new Uint8Array(this.#buffer.length + read);
    next.set(this.#buffer);
    next.set(this.#chunk.subarray(0, read), this.#buffer.length);
    this.#buffer = next;
  }
}

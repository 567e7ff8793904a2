/**
 * The connection of an `http` job's request, opened by hand to an address that was checked, never
 * to a name: `Deno.connect` to the address, then for HTTPS `Deno.startTls` with the URL's host
 * name, which sends it (SNI) and checks the certificate against it with Deno's trusted roots.
 * Wrapped as the `node:stream` `Duplex` that `node:http` writes its request to and parses its
 * answer from.
 *
 * Why not `node:http`'s `lookup` and `node:https`: in Deno 2.9 `node:https` reads its trusted
 * certificates only with `--allow-sys`, which the server does not have (and a handler sandbox
 * allowed only the network would not either).
 * @module
 */

import { Duplex } from "node:stream";
import type { ResolvedAddress } from "./destination.ts";

/** Where and how to connect. */
export interface PinnedSocketOptions {
  /** The checked addresses, tried in order until one connects. */
  addresses: readonly ResolvedAddress[];
  port: number;
  /** For HTTPS: the URL's host name, sent (SNI) and checked against the certificate. */
  tlsHost?: string;
  /** Certificate authorities (PEM) to trust besides Deno's: for tests. */
  caCerts?: string[];
  /** Names the request in errors. */
  label: string;
}

/** Closes `conn` unless it is closed already. */
function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already: by the peer, or by a failed read or handshake.
  }
}

/** Connects to the first address that answers; throws naming every address tried. */
async function connect(options: PinnedSocketOptions): Promise<Deno.Conn> {
  const failures: string[] = [];
  for (const { address } of options.addresses) {
    let tcp: Deno.TcpConn;
    try {
      tcp = await Deno.connect({ hostname: address, port: options.port });
    } catch (error) {
      failures.push(`${address}: ${(error as Error).message}`);
      continue;
    }
    if (options.tlsHost === undefined) return tcp;
    // startTls takes the TCP connection over: from then on, the TLS one is what to close.
    let tls: Deno.TlsConn | undefined;
    try {
      tls = await Deno.startTls(tcp, { hostname: options.tlsHost, caCerts: options.caCerts });
      await tls.handshake(); // Now, so that a refused certificate is reported with the request.
      return tls;
    } catch (error) {
      closeQuietly(tls ?? tcp);
      throw new Error(
        `TLS with ${options.tlsHost} at ${address} failed for ${options.label}: ` +
          (error as Error).message,
        { cause: error },
      );
    }
  }
  throw new Error(
    `Cannot connect for ${options.label} (port ${options.port}): ${failures.join("; ")}`,
  );
}

/**
 * A socket to a checked address, connecting as soon as it is made. Reads as the answer is
 * consumed (backpressure), and destroying it closes the connection.
 *
 * @example
 * ```ts ignore
 * const socket = new PinnedSocket({
 *   addresses: [{ address: "93.184.215.14", family: 4 }],
 *   port: 443,
 *   tlsHost: "example.com",
 *   label: "https://example.com/",
 * });
 * ```
 */
export class PinnedSocket extends Duplex {
  #conn: Promise<Deno.Conn>;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #reading = false;

  constructor(options: PinnedSocketOptions) {
    super();
    this.#conn = connect(options);
    this.#conn.then(
      (conn) => {
        if (this.destroyed) conn.close();
        else this.emit("connect");
      },
      (error) => this.destroy(error),
    );
  }

  override _read(): void {
    if (this.#reading) return;
    this.#reading = true;
    this.#conn.then(async (conn) => {
      this.#reader ??= conn.readable.getReader();
      const { done, value } = await this.#reader.read();
      this.#reading = false;
      if (this.destroyed) return;
      if (done) this.push(null);
      else if (this.push(value)) this._read();
    }).catch((error) => {
      this.#reading = false;
      if (!this.destroyed) this.destroy(error);
    });
  }

  override _write(
    chunk: Uint8Array,
    _encoding: string,
    callback: (error?: Error | null) => void,
  ): void {
    this.#conn.then(async (conn) => {
      for (let written = 0; written < chunk.length;) {
        written += await conn.write(chunk.subarray(written));
      }
    }).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#conn.then((conn) => conn.closeWrite()).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    this.#conn.then(closeQuietly, () => {}).finally(() => callback(error));
  }
}

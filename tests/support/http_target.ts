/**
 * A server on 127.0.0.1 for `http` job tests to call: it records each request it gets and
 * answers with the test's handler. Optionally HTTPS, with the test certificate for `localhost`.
 * @module
 */

/** One request the target got. */
export interface TargetRequest {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

const TLS = new URL("../fixtures/tls/", import.meta.url);

/** The test CA (PEM), which signed the `localhost` certificate an HTTPS target serves. */
export const TEST_CA = Deno.readTextFileSync(new URL("ca.crt", TLS));

/** A running target; stop it with `await using` or {@linkcode HttpTarget.close}. */
export class HttpTarget implements AsyncDisposable {
  readonly requests: TargetRequest[] = [];
  #server: Deno.HttpServer<Deno.NetAddr>;
  #scheme: string;
  #closing = Promise.withResolvers<void>();

  private constructor(
    answer: (request: Request, url: URL) => Response | Promise<Response>,
    tls: boolean,
  ) {
    this.#scheme = tls ? "https" : "http";
    const certificate = tls
      ? {
        cert: Deno.readTextFileSync(new URL("localhost.crt", TLS)),
        key: Deno.readTextFileSync(new URL("localhost.key", TLS)),
      }
      : {};
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {}, ...certificate },
      async (request) => {
        const url = new URL(request.url);
        this.requests.push({
          method: request.method,
          path: url.pathname + url.search,
          headers: request.headers,
          body: await request.text(),
        });
        return answer(request, url);
      },
    );
  }

  /** Starts a target that answers with `answer`; `tls` serves HTTPS. */
  static start(
    answer: (request: Request, url: URL) => Response | Promise<Response>,
    { tls = false } = {},
  ): HttpTarget {
    return new HttpTarget(answer, tls);
  }

  get port(): number {
    return this.#server.addr.port;
  }

  /** `http://127.0.0.1:PORT` + `path` (`https://` for a TLS target). */
  url(path = "/", host = "127.0.0.1"): string {
    return `${this.#scheme}://${host}:${this.port}${path}`;
  }

  /** This target as an `--http-allow` entry: `127.0.0.1:PORT`. */
  get allow(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** An answer that never comes while the target runs (a server that hangs); closing ends it. */
  async hang(): Promise<Response> {
    await this.#closing.promise;
    return new Response("closing", { status: 503 });
  }

  /** Ends the answers still hanging, then stops the server. */
  close(): Promise<void> {
    this.#closing.resolve();
    return this.#server.shutdown();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

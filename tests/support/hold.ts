/**
 * Jobs that run until the test lets them finish, instead of for a fixed time that a loaded
 * machine may stretch past a kill or a lease: the built-in `http` job type calls a URL of this
 * server, which answers only once the test releases it. It works alike from Web Workers and
 * from another process, and counts the calls, so a test sees each time the job (re)starts. Its
 * address is loopback, which `http` jobs refuse: give the server {@linkcode HoldServer.allow}
 * (`httpAllow`, or `--http-allow`).
 * @module
 */

/** A local HTTP server whose answers wait for the test; see {@linkcode HoldServer.start}. */
export class HoldServer implements AsyncDisposable {
  #server: Deno.HttpServer<Deno.NetAddr>;
  #arrivals = new Map<string, number>();
  #gates = new Map<string, PromiseWithResolvers<void>>();

  private constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => this.#answer(request),
    );
  }

  /**
   * Starts a server on a free port; close it with `await using` or {@linkcode close}.
   *
   * @example
   * ```ts ignore
   * await using hold = HoldServer.start();
   * // The queue's server was made with `httpAllow: [hold.allow]`.
   * const [job] = await queue.enqueue([{ type: "http", payload: hold.payload("a") }]);
   * await waitFor(() => hold.arrivals("a") === 1); // it runs, and will until released
   * hold.release("a");
   * ```
   */
  static start(): HoldServer {
    return new HoldServer();
  }

  /** This server as an `--http-allow` entry (`127.0.0.1:PORT`), for the server its jobs run on. */
  get allow(): string {
    return `127.0.0.1:${this.#server.addr.port}`;
  }

  /** The payload of an `http` job that runs until {@linkcode release} of `key`. */
  payload(key: string): { url: string; method: "GET" } {
    const { port } = this.#server.addr;
    return { url: `http://127.0.0.1:${port}/${encodeURIComponent(key)}`, method: "GET" };
  }

  /** How many times a job held by `key` has started (each attempt, each rerun calls once). */
  arrivals(key: string): number {
    return this.#arrivals.get(key) ?? 0;
  }

  /** Lets every job held by `key` finish: calls waiting now are answered, later ones at once. */
  release(key: string): void {
    this.#gate(key).resolve();
  }

  /** Releases every job still held, then stops the server. */
  async close(): Promise<void> {
    for (const gate of this.#gates.values()) gate.resolve();
    await this.#server.shutdown();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #gate(key: string): PromiseWithResolvers<void> {
    let gate = this.#gates.get(key);
    if (gate === undefined) {
      gate = Promise.withResolvers<void>();
      this.#gates.set(key, gate);
    }
    return gate;
  }

  async #answer(request: Request): Promise<Response> {
    const key = decodeURIComponent(new URL(request.url).pathname.slice(1));
    this.#arrivals.set(key, this.arrivals(key) + 1);
    await this.#gate(key).promise;
    return new Response(`released ${key}`);
  }
}

/**
 * Deno.serve shows DenoQueue no connection before its request, so open connections are bounded
 * only by the process's open-file limit; past it Deno.serve stops accepting for good. The
 * service then says why in one line, shuts down gracefully and exits 1 (for its supervisor to
 * restart it), rather than dying of an unhandled error or running on without a listener.
 */

import assert from "node:assert/strict";
import { within } from "../../support/wait.ts";

const MAIN = new URL("../../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

Deno.test({
  name: "main.ts out of file descriptors says so, shuts down and exits 1",
  ignore: Deno.build.os !== "linux",
  async fn() {
    // A low open-file limit for the service alone, set by the shell that becomes it.
    const child = new Deno.Command("bash", {
      args: [
        "-c",
        'ulimit -n 128 && exec "$0" run --config "$1" --allow-all "$2" --store memory ' +
        "--port 0 --workers 1 2>&1",
        Deno.execPath(),
        CONFIG,
        MAIN,
      ],
      stdout: "piped",
      stdin: "null",
      env: { NO_COLOR: "1" },
    }).spawn();
    const lines: string[] = [];
    const { promise: listening, resolve } = Promise.withResolvers<number>();
    const read = (async () => {
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        lines.push(...chunk.split("\n").filter((line) => line !== ""));
        const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(chunk)?.[1];
        if (port !== undefined) resolve(Number(port));
      }
    })();
    const connections: Deno.TcpConn[] = [];
    let exited = false;
    const status = child.status.then((status) => {
      exited = true;
      return status;
    });
    try {
      const port = await within(listening, "the service to listen", 20_000);
      // Half-sent requests, as slow clients hold them, until the service has no fd left.
      for (let i = 0; i < 200 && !exited; i++) {
        try {
          const connection = await Deno.connect({ hostname: "127.0.0.1", port });
          connections.push(connection);
          await connection.write(new TextEncoder().encode("GET /healthz HTTP/1.1\r\n"));
        } catch {
          break; // no longer listening
        }
      }
      const { code } = await within(status, "the service to exit", 30_000);
      await read;
      const text = lines.join("\n");
      assert.equal(code, 1, text);
      assert.match(
        text,
        /The HTTP server stopped accepting connections: .*Too many open files.*LimitNOFILE/,
      );
      const messages = lines.map((line) => JSON.parse(line).msg);
      assert.ok(messages.includes("Stopping on the HTTP server stopping"), text);
      assert.equal(messages.at(-1), "Stopped", text);
      assert.doesNotMatch(text, /Uncaught/);
    } finally {
      for (const connection of connections) connection.close();
      if (!exited) child.kill("SIGKILL");
      await status;
      await read;
    }
  },
});

/**
 * A body that stops arriving, against a real server process: 100 connections each declare a
 * 1 MB body, send all of it but the last byte, and stall. Each gets 408 at `--body-timeout`,
 * and the memory the bodies held comes back (RSS read with `ps`).
 */

import assert from "node:assert/strict";
import { startService } from "../../support/process.ts";
import { rssMB, sampleRss } from "../../support/rss.ts";
import { waitFor, within } from "../../support/wait.ts";

const CONNECTIONS = 100;
const DECLARED = 1024 * 1024;
/**
 * What may stay once the bodies are cut off (half of what they declared): Deno's read buffers
 * of the connections, which stay open, and allocator pages not returned to the system yet.
 * Before the fix the bodies' ~400 MB stayed until their clients closed.
 */
const MARGIN_MB = 50;

/** Reads `connection` until its first answer line arrives, and returns that line. */
async function statusLine(connection: Deno.TcpConn): Promise<string> {
  const buffer = new Uint8Array(4096);
  let text = "";
  while (!text.includes("\r\n")) {
    const read = await connection.read(buffer);
    if (read === null) return text;
    text += new TextDecoder().decode(buffer.subarray(0, read));
  }
  return text.slice(0, text.indexOf("\r\n"));
}

Deno.test({
  name: "A stalled 1 MB body is cut off with 408 at --body-timeout and its memory comes back",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const service = await startService(["--body-timeout", "1s", "--workers", "1"]);
    const pid = service.child.pid;
    const connections: Deno.TcpConn[] = [];
    try {
      const { port } = new URL(service.url);
      const before = await rssMB(pid);
      const sampler = sampleRss(pid);
      const body = new Uint8Array(DECLARED - 1).fill(0x20);
      for (let i = 0; i < CONNECTIONS; i++) {
        const connection = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
        connections.push(connection);
        await connection.write(new TextEncoder().encode(
          `POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${DECLARED}\r\n\r\n`,
        ));
        for (let sent = 0; sent < body.length;) sent += await connection.write(body.subarray(sent));
      }
      const answers = await within(
        Promise.all(connections.map(statusLine)),
        "every stalled body to be answered",
        20_000,
      );
      const during = await sampler.stop();
      assert.deepEqual(new Set(answers), new Set(["HTTP/1.1 408 Request Timeout"]));
      // The bodies were held while they arrived (else this test shows nothing)...
      assert.ok(during - before > 60, `RSS ${before.toFixed(0)} → ${during.toFixed(0)} MB`);
      // ...and are let go once cut off, while their connections are still open.
      const after = await waitFor(async () => {
        const now = await rssMB(pid);
        return now <= before + MARGIN_MB ? now : undefined;
      }, {
        timeout: 45_000,
        interval: 250,
        message: `RSS to come back within ${MARGIN_MB} MB of ${before.toFixed(0)} MB`,
      });
      console.log(
        `RSS before ${before.toFixed(0)} MB, during ${during.toFixed(0)} MB, ` +
          `after ${after.toFixed(0)} MB`,
      );
    } finally {
      for (const connection of connections) connection.close();
      service.child.kill("SIGTERM");
      await service.exited;
    }
  },
});

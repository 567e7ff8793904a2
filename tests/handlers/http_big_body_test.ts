/**
 * A 50 MB answer to an `http` job, against a real server process: the body is read up to what is
 * kept and the connection closed, so the server's memory stays near where it was (RSS read with
 * `ps`; reading the whole answer, as `fetch(...).text()` did, cost over 100 MB).
 */

import assert from "node:assert/strict";
import { HttpTarget } from "../support/http_target.ts";
import { startService } from "../support/process.ts";
import { rssMB, sampleRss } from "../support/rss.ts";
import { waitFor } from "../support/wait.ts";

const BODY_MB = 50;
/** How far RSS may rise while the job runs (a fifth of the body). */
const MARGIN_MB = 10;

Deno.test({
  name: "http handler cuts a 50 MB answer at the kept 4 KB and RSS stays near its start",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const size = BODY_MB * 1024 * 1024;
    let sent = 0;
    await using target = HttpTarget.start((_, url) =>
      url.pathname === "/small" ? new Response("ok") : new Response(
        new ReadableStream({
          pull(controller) {
            if (sent >= size) return controller.close();
            sent += 64 * 1024;
            controller.enqueue(new Uint8Array(64 * 1024).fill(120)); // "x"
          },
        }),
      )
    );
    const service = await startService(["--workers", "1", "--http-allow", target.allow]);
    const pid = service.child.pid;
    const run = async (path: string) => {
      const created = await fetch(`${service.url}/api/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "http", payload: { url: target.url(path), method: "GET" } }),
      });
      const { id } = await created.json();
      return await waitFor(async () => {
        const job = await (await fetch(`${service.url}/api/jobs/${id}`)).json();
        return job.status === "completed" || job.status === "failed" ? job : undefined;
      }, { timeout: 30_000, interval: 20, message: `the job of ${path} to finish` });
    };
    try {
      // A first job loads what calls need (node:http, TLS, DNS), so that it is not counted.
      assert.equal((await run("/small")).status, "completed");
      const before = await rssMB(pid);
      const sampler = sampleRss(pid);
      const job = await run("/big");
      const peak = await sampler.stop();
      assert.equal(job.status, "completed", job.error);
      assert.deepEqual(job.result, { status: 200, body: "x".repeat(4096), truncated: true });
      console.log(
        `RSS before ${before.toFixed(1)} MB, peak while the job ran ${peak.toFixed(1)} MB; ` +
          `the target sent ${(sent / 1024 / 1024).toFixed(1)} MB of ${BODY_MB} MB`,
      );
      assert.ok(peak - before < MARGIN_MB, `RSS ${before.toFixed(1)} → ${peak.toFixed(1)} MB`);
      assert.ok(sent < size / 2, `the target sent ${sent} bytes`);
    } finally {
      service.child.kill("SIGTERM");
      await service.exited;
    }
  },
});

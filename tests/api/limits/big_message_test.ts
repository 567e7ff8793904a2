/**
 * A producer-socket message past the body limit, against a real server process: Deno buffers
 * it whole before the server sees it, so the server closes that socket (1009, message too big)
 * rather than reading more; the memory the messages took comes back (RSS read with `ps`).
 */

import assert from "node:assert/strict";
import { startService } from "../../support/process.ts";
import { rssMB, sampleRss } from "../../support/rss.ts";
import { waitFor, within } from "../../support/wait.ts";

const SOCKETS = 4;
const MESSAGE_MB = 60;
/** What may stay once the messages are let go (a third of one message). */
const MARGIN_MB = 20;

Deno.test({
  name: "A 60 MB producer-socket message closes its socket with 1009, and its memory comes back",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const service = await startService(["--workers", "1", "--lease", "2s"]);
    const pid = service.child.pid;
    try {
      const url = `${service.url.replace("http", "ws")}/api/producer`;
      const big = JSON.stringify({
        ref: 1,
        job: { type: "noop", payload: "x".repeat(MESSAGE_MB * 1024 * 1024) },
      });
      const before = await rssMB(pid);
      const sampler = sampleRss(pid);
      const closes = await within(
        Promise.all(Array.from({ length: SOCKETS }, async () => {
          const socket = new WebSocket(url);
          await new Promise((resolve, reject) => {
            socket.onopen = resolve;
            socket.onerror = reject;
          });
          const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve);
          socket.send(big);
          return await closed;
        })),
        "every socket to be closed",
        30_000,
      );
      const during = await sampler.stop();
      for (const close of closes) {
        assert.equal(close.code, 1009);
        assert.equal(close.reason, "A message is larger than 1048576 bytes (--body-limit)");
      }
      assert.ok(during - before > MESSAGE_MB, `RSS ${before.toFixed(0)} → ${during.toFixed(0)} MB`);
      // The messages are garbage once refused; V8 collects them on its own within ~30 s.
      const after = await waitFor(async () => {
        const now = await rssMB(pid);
        return now <= before + MARGIN_MB ? now : undefined;
      }, {
        timeout: 60_000,
        interval: 250,
        message: `RSS to come back within ${MARGIN_MB} MB of ${before.toFixed(0)} MB`,
      });
      console.log(
        `RSS before ${before.toFixed(0)} MB, during ${during.toFixed(0)} MB, ` +
          `after ${after.toFixed(0)} MB`,
      );
      // The service carries on: a new socket is served.
      const socket = new WebSocket(url);
      const answer = new Promise<string>((resolve) => socket.onmessage = (e) => resolve(e.data));
      socket.onopen = () => socket.send(JSON.stringify({ ref: 2, job: { type: "noop" } }));
      assert.match(await within(answer, "an answer"), /"ref":2/);
      const closed = new Promise((resolve) => socket.onclose = resolve);
      socket.close();
      await closed;
    } finally {
      service.child.kill("SIGTERM");
      await service.exited;
    }
  },
});

/**
 * The service stops with the process that started it: `npx … task start` killed with SIGTERM
 * ends npm and its shell, and the server, told by the start task to watch that ancestor, stops
 * cleanly instead of holding the port and the database.
 */

import assert from "node:assert/strict";
import { waitFor } from "./support/wait.ts";
import { logMessage } from "./support/process.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;
/** The start task's permissions: its ancestors are read with `ps`, /proc needs them all. */
const PERMISSIONS = "--allow-net --allow-read --allow-write --allow-env --allow-run=ps";

/**
 * Starts main.ts from a shell as the start task does, kills the shell once the server says it
 * listens (at that moment, or after an answer from it), and checks that the server stops itself.
 */
async function stopsWithItsStarter(killed: "at once" | "after an answer"): Promise<void> {
  const deno = Deno.execPath();
  // A shell that starts the server and waits: the server's parent, as npm's shell is `deno task`'s.
  const starter = new Deno.Command("sh", {
    args: [
      "-c",
      `"${deno}" run --config "${CONFIG}" ${PERMISSIONS} "${MAIN}" --store memory --port 0 & echo "pid $!"; wait`,
    ],
    env: { DENOQUEUE_STOP_WITH_ANCESTOR: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of starter.stdout) lines.push(...decoder.decode(chunk).split("\n"));
  })();
  let pid: number | undefined;
  try {
    pid = Number(
      (await waitFor(() => lines.find((line) => line.startsWith("pid ")), {
        message: "the server's pid",
      })).slice(4),
    );
    const listening = await waitFor(
      () => lines.map(logMessage).find((line) => line.startsWith("DenoQueue listening on ")),
      { timeout: 20_000, message: "the server to listen" },
    );
    const url = /http:\/\/\S+/.exec(listening)![0];
    if (killed === "after an answer") assert.equal((await fetch(`${url}/healthz`)).status, 200);
    starter.kill("SIGKILL"); // the shell goes; the server is left an orphan
    await waitFor(() => lines.map(logMessage).includes("Stopped"), {
      timeout: 20_000,
      message: "the server to stop by itself",
    });
    assert.ok(
      lines.map(logMessage).includes("Stopping on its starter ending"),
      lines.join("\n"),
    );
    await assert.rejects(fetch(`${url}/healthz`), "nothing listens any more");
  } finally {
    try {
      if (pid !== undefined) Deno.kill(pid, "SIGKILL"); // only if it is still there: a failure
    } catch { /* it stopped by itself */ }
    await reading;
    await starter.stderr.cancel();
    await starter.status;
  }
}

Deno.test("main.ts with DENOQUEUE_STOP_WITH_ANCESTOR stops cleanly once its starter is killed", async () => {
  await stopsWithItsStarter("after an answer");
});

Deno.test("main.ts with DENOQUEUE_STOP_WITH_ANCESTOR stops when its starter goes as it says it listens", async () => {
  // Its ancestors are read before it says so: a starter killed from then on is never missed.
  await stopsWithItsStarter("at once");
});

/**
 * The safety net for postgres.js's own faults (`driver_faults.ts`): an error thrown from the
 * driver's files, or a reconnect's unhandled connection error, is the driver's; an error of
 * ours, or any other, is not (it still ends the process).
 */

import assert from "node:assert/strict";
import { isDriverFault } from "../../../queue/store/postgres/driver_faults.ts";

const DRIVER = "file:///root/.cache/deno/npm/registry.npmjs.org/postgres/3.4.9/src/connection.js";

function withStack(error: Error, frames: string[]): Error {
  error.stack = `${error.name}: ${error.message}\n${frames.map((f) => `    at ${f}`).join("\n")}`;
  return error;
}

Deno.test("isDriverFault() knows the driver's own faults from everything else", () => {
  const nullWrite = withStack(new TypeError("Cannot read properties of null (reading 'write')"), [
    `Immediate.nextWrite (${DRIVER}:255:22)`,
    "Immediate.callback (ext:deno_node/internal/timers.mjs:4:3069)",
  ]);
  assert.equal(isDriverFault(nullWrite, false), true);
  const ours = withStack(new TypeError("Cannot read properties of null (reading 'write')"), [
    "claimJobs (file:///srv/app/queue/store/postgres/job_writes.ts:147:39)",
    `sql (${DRIVER}:112:11)`,
  ]);
  assert.equal(isDriverFault(ours, false), false, "thrown by our code");
  assert.equal(isDriverFault("a string", false), false);

  const refused = Object.assign(
    withStack(new Error("connect ECONNREFUSED 127.0.0.1:5432"), [
      "TCPConnectWrap.afterConnect (ext:deno_node/net.ts:1:2345)",
    ]),
    { code: "ECONNREFUSED" },
  );
  assert.equal(isDriverFault(refused, true), true);
  assert.equal(isDriverFault(refused, false), false, "only as an unhandled rejection");
  const refusedOfOurs = Object.assign(
    withStack(new Error("connect ECONNREFUSED 127.0.0.1:80"), [
      "callApi (file:///srv/app/handlers/webhook.ts:10:3)",
    ]),
    { code: "ECONNREFUSED" },
  );
  assert.equal(isDriverFault(refusedOfOurs, true), false, "a handler's own connection error");
  const otherCode = Object.assign(withStack(new Error("no"), []), { code: "EACCES" });
  assert.equal(isDriverFault(otherCode, true), false);
});

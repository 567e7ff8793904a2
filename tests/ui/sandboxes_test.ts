/**
 * How the dashboard writes sandboxes: a type's declared permissions, each set's workers, which
 * sets have started some, and when the types' permissions must be asked for again.
 */

import assert from "node:assert/strict";
import { diffJson } from "../../api/json_delta.ts";
import type { FeedStats } from "../../api/live_feed.ts";
import { checkPermissions } from "../../queue/handlers/permissions.ts";
import {
  permissionsText,
  type SandboxStats,
  sandboxTypesKey,
  startedSandboxes,
  workersText,
} from "../../ui/app/sandboxes.ts";
import { StatsReplica } from "../../ui/app/stats_replica.ts";

const NONE: SandboxStats = { permissions: "none", types: ["email", "noop"], workers: 2, busy: 1 };
const NET: SandboxStats = { permissions: "net=all", types: ["http"], workers: 0, busy: 0 };
const ENV: SandboxStats = { permissions: "env=KEY", types: ["mail"], workers: 1, busy: 0 };

Deno.test("permissionsText() writes none, each grant's entries, and all for everything", () => {
  assert.equal(permissionsText({}), "none");
  assert.equal(permissionsText({ net: true }), "net: all");
  assert.equal(permissionsText({ env: ["A_KEY", "B_KEY"] }), "env: A_KEY, B_KEY");
  assert.equal(
    permissionsText({ net: ["api.example.com"], env: ["KEY"], sys: true }),
    "net: api.example.com · env: KEY · sys: all",
  );
});

Deno.test("permissionsText() follows the server's order, whatever the declaration's", () => {
  // checkPermissions keeps the declared order of the names: the text does not.
  const declared = checkPermissions("t", { sys: ["hostname"], read: ["/srv"], net: true });
  assert.deepEqual(Object.keys(declared), ["sys", "read", "net"]);
  assert.equal(permissionsText(declared), "net: all · read: /srv · sys: hostname");
});

Deno.test("permissionsText() writes a permission it does not know last rather than drop it", () => {
  const newer = { ffi: true, net: ["a.example"] } as unknown as Parameters<
    typeof permissionsText
  >[0];
  assert.equal(permissionsText(newer), "net: a.example · ffi: all");
});

Deno.test("workersText() counts workers, and busy ones only when there are some", () => {
  assert.equal(workersText({ workers: 1, busy: 0 }), "1 worker");
  assert.equal(workersText({ workers: 3, busy: 0 }), "3 workers");
  assert.equal(workersText({ workers: 2, busy: 1 }), "2 workers, 1 busy");
  assert.equal(workersText({ workers: 1, busy: 1 }), "1 worker, 1 busy");
});

Deno.test("startedSandboxes() keeps the sets with workers, in the server's order", () => {
  assert.deepEqual(startedSandboxes([NONE, NET, ENV]), [NONE, ENV]);
  assert.deepEqual(startedSandboxes([NET]), []);
  assert.deepEqual(startedSandboxes([]), []);
});

Deno.test("sandboxTypesKey() changes with the types only, not with the workers", () => {
  const key = sandboxTypesKey([NONE, NET, ENV]);
  assert.equal(key, sandboxTypesKey([{ ...NONE, workers: 0, busy: 0 }, NET, ENV]));
  assert.equal(key, sandboxTypesKey([ENV, NET, NONE]), "the order of the sets does not count");
  assert.notEqual(key, sandboxTypesKey([NONE, NET]));
  assert.notEqual(key, sandboxTypesKey([{ ...NONE, types: ["email"] }, NET, ENV]));
});

Deno.test("A stats delta that starts a set's first worker shows it as started", () => {
  const before = { workers: { sandboxes: [NONE, NET, ENV] } } as unknown as FeedStats;
  const after = {
    workers: { sandboxes: [NONE, { ...NET, workers: 1, busy: 1 }, ENV] },
  } as unknown as FeedStats;
  const replica = new StatsReplica();
  replica.snapshot(1, before);
  const stats = replica.delta(2, { base: 1, ...diffJson(before, after) });
  assert.ok(stats !== undefined, "the delta applies");
  assert.deepEqual(
    startedSandboxes(stats.workers.sandboxes).map((s) => `${s.permissions}: ${workersText(s)}`),
    ["none: 2 workers, 1 busy", "net=all: 1 worker, 1 busy", "env=KEY: 1 worker"],
  );
});

/**
 * What each role may do from the dashboard: the table the views hide buttons by, as the
 * contract of issue 14 gives the roles (admin everything; producer enqueues, reads and
 * cancels; viewer reads), and the same as the server's rule for the route each action calls.
 */

import assert from "node:assert/strict";
import { routeTable } from "../../api/auth/route_rule.ts";
import { ROLES } from "../../queue/keys/api_key.ts";
import { type Action, can, PERMISSIONS } from "../../ui/app/permissions.ts";
import { withServer } from "../support/api_server.ts";
import { MASTER_KEY } from "../support/auth.ts";

/** The expected table, written out whole: a change to a rule has to change this too. */
const EXPECTED: Record<Action, string[]> = {
  read: ["admin", "producer", "viewer"],
  enqueue: ["admin", "producer"],
  cancel: ["admin", "producer"],
  retry: ["admin"],
  delete: ["admin"],
  retryAll: ["admin"],
  clear: ["admin"],
  pause: ["admin"],
  resume: ["admin"],
};

Deno.test("can() lets each role do exactly its actions", () => {
  assert.deepEqual(Object.keys(PERMISSIONS).sort(), Object.keys(EXPECTED).sort());
  for (const action of Object.keys(EXPECTED) as Action[]) {
    for (const role of ROLES) {
      assert.equal(
        can(role, action),
        EXPECTED[action].includes(role),
        `${role} ${action}`,
      );
    }
  }
});

Deno.test("can() lets a viewer change nothing", () => {
  const changes = (Object.keys(PERMISSIONS) as Action[]).filter((action) => action !== "read");
  assert.deepEqual(changes.filter((action) => can("viewer", action)), []);
});

Deno.test("can() lets a role it does not know do nothing, not even read", () => {
  for (const action of Object.keys(PERMISSIONS) as Action[]) {
    assert.equal(can("root", action), false, action);
    assert.equal(can("", action), false, action);
  }
});

Deno.test("PERMISSIONS name each action's route as METHOD /api/… and a role", () => {
  for (const [action, { route, access }] of Object.entries(PERMISSIONS)) {
    assert.match(route, /^(GET|POST|DELETE) \/api\/\S+$/, action);
    assert.ok((ROLES as readonly string[]).includes(access), `${action}: ${access}`);
  }
});

Deno.test("PERMISSIONS say what the server's rule says for each action's route", async () => {
  await withServer({ masterKey: MASTER_KEY }, (_api, server) => {
    const rules = new Map(
      routeTable(server.app).map((route) => [`${route.method} ${route.path}`, route.rule?.access]),
    );
    const differ: string[] = [];
    for (const [action, { route, access }] of Object.entries(PERMISSIONS)) {
      const server = rules.get(route);
      if (server !== access) differ.push(`${action} (${route}): ${access}, the server ${server}`);
    }
    assert.deepEqual(differ, []);
    return Promise.resolve();
  });
});

/**
 * How the dashboard writes the sandboxes handlers run in: the permissions a job type declares,
 * and the workers each set of permissions has started. Pure functions, no DOM and no Preact, so
 * they are tested in Deno as they run in the browser.
 * @module
 */

import { PERMISSION_NAMES, type Permissions } from "../../queue/handlers/permissions.ts";
import type { SandboxStats } from "../../queue/pool/worker_groups.ts";

export type { Permissions, SandboxStats };

/** A permission's place in the server's fixed order; a name it does not know goes last. */
function order(name: string): number {
  const index = (PERMISSION_NAMES as readonly string[]).indexOf(name);
  return index === -1 ? PERMISSION_NAMES.length : index;
}

/**
 * A type's permissions (as `GET /api/types` gives them, canonical) for a person: `none`, or
 * each granted permission with what it grants, `all` for everything, in the server's order
 * (net, read, write, env, run, sys).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { permissionsText } from "./sandboxes.ts";
 *
 * assert.equal(permissionsText({}), "none");
 * assert.equal(
 *   permissionsText({ env: ["KEY"], net: ["api.example.com"] }),
 *   "net: api.example.com · env: KEY",
 * );
 * assert.equal(permissionsText({ net: true }), "net: all");
 * ```
 */
export function permissionsText(permissions: Permissions): string {
  const parts = Object.entries(permissions as Record<string, true | readonly string[]>)
    .sort(([a], [b]) => order(a) - order(b))
    .map(([name, grant]) => `${name}: ${grant === true ? "all" : grant.join(", ")}`);
  return parts.length === 0 ? "none" : parts.join(" · ");
}

/**
 * A set's workers: `1 worker`, `2 workers, 1 busy` (busy ones only when there are some).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workersText } from "./sandboxes.ts";
 *
 * assert.equal(workersText({ workers: 2, busy: 1 }), "2 workers, 1 busy");
 * assert.equal(workersText({ workers: 1, busy: 0 }), "1 worker");
 * ```
 */
export function workersText({ workers, busy }: Pick<SandboxStats, "workers" | "busy">): string {
  const started = `${workers} worker${workers === 1 ? "" : "s"}`;
  return busy > 0 ? `${started}, ${busy} busy` : started;
}

/**
 * The sets of permissions that have workers now, in the server's order (fixed while it runs),
 * so that a set starting a worker does not reorder the others.
 */
export function startedSandboxes(sandboxes: readonly SandboxStats[]): SandboxStats[] {
  return sandboxes.filter((sandbox) => sandbox.workers > 0);
}

/**
 * The types the server runs, from its stats: they change only when the server restarts with
 * other handler modules, so the dashboard asks `GET /api/types` again when this key changes.
 */
export function sandboxTypesKey(sandboxes: readonly SandboxStats[]): string {
  return JSON.stringify(sandboxes.flatMap((sandbox) => sandbox.types).sort());
}

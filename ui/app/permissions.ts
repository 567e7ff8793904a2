/**
 * What each role may do from the dashboard, one entry per action with the API route it calls
 * and the least role the server lets through that route (`tests/ui/permissions_test.ts` checks
 * them against the server's route table). The dashboard only hides what a role cannot do; the
 * server is what refuses it (403).
 * @module
 */

import { isRole, type Role, ROLES } from "../../queue/keys/api_key.ts";

export type { Role };

/** One thing the dashboard offers to do, the route it calls and the least role that may. */
export interface Permission {
  /** `METHOD /path` as the server defines the route (`:id` for a job's id). */
  route: string;
  /** The least role the server's rule for that route lets through (roles above it too). */
  access: Role;
}

/**
 * The dashboard's actions, with the server's rule for the route each calls. Reading (jobs,
 * stats, types, the live feed) is every role's; a producer enqueues and cancels; the rest
 * changes or removes what others made: admins only.
 */
export const PERMISSIONS = {
  read: { route: "GET /api/jobs", access: "viewer" },
  enqueue: { route: "POST /api/jobs", access: "producer" },
  cancel: { route: "POST /api/jobs/:id/cancel", access: "producer" },
  retry: { route: "POST /api/jobs/:id/retry", access: "admin" },
  delete: { route: "DELETE /api/jobs/:id", access: "admin" },
  retryAll: { route: "POST /api/jobs/retry-all", access: "admin" },
  clear: { route: "POST /api/clear", access: "admin" },
  pause: { route: "POST /api/queue/pause", access: "admin" },
  resume: { route: "POST /api/queue/resume", access: "admin" },
} as const satisfies Record<string, Permission>;

/** An action of the dashboard. */
export type Action = keyof typeof PERMISSIONS;

/** A role's rank: admin above producer above viewer (`ROLES` runs from the most allowed). */
function rank(role: Role): number {
  return ROLES.length - ROLES.indexOf(role);
}

/**
 * Whether a key of `role` may do `action`: its role is `access` or above, as the server
 * decides. A role this dashboard does not know may do nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { can } from "./permissions.ts";
 * assert.ok(can("producer", "enqueue"));
 * assert.ok(!can("viewer", "cancel"));
 * ```
 */
export function can(role: string, action: Action): boolean {
  const permission: Permission | undefined = PERMISSIONS[action];
  if (permission === undefined || !isRole(role)) return false;
  return rank(role) >= rank(permission.access);
}

/**
 * What each role may do from the dashboard, one entry per action with the API route it calls
 * and the roles the server lets through that route. The dashboard only hides what a role
 * cannot do; the server is what refuses it (403).
 * @module
 */

import type { Role } from "../../queue/keys/api_key.ts";

export type { Role };

/** One thing the dashboard offers to do, the route it calls and who may call it. */
export interface Permission {
  /** `METHOD /path` as the server defines the route (`:id` for a job's id). */
  route: string;
  /** The roles the server lets through that route. */
  roles: readonly Role[];
}

const EVERYONE: readonly Role[] = ["admin", "producer", "viewer"];
const PRODUCERS: readonly Role[] = ["admin", "producer"];
const ADMINS: readonly Role[] = ["admin"];

/**
 * The dashboard's actions. Reading (jobs, stats, types, the live feed) is every role's; a
 * producer enqueues and cancels; the rest changes or removes what others made: admins only.
 */
export const PERMISSIONS = {
  read: { route: "GET /api/jobs", roles: EVERYONE },
  enqueue: { route: "POST /api/jobs", roles: PRODUCERS },
  cancel: { route: "POST /api/jobs/:id/cancel", roles: PRODUCERS },
  retry: { route: "POST /api/jobs/:id/retry", roles: ADMINS },
  delete: { route: "DELETE /api/jobs/:id", roles: ADMINS },
  retryAll: { route: "POST /api/jobs/retry-all", roles: ADMINS },
  clear: { route: "POST /api/clear", roles: ADMINS },
  pause: { route: "POST /api/queue/pause", roles: ADMINS },
  resume: { route: "POST /api/queue/resume", roles: ADMINS },
} as const satisfies Record<string, Permission>;

/** An action of the dashboard. */
export type Action = keyof typeof PERMISSIONS;

/**
 * Whether a key of `role` may do `action`. A role this dashboard does not know may do nothing.
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
  return permission !== undefined && (permission.roles as readonly string[]).includes(role);
}

/**
 * A worker can be given only what the server itself may use: Deno refuses to start a worker
 * whose permissions exceed its parent's. Checked at start, so a handler that declares more
 * than the server was started with is named at once, with the flag that would allow it.
 * @module
 */

import type { Sandbox } from "../handlers/job_types.ts";
import { PERMISSION_NAMES, type PermissionName } from "../handlers/permissions.ts";

function descriptor(name: PermissionName, item: string | undefined): Deno.PermissionDescriptor {
  if (item === undefined) return { name } as Deno.PermissionDescriptor;
  switch (name) {
    case "net":
      return { name, host: item };
    case "read":
    case "write":
      return { name, path: item };
    case "env":
      return { name, variable: item };
    case "run":
      return { name, command: item };
    case "sys":
      return { name, kind: item as Deno.SysPermissionDescriptor["kind"] };
  }
}

/**
 * The first permission a sandbox declares that this process lacks, as one line naming the job
 * types and the flag to start the server with; `undefined` when every one can be granted.
 *
 * @example
 * ```ts
 * import { ungrantable } from "./grantable.ts";
 * ungrantable([{ key: "k", permissions: {}, types: ["noop"], modules: [] }]); // undefined
 * ```
 */
export function ungrantable(sandboxes: readonly Sandbox[]): string | undefined {
  for (const { permissions, types } of sandboxes) {
    for (const name of PERMISSION_NAMES) {
      const grant = permissions[name];
      if (grant === undefined) continue;
      for (const item of grant === true ? [undefined] : grant) {
        const { state } = Deno.permissions.querySync(descriptor(name, item));
        if (state === "granted") continue;
        const declared = item === undefined ? `${name}: true` : `${name}: ${JSON.stringify(item)}`;
        const flag = item === undefined ? `--allow-${name}` : `--allow-${name}=${item}`;
        return `The job type(s) ${types.join(", ")} declare ${declared}, which the server ` +
          `itself was not allowed: start it with ${flag}`;
      }
    }
  }
  return undefined;
}

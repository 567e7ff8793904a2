/**
 * What a job type's handler may use, declared in `defineHandler` in Deno's worker permission
 * terms. A type that declares nothing gets nothing: no environment, no files, no network, no
 * subprocesses. The pool runs each set of permissions in workers of its own.
 * @module
 */

/** Everything or these: hosts, paths, variable names or programs, as Deno's flags take them. */
export type Grant = true | readonly (string | URL)[];

/**
 * Permissions a handler declares, in the terms of Deno's `--allow-*` flags.
 *
 * @example
 * ```ts
 * import type { HandlerPermissions } from "./permissions.ts";
 * const permissions: HandlerPermissions = {
 *   net: ["api.example.com:443"],
 *   env: ["SMTP_PASSWORD"],
 *   read: ["./templates"],
 * };
 * ```
 */
export interface HandlerPermissions {
  /** Hosts it may connect to (`api.example.com`, `api.example.com:443`, `10.0.0.5`). */
  net?: Grant;
  /** Files and folders it may read (relative to the service's working directory). */
  read?: Grant;
  /** Files and folders it may write. */
  write?: Grant;
  /** Environment variables it may read (and set). */
  env?: Grant;
  /** Programs it may run. */
  run?: Grant;
  /** System information it may read (`hostname`, `osRelease`, `loadavg`, ...). */
  sys?: Grant;
}

/** The permission names a handler may declare, in a fixed order. */
export const PERMISSION_NAMES = ["net", "read", "write", "env", "run", "sys"] as const;

/** One permission name. */
export type PermissionName = typeof PERMISSION_NAMES[number];

/** Declared permissions in one canonical form: only what is granted, lists sorted, paths. */
export type Permissions = { readonly [name in PermissionName]?: true | readonly string[] };

/** No permissions at all. */
export const NO_PERMISSIONS: Permissions = Object.freeze({});

/**
 * Checks what `defineHandler` was given for the type `type` and returns it in canonical form
 * (`false` and empty lists dropped, file URLs made paths, lists sorted without repeats), or
 * throws a `TypeError` naming the field.
 */
export function checkPermissions(type: string, declared: unknown): Permissions {
  if (declared === undefined) return NO_PERMISSIONS;
  if (typeof declared !== "object" || declared === null || Array.isArray(declared)) {
    throw new TypeError(`permissions of ${type} must be an object, e.g. { net: ["host"] }`);
  }
  const canonical: Record<string, true | string[]> = {};
  for (const [name, value] of Object.entries(declared)) {
    const field = `permissions.${name} of ${type}`;
    if (!(PERMISSION_NAMES as readonly string[]).includes(name)) {
      throw new TypeError(
        `${field} is not a permission a handler can declare (${PERMISSION_NAMES.join(", ")})`,
      );
    }
    if (value === undefined || value === false) continue;
    if (value === true) {
      canonical[name] = true;
      continue;
    }
    if (!Array.isArray(value)) {
      throw new TypeError(`${field} must be true or a list, received ${JSON.stringify(value)}`);
    }
    const entries = value.map((entry) => grantEntry(field, entry));
    if (entries.length > 0) canonical[name] = [...new Set(entries)].sort();
  }
  return Object.freeze(canonical) as Permissions;
}

function grantEntry(field: string, entry: unknown): string {
  if (entry instanceof URL) {
    if (entry.protocol !== "file:") {
      throw new TypeError(`${field}: a URL must be a file: URL, received ${entry.href}`);
    }
    return decodeURIComponent(entry.pathname);
  }
  if (typeof entry !== "string" || entry.trim() === "" || entry !== entry.trim()) {
    throw new TypeError(
      `${field}: each entry must be a non-empty string without surrounding spaces, received ${
        JSON.stringify(entry)
      }`,
    );
  }
  return entry;
}

/** A stable key for a set of permissions: types with equal keys share workers. */
export function permissionsKey(permissions: Permissions): string {
  return JSON.stringify(PERMISSION_NAMES.map((name) => permissions[name] ?? false));
}

/** How logs and `GET /api/types` name a set of permissions: `none`, or `net=a,b env=X`. */
export function permissionsLabel(permissions: Permissions): string {
  const parts = PERMISSION_NAMES.flatMap((name) => {
    const grant = permissions[name];
    if (grant === undefined) return [];
    return [`${name}=${grant === true ? "all" : grant.join(",")}`];
  });
  return parts.length === 0 ? "none" : parts.join(" ");
}

/**
 * The options a Web Worker is started with: exactly the declared permissions, every other one
 * refused (`ffi` and remote `import` too), none inherited from the server.
 */
export function workerPermissions(permissions: Permissions): Deno.PermissionOptionsObject {
  const grant = (name: PermissionName) => {
    const value = permissions[name];
    return value === undefined ? false : value === true ? true : [...value];
  };
  return {
    env: grant("env"),
    net: grant("net"),
    read: grant("read"),
    write: grant("write"),
    run: grant("run"),
    sys: grant("sys") as Deno.PermissionOptionsObject["sys"],
    ffi: false,
    import: false,
  };
}

/**
 * The permissions each job type declares, from `GET /api/types`, as a Preact hook. The types
 * are fixed while the server runs, so they are asked for once, and again only when the server's
 * stats name other types (it restarted with other handler modules).
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useState } from "preact/hooks";
import { api, errorMessage } from "./api_client.ts";
import type { Permissions } from "./sandboxes.ts";

/** What the views get: the permissions by type once known, or why they are not. */
export interface TypePermissions {
  /** Each type's declared permissions; undefined until the first answer. */
  byType?: ReadonlyMap<string, Permissions>;
  /** Why the last request failed, if it did. */
  error?: string;
}

/**
 * Each type's permissions, asked for once `typesKey` is known (`sandboxTypesKey` of the stats)
 * and again when it changes.
 */
export function useTypePermissions(typesKey: string | undefined): TypePermissions {
  const [state, setState] = useState<TypePermissions>({});
  useEffect(() => {
    if (typesKey === undefined) return;
    const controller = new AbortController();
    api.types(controller.signal).then((types) => {
      setState({ byType: new Map(types.map((entry) => [entry.type, entry.permissions])) });
    }, (error) => {
      if (!controller.signal.aborted) {
        setState((previous) => ({ ...previous, error: errorMessage(error) }));
      }
    });
    return () => controller.abort();
  }, [typesKey]);
  return state;
}

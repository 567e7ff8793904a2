/**
 * The nodes of `GET /api/nodes`, asked for again a second after each answer, as a Preact hook:
 * heartbeat ages move every beat, so the Nodes view polls while it is shown (the live feed
 * carries jobs and stats, not nodes).
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useState } from "preact/hooks";
import { api, errorMessage } from "./api_client.ts";
import type { NodeView } from "./api_types.ts";

/** How long after an answer the nodes are asked for again. */
export const NODES_POLL_MS = 1_000;

/** What the view gets: the last nodes listed, and why the last request failed, if it did. */
export interface NodesState {
  /** Undefined until the first answer. */
  nodes?: NodeView[];
  /** When they were listed (epoch ms), to show how fresh they are. */
  at?: number;
  error?: string;
}

/** Polls `GET /api/nodes` every {@linkcode NODES_POLL_MS} while mounted; one request at a time. */
export function useNodes(): NodesState {
  const [state, setState] = useState<NodesState>({});
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const nodes = await api.nodes(controller.signal);
        setState({ nodes, at: Date.now() });
      } catch (error) {
        if (controller.signal.aborted) return;
        // The last list stays, marked with why it is not fresh.
        setState((previous) => ({ ...previous, error: errorMessage(error) }));
      }
      if (!controller.signal.aborted) timer = setTimeout(poll, NODES_POLL_MS);
    };
    poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, []);
  return state;
}

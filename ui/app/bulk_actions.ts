/**
 * "Retry all failed" and "Clear completed": each asks for confirmation inside the page, then
 * shows what the API did (or its error). Only those the signed-in key's role may do are shown.
 * @module
 */

/// <reference lib="dom" />

import { useState } from "preact/hooks";
import { api, errorMessage } from "./api_client.ts";
import type { Stats } from "./api_types.ts";
import { formatCount } from "./format.ts";
import { html } from "./html.ts";
import type { Action } from "./permissions.ts";

/** The live counts the buttons read. */
type JobCounts = Pick<Stats, "byStatus" | "retried">;

interface BulkAction {
  id: string;
  /** What the key's role must allow. */
  permission: Action;
  label: string;
  question: (count: number) => string;
  confirm: string;
  run: () => Promise<string>;
  count: (counts: JobCounts) => number;
}

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;

const ACTIONS: BulkAction[] = [
  {
    id: "retry-failed",
    permission: "retryAll",
    label: "Retry all failed",
    question: (n) => `Retry ${plural(n, "failed job")}? Each becomes a new queued job.`,
    confirm: "Yes, retry all",
    // What retry-all will do: failed jobs not retried already.
    count: ({ byStatus, retried }) => byStatus.failed - retried.failed,
    run: async () => {
      const { retried, remaining } = await api.retryAll("failed");
      return `Retried ${plural(retried, "job")}` +
        (remaining > 0 ? `; ${formatCount(remaining)} left (the queue is full)` : ".");
    },
  },
  {
    id: "clear-completed",
    permission: "clear",
    label: "Clear completed",
    question: (n) => `Delete ${plural(n, "completed job")}? This cannot be undone.`,
    confirm: "Yes, clear",
    count: ({ byStatus }) => byStatus.completed,
    run: async () => {
      const { removed } = await api.clear("completed");
      return `Removed ${plural(removed, "completed job")}.`;
    },
  },
];

type Outcome = { ok: boolean; text: string };

/** Whether a key allowed `allowed` actions sees any bulk action. */
export function hasBulkActions(allowed: (action: Action) => boolean): boolean {
  return ACTIONS.some((action) => allowed(action.permission));
}

/**
 * The bulk buttons `allowed` lets through; `counts` (live) says how many jobs each would
 * touch.
 */
export function BulkActions(
  { counts, allowed }: { counts?: JobCounts; allowed: (action: Action) => boolean },
) {
  const [asking, setAsking] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const shown = ACTIONS.filter((action) => allowed(action.permission));
  const current = shown.find((action) => action.id === asking);

  const run = async (action: BulkAction) => {
    setBusy(true);
    try {
      setOutcome({ ok: true, text: await action.run() });
    } catch (error) {
      setOutcome({ ok: false, text: errorMessage(error) });
    } finally {
      setBusy(false);
      setAsking(undefined);
    }
  };

  return html`
    <div class="bulk" data-testid="bulk-actions">
      <div class="button-row">
        ${shown.map((action) =>
          html`
            <button
              type="button"
              class="button"
              data-testid=${action.id}
              aria-expanded=${asking === action.id}
              disabled=${busy}
              onClick=${() => {
                setOutcome(undefined);
                setAsking(action.id);
              }}
            >${action.label}${counts
              ? html`
                <span class="count">${formatCount(action.count(counts))}</span>
              `
              : null}</button>
          `
        )}
      </div>
      ${current &&
        html`
          <div class="confirm" role="group" aria-label="Confirm" data-testid="bulk-confirm">
            <p>${current.question(counts ? current.count(counts) : 0)}</p>
            <div class="button-row">
              <button
                type="button"
                class="button danger"
                data-testid="bulk-confirm-yes"
                disabled=${busy}
                onClick=${() => run(current)}
              >${current.confirm}</button>
              <button
                type="button"
                class="button"
                disabled=${busy}
                onClick=${() => setAsking(undefined)}
              >Keep them</button>
            </div>
          </div>
        `}
      <p
        class=${`notice ${outcome ? (outcome.ok ? "notice-ok" : "notice-error") : ""}`}
        role="status"
        data-testid="bulk-result"
      >${outcome?.text}</p>
    </div>
  `;
}

/**
 * The overview's workers card: workers busy and idle, job slots in use, jobs claimed ahead for
 * them, and the workers of each set of permissions (sandbox) that has started some.
 * @module
 */

/// <reference lib="dom" />

import type { Stats } from "./api_types.ts";
import { formatCount } from "./format.ts";
import { html } from "./html.ts";
import { ProgressBar } from "./progress_bar.ts";
import { startedSandboxes, workersText } from "./sandboxes.ts";

/** Each started sandbox on one line: its permissions, its workers and how many are busy. */
function Sandboxes({ sandboxes }: { sandboxes: Stats["workers"]["sandboxes"] }) {
  const started = startedSandboxes(sandboxes);
  if (started.length === 0) {
    return html`<p class="muted small" data-testid="sandboxes">
      No worker started yet: each set of permissions starts its own when its jobs are ready.
    </p>`;
  }
  return html`
    <ul class="sandbox-list small" aria-label="Workers by permissions" data-testid="sandboxes">
      ${started.map((sandbox) =>
        html`
          <li
            key=${sandbox.permissions}
            data-testid="sandbox"
            title=${`Types: ${sandbox.types.join(", ")}`}
          >
            <code>${sandbox.permissions}</code><span class="visually-hidden">: </span>
            <span class="sandbox-workers">${workersText(sandbox)}</span>
          </li>
        `
      )}
    </ul>
  `;
}

/**
 * The workers card. Workers start on demand, so the job slots are those of the workers started;
 * the pool's size is how many it grows to (each set with work gets one, whatever the size).
 */
export function WorkersCard({ workers }: { workers: Stats["workers"] }) {
  const started = workers.busy + workers.idle;
  const slots = started * workers.concurrency;
  const shape = `${started} worker${
    started === 1 ? "" : "s"
  } × ${workers.concurrency}; pool size ${workers.size}`;
  const ahead = workers.claimedAhead > 0
    ? html`; <span data-testid="workers-ahead">${
      formatCount(workers.claimedAhead)
    } claimed ahead</span>`
    : "";
  return html`
    <section class="card" aria-labelledby="workers-title" data-testid="workers">
      <h2 id="workers-title">Workers</h2>
      <p class="figure">
        <strong data-testid="workers-busy">${workers.busy}</strong>
        <span class="muted"> busy, </span>
        <strong data-testid="workers-idle">${workers.idle}</strong>
        <span class="muted"> idle</span>
      </p>
      <${ProgressBar}
        value=${slots > 0 ? (workers.running / slots) * 100 : 0}
        label="Job slots in use"
      />
      <p class="muted small" data-testid="workers-slots">
        ${formatCount(workers.running)} of ${formatCount(slots)} job slots in use (${shape})${ahead}
      </p>
      <${Sandboxes} sandboxes=${workers.sandboxes} />
    </section>
  `;
}

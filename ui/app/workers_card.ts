/**
 * The overview's workers card: workers busy and idle, job slots in use, and the workers of each
 * set of permissions (sandbox) that has started some.
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
            <code>${sandbox.permissions}</code>: ${workersText(sandbox)}
          </li>
        `
      )}
    </ul>
  `;
}

/**
 * The workers card. Workers start on demand, so the job slots are those of the workers started;
 * `size` is how many the pool grows to.
 */
export function WorkersCard({ workers }: { workers: Stats["workers"] }) {
  const started = workers.busy + workers.idle;
  const slots = started * workers.concurrency;
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
        ${formatCount(workers.running)} of ${formatCount(slots)} job slots in use (${started}
        worker${started === 1 ? "" : "s"} × ${workers.concurrency}; the pool grows to ${workers
          .size})
      </p>
      <${Sandboxes} sandboxes=${workers.sandboxes} />
    </section>
  `;
}

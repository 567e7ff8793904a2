/**
 * A job's status as a coloured badge; the colour is a class per status, so the text is what
 * screen readers and tests read.
 * @module
 */

/// <reference lib="dom" />

import type { JobStatus } from "./api_types.ts";
import { html } from "./html.ts";

/** The badge for `status`; `testid` names it for tests. */
export function StatusBadge(props: { status: JobStatus; testid?: string }) {
  return html`<span class=${`badge status-${props.status}`} data-testid=${props.testid}>${props.status}</span>`;
}

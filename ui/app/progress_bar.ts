/**
 * A horizontal bar for progress and fill levels, with the ARIA progressbar role. The width is
 * set through the DOM (allowed by the page's CSP), never as a style attribute in markup.
 * @module
 */

/// <reference lib="dom" />

import { html } from "./html.ts";

/** What {@linkcode ProgressBar} shows. */
export interface ProgressBarProps {
  /** Filled share, 0–100. */
  value: number;
  /** What the bar measures, for assistive technology. */
  label: string;
  /** Extra class, e.g. `bar-warn`. */
  tone?: string;
  testid?: string;
}

/** A bar filled to `value` percent. */
export function ProgressBar({ value, label, tone, testid }: ProgressBarProps) {
  const clamped = Math.max(0, Math.min(100, Number.isFinite(value) ? value : 0));
  return html`
    <div
      class=${`bar ${tone ?? ""}`}
      role="progressbar"
      aria-label=${label}
      aria-valuemin="0"
      aria-valuemax="100"
      aria-valuenow=${Math.round(clamped)}
      data-testid=${testid}
    >
      <div class="bar-fill" style=${{ width: `${clamped}%` }}></div>
    </div>
  `;
}

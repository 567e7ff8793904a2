/**
 * The dashboard shell (placeholder until the full dashboard lands).
 * @module
 */

/// <reference lib="dom" />

import { html } from "./html.ts";

export function App() {
  return html`
    <main>
      <h1>DenoQueue</h1>
    </main>
  `;
}

/**
 * The dashboard shell: header with navigation and the live feed's state, and the hash router
 * that picks the view. Owns the one live feed every view shares.
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useMemo } from "preact/hooks";
import { EnqueuePage } from "./enqueue_page.ts";
import { html } from "./html.ts";
import { JobDetailPage } from "./job_detail.ts";
import { JobsPage } from "./jobs_page.ts";
import { LiveContext, LiveFeed, type LiveState, useLiveState } from "./live.ts";
import { Overview } from "./overview.ts";
import { type Route, useRoute } from "./router.ts";

const LIVE_LABELS: Record<LiveState, string> = {
  connecting: "Connecting…",
  open: "Live",
  reconnecting: "Reconnecting…",
};

function LiveIndicator() {
  const state = useLiveState();
  return html`
    <span class=${`live live-${state}`} role="status" data-testid="live-state">
      <span class="live-dot" aria-hidden="true"></span>${LIVE_LABELS[state]}
    </span>
  `;
}

const NAV = [
  { href: "#/", label: "Overview", section: "" },
  { href: "#/jobs", label: "Jobs", section: "jobs" },
  { href: "#/enqueue", label: "Enqueue", section: "enqueue" },
];

function Header({ section }: { section: string }) {
  return html`
    <header class="topbar">
      <a class="brand" href="#/">
        <span class="brand-mark" aria-hidden="true">▚</span>DenoQueue
      </a>
      <nav class="nav" aria-label="Main">
        ${NAV.map((item) =>
          html`
            <a
              key=${item.href}
              href=${item.href}
              aria-current=${item.section === section ? "page" : undefined}
              data-testid=${`nav-${item.label.toLowerCase()}`}
            >${item.label}</a>
          `
        )}
      </nav>
      <${LiveIndicator} />
    </header>
  `;
}

function View({ route }: { route: Route }) {
  const [section, id, extra] = route.segments;
  if (section === undefined) return html`<${Overview} />`;
  if (section === "jobs" && id === undefined) return html`<${JobsPage} query=${route.query} />`;
  if (section === "jobs" && extra === undefined) return html`<${JobDetailPage} id=${id} />`;
  if (section === "enqueue" && id === undefined) {
    return html`<${EnqueuePage} query=${route.query} />`;
  }
  return html`
    <div class="page" data-testid="not-found">
      <h1>Nothing here</h1>
      <p>There is no page at this address. <a href="#/">Go to the overview</a>.</p>
    </div>
  `;
}

const TITLES: Record<string, string> = { "": "Overview", jobs: "Jobs", enqueue: "Enqueue" };

/** The whole dashboard: `render(h(App, {}), root)`. */
export function App() {
  const feed = useMemo(() => new LiveFeed("/api/events"), []);
  useEffect(() => {
    feed.start();
    return () => feed.stop();
  }, [feed]);
  const route = useRoute();
  const section = route.segments[0] ?? "";
  const path = route.segments.join("/");
  useEffect(() => {
    const title = route.segments.length > 1 ? "Job" : TITLES[section] ?? "Not found";
    document.title = `${title} · DenoQueue`;
    scrollTo(0, 0);
  }, [path]);
  return html`
    <${LiveContext.Provider} value=${feed}>
      <${Header} section=${section} />
      <main id="main" class="main">
        <${View} route=${route} />
      </main>
      <//>
  `;
}

/**
 * The signed-in dashboard: header with navigation, the live feed's state and who is signed in,
 * and the hash router that picks the view. Owns the one live feed every view shares, and asks
 * the server whether the session still holds each time that feed breaks.
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useMemo } from "preact/hooks";
import { api, ApiError } from "./api_client.ts";
import { EnqueuePage } from "./enqueue_page.ts";
import { html } from "./html.ts";
import { JobDetailPage } from "./job_detail.ts";
import { JobsPage } from "./jobs_page.ts";
import { LiveContext, LiveFeed, type LiveState, useLiveState } from "./live.ts";
import { NodesPage } from "./nodes_page.ts";
import { Overview } from "./overview.ts";
import type { Action } from "./permissions.ts";
import { type Route, useRoute } from "./router.ts";
import { useCan, useSession } from "./session_context.ts";
import { InsecureBanner, SessionControls } from "./session_controls.ts";

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

const NAV: { href: string; label: string; section: string; action: Action }[] = [
  { href: "#/", label: "Overview", section: "", action: "read" },
  { href: "#/jobs", label: "Jobs", section: "jobs", action: "read" },
  { href: "#/enqueue", label: "Enqueue", section: "enqueue", action: "enqueue" },
  { href: "#/nodes", label: "Nodes", section: "nodes", action: "read" },
];

function Header({ section }: { section: string }) {
  const can = useCan();
  return html`
    <header class="topbar">
      <a class="brand" href="#/">
        <span class="brand-mark" aria-hidden="true">▚</span>DenoQueue
      </a>
      <nav class="nav" aria-label="Main">
        ${NAV.filter((item) => can(item.action)).map((item) =>
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
      <${SessionControls} />
    </header>
  `;
}

function NotAllowed({ what }: { what: string }) {
  const { session } = useSession();
  return html`
    <div class="page" data-testid="not-allowed">
      <h1>Not for this key</h1>
      <p>
        The key you signed in with (${session.key.name}, role ${session.key
          .role}) cannot ${what}. <a
          href="#/"
        >Go to the overview</a>.
      </p>
    </div>
  `;
}

function View({ route }: { route: Route }) {
  const can = useCan();
  const [section, id, extra] = route.segments;
  if (section === undefined) return html`<${Overview} />`;
  if (section === "jobs" && id === undefined) return html`<${JobsPage} query=${route.query} />`;
  if (section === "jobs" && extra === undefined) return html`<${JobDetailPage} id=${id} />`;
  if (section === "nodes" && id === undefined) return html`<${NodesPage} />`;
  if (section === "enqueue" && id === undefined) {
    if (!can("enqueue")) return html`<${NotAllowed} what="enqueue jobs" />`;
    return html`<${EnqueuePage} query=${route.query} />`;
  }
  return html`
    <div class="page" data-testid="not-found">
      <h1>Nothing here</h1>
      <p>There is no page at this address. <a href="#/">Go to the overview</a>.</p>
    </div>
  `;
}

const TITLES: Record<string, string> = {
  "": "Overview",
  jobs: "Jobs",
  enqueue: "Enqueue",
  nodes: "Nodes",
};

/** The dashboard once signed in; needs a `SessionContext` provider. */
export function Shell() {
  const { ended } = useSession();
  const feed = useMemo(() => new LiveFeed("/api/events"), []);
  useEffect(() => {
    // The feed cannot see a 401: the session answers for it.
    const offBroken = feed.onBroken(() => {
      api.session().catch((error) => {
        if (error instanceof ApiError && error.status === 401) ended();
      });
    });
    feed.start();
    return () => {
      offBroken();
      feed.stop();
    };
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
      <${InsecureBanner} />
      <${Header} section=${section} />
      <main id="main" class="main">
        <${View} route=${route} />
      </main>
      <//>
  `;
}

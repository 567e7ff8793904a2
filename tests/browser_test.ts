/**
 * The dashboard in real headless Chromium against a real server: the overview, its sandboxes and
 * the types' permissions, a job's live lifecycle, attempts and errors, cancel / retry / delete,
 * form errors, phone width, and screenshots (light, dark, phone) for a person to look at in
 * tests/screenshots/.
 * @module
 */

import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import type { JobView, StatsView } from "./support/api_server.ts";
import {
  type Dashboard,
  launchBrowser,
  screenshot,
  waitForText,
  withDashboard,
} from "./support/browser.ts";
import { waitFor } from "./support/wait.ts";
import { HoldServer } from "./support/hold.ts";
import { FIXTURES } from "./fixtures/handlers.ts";
import { SECRET_VARIABLE } from "./fixtures/sandbox/names.ts";

/** Handlers that declare permissions (loaded by the server's workers, never imported here). */
const SANDBOX_HANDLERS = new URL("./fixtures/sandbox/handlers.ts", import.meta.url).href;

const testid = (page: Page, id: string) => page.getByTestId(id);

/** Polls the API until the job is in `status`. */
function waitForJob(dashboard: Dashboard, id: string, status: string): Promise<JobView> {
  return waitFor(async () => {
    const { body } = await dashboard.api<JobView>("GET", `/api/jobs/${id}`);
    return body.status === status ? body : undefined;
  }, { timeout: 30_000, message: `job ${id} to be ${status}` });
}

async function enqueue(
  dashboard: Dashboard,
  type: string,
  payload: unknown,
  options?: Record<string, unknown>,
): Promise<JobView> {
  const { status, body } = await dashboard.api<JobView>("POST", "/api/jobs", {
    type,
    payload,
    options,
  });
  assert.equal(status, 201, JSON.stringify(body));
  return body;
}

/**
 * Records, inside the page, every text the job status badge shows from now on. Written as page
 * source: these tests are type-checked without the DOM library.
 */
const RECORD_STATUSES = `(() => {
  const seen = [];
  globalThis.__statuses = seen;
  const record = () => {
    const text = document.querySelector("[data-testid=job-status]")?.textContent?.trim();
    if (text && seen[seen.length - 1] !== text) seen.push(text);
  };
  record();
  new MutationObserver(record).observe(document.body, {
    subtree: true, childList: true, characterData: true,
  });
})()`;

async function recordStatuses(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(RECORD_STATUSES);
  return () => page.evaluate<string[]>("globalThis.__statuses");
}

/** Fails unless the page is as wide as the viewport (no sideways scrolling of the page). */
async function assertNoHorizontalOverflow(page: Page, width: number, where: string) {
  const scrollWidth = await page.evaluate<number>("document.documentElement.scrollWidth");
  assert.ok(
    scrollWidth <= width + 1,
    `${where}: the page is ${scrollWidth} px wide at ${width} px`,
  );
}

Deno.test("Dashboard in headless Chromium", async (t) => {
  const browser: Browser = await launchBrowser();
  try {
    await t.step("the overview loads with no console error and shows live counts", async () => {
      await withDashboard(browser, {}, async (dashboard) => {
        const { page, url } = dashboard;
        await Promise.all([1, 2, 3].map(() => enqueue(dashboard, "noop", {})));
        await page.goto(`${url}/`);
        await waitForText(testid(page, "live-state"), "Live");
        await waitForText(testid(page, "count-completed"), /^3\s*completed$/);
        await enqueue(dashboard, "fail-absolute", {}, { maxAttempts: 1 });
        // Counts follow the live feed without a reload.
        await waitForText(testid(page, "count-failed"), /^1\s*failed$/);
        const { body: stats } = await dashboard.api<StatsView>("GET", "/api/stats");
        for (const status of Object.keys(stats.byStatus) as (keyof StatsView["byStatus"])[]) {
          await waitForText(
            testid(page, `count-${status}`),
            new RegExp(`^${stats.byStatus[status]}\\s*${status.replace("-", " ")}$`),
          );
        }
        await waitForText(testid(page, "type-row-noop"), /noop\s*no permissions\s*0\s*0\s*0\s*3/);
        await testid(page, "throughput-chart").waitFor();
        // The chart follows too: the failure came after the snapshot, in a stats delta.
        await waitFor(async () => {
          const label = await page.locator(".chart-plot").getAttribute("aria-label");
          return label?.includes("3 completed, 1 failed");
        }, { message: "the chart to count the failure" });
        await waitForText(testid(page, "workers"), /1\s*idle/);
        // One snapshot (the page's connect), deltas since: the page never had to resync.
        assert.equal(dashboard.server.feed.sent.stats, 1, "whole stats sent once");
        assert.ok(dashboard.server.feed.sent.statsDelta > 0, "stats deltas sent");
      });
    });

    await t.step(
      "the overview shows each started sandbox and each type's permissions, live",
      async () => {
        await withDashboard(
          browser,
          { server: { handlers: [SANDBOX_HANDLERS] } },
          async (dashboard) => {
            const { page, url } = dashboard;
            // Scheduled, not ready: its type is in the table, its set starts no worker.
            await enqueue(dashboard, "s-fetches", { url: `${url}/api/stats` }, { delay: 60_000 });
            await page.goto(`${url}/`);
            await waitForText(testid(page, "live-state"), "Live");
            const sandboxes = testid(page, "sandboxes");
            await waitForText(sandboxes, "No worker started yet");
            await waitForText(
              testid(page, "type-row-s-fetches").getByTestId("type-permissions"),
              /^net: 127\.0\.0\.1$/,
            );

            await page.evaluate(() => (globalThis as unknown as { __marker: number }).__marker = 1);
            await enqueue(dashboard, "noop", {});
            await waitForText(testid(page, "sandbox"), /^none: 1 worker$/);
            // A second set starts its first worker: the card follows, without a reload.
            await enqueue(dashboard, "s-reads-env-declared", { name: SECRET_VARIABLE });
            await waitForText(testid(page, "sandbox"), `env=${SECRET_VARIABLE}: 1 worker`);
            assert.deepEqual(
              (await testid(page, "sandbox").allTextContents()).map((text) => text.trim()),
              ["none: 1 worker", `env=${SECRET_VARIABLE}: 1 worker`],
              "only the sets with workers, in the server's order",
            );
            await waitForText(testid(page, "workers-slots"), "(2 workers × 16; pool size 1)");
            const marker = await page.evaluate(() =>
              (globalThis as unknown as { __marker?: number }).__marker
            );
            assert.equal(marker, 1, "the page reloaded");
            assert.equal(
              dashboard.server.feed.sent.stats,
              1,
              "whole stats sent once, deltas since",
            );

            const permissions = (type: string) =>
              testid(page, `type-row-${type}`).getByTestId("type-permissions");
            await waitForText(permissions("noop"), /^no permissions$/);
            await waitForText(permissions("s-reads-env-declared"), `env: ${SECRET_VARIABLE}`);
            // The enqueue form says what a type may use, too.
            await page.goto(`${url}/#/enqueue?type=s-fetches`);
            await waitForText(page.locator("#type-help"), "Permissions: net: 127.0.0.1.");
          },
        );
      },
    );

    await t.step("the workers card shows the jobs claimed ahead of free places", async () => {
      await using hold = HoldServer.start();
      // It holds as many as it finished in the last minute: three quick ones first.
      const server = {
        workers: 1,
        concurrency: 1,
        claimAhead: 4,
        claimAheadPaceMs: 60_000,
        httpAllow: [hold.allow],
      };
      await withDashboard(browser, { server }, async (dashboard) => {
        const { page, url } = dashboard;
        for (const key of ["q1", "q2", "q3"]) {
          hold.release(key);
          const quick = await enqueue(dashboard, "http", hold.payload(key));
          await waitForJob(dashboard, quick.id, "completed");
        }
        for (const key of ["a", "b", "c"]) await enqueue(dashboard, "http", hold.payload(key));
        await page.goto(`${url}/`);
        await waitForText(testid(page, "live-state"), "Live");
        await waitForText(testid(page, "workers-ahead"), /^2 claimed ahead$/);
        await waitForText(testid(page, "count-in-progress"), /^3\s*in progress$/);
        for (const key of ["a", "b", "c"]) hold.release(key);
        await waitForText(testid(page, "count-completed"), /^6\s*completed$/);
        await testid(page, "workers-ahead").waitFor({ state: "detached" });
      });
    });

    await t.step(
      "a job enqueued through the form goes queued → in-progress → completed on screen",
      async () => {
        // One job slot: a blocker holds it, so the new job is seen waiting in the queue.
        await withDashboard(browser, { server: { concurrency: 1 } }, async (dashboard) => {
          const { page, url } = dashboard;
          const blocker = await enqueue(dashboard, "sleep", { ms: 60_000 });
          await waitForJob(dashboard, blocker.id, "in-progress");
          await page.goto(`${url}/#/enqueue`);
          await page.evaluate(() => (globalThis as unknown as { __marker: number }).__marker = 1);
          await page.getByLabel("Type").selectOption("sleep");
          await page.getByLabel("Payload (JSON)").fill('{"ms": 800}');
          await page.getByRole("button", { name: "Enqueue" }).click();
          const link = testid(page, "created-job-link");
          await waitForText(testid(page, "enqueue-result"), "queued");
          await link.click();
          await testid(page, "job-detail").waitFor();
          const statuses = await recordStatuses(page);
          await waitForText(testid(page, "job-status"), "queued");
          await dashboard.api("POST", `/api/jobs/${blocker.id}/cancel`);
          await waitForText(testid(page, "job-status"), "completed");
          assert.deepEqual(await statuses(), ["queued", "in-progress", "completed"]);
          await waitForText(testid(page, "job-result"), '"sleptMs": 800');
          await waitForText(testid(page, "timeline"), /Attempt 1 completed/);
          const marker = await page.evaluate(() =>
            (globalThis as unknown as { __marker?: number }).__marker
          );
          assert.equal(marker, 1, "the page reloaded");
          // The jobs list shows it too, still without a reload.
          await testid(page, "nav-jobs").click();
          await testid(page, "jobs-page").waitFor();
          await waitForText(testid(page, "job-row"), /sleep\s*completed/);
          await waitForText(testid(page, "job-row"), /sleep\s*cancelled/);
        });
      },
    );

    await t.step("bulk actions ask inside the page, then show what the API did", async () => {
      await withDashboard(browser, {}, async (dashboard) => {
        const { page, url } = dashboard;
        const failing = await Promise.all(
          [1, 2].map(() => enqueue(dashboard, "fail-absolute", {}, { maxAttempts: 1 })),
        );
        await Promise.all([1, 2, 3].map(() => enqueue(dashboard, "noop", {})));
        for (const job of failing) await waitForJob(dashboard, job.id, "failed");
        await page.goto(`${url}/`);
        await waitForText(testid(page, "count-completed"), /^3/);
        const bulk = testid(page, "bulk-actions");
        await waitForText(bulk.getByTestId("retry-failed"), "2");

        await bulk.getByTestId("retry-failed").click();
        await waitForText(bulk.getByTestId("bulk-confirm"), "Retry 2 failed jobs?");
        await bulk.getByRole("button", { name: "Keep them" }).click();
        assert.equal(await bulk.getByTestId("bulk-confirm").count(), 0);
        await bulk.getByTestId("retry-failed").click();
        await bulk.getByTestId("bulk-confirm-yes").click();
        await waitForText(bulk.getByTestId("bulk-result"), "Retried 2 jobs.");
        // The copies fail too: four failed jobs, of which retry-all would retry the two new.
        await waitForText(testid(page, "count-failed"), /^4/);
        await waitForText(bulk.getByTestId("retry-failed"), "2");

        await bulk.getByTestId("clear-completed").click();
        await waitForText(bulk.getByTestId("bulk-confirm"), /Delete \d+ completed jobs?\?/);
        await bulk.getByTestId("bulk-confirm-yes").click();
        await waitForText(bulk.getByTestId("bulk-result"), /Removed \d+ completed jobs?\./);
        await waitForText(testid(page, "count-completed"), /^0/);
        const { body: stats } = await dashboard.api<StatsView>("GET", "/api/stats");
        assert.equal(stats.byStatus.completed, 0);
      });
    });

    await t.step(
      "the jobs list filters, pages, finds by id and follows the live feed",
      async () => {
        await withDashboard(browser, {}, async (dashboard) => {
          const { page, url } = dashboard;
          const batch = Array.from({ length: 55 }, (_, i) => ({ type: "noop", payload: { i } }));
          const { status } = await dashboard.api("POST", "/api/jobs", batch);
          assert.equal(status, 201);
          await page.goto(`${url}/#/jobs?type=noop`);
          const rows = testid(page, "job-row");
          await rows.nth(49).waitFor();
          assert.equal(await rows.count(), 50);
          // Short ids tell the jobs apart, even when all were created in the same millisecond.
          const shown = await rows.locator("td:first-child a").allTextContents();
          assert.equal(new Set(shown).size, 50, shown.join(" "));
          await testid(page, "page-older").click();
          await page.waitForURL(/cursor=/);
          // The older page holds the last 5. (No string waitForFunction: the page's CSP forbids eval.)
          await rows.nth(5).waitFor({ state: "detached" });
          await rows.nth(4).waitFor();
          assert.equal(await rows.count(), 5);
          assert.ok(await testid(page, "page-older").isDisabled());
          await testid(page, "page-newer").click();
          await rows.nth(49).waitFor();
          assert.ok(!page.url().includes("cursor="));

          // A job that starts to match the filter appears, and changes in place.
          await page.getByLabel("Type").selectOption("sleep");
          // The tabs keep the type filter once the page has followed the new address.
          await page.waitForURL(/type=sleep$/);
          await page.locator('[data-testid=tab-in-progress][href*="type=sleep"]').click();
          await page.waitForURL(/status=in-progress&type=sleep/);
          await testid(page, "jobs-empty").waitFor();
          const job = await enqueue(dashboard, "sleep", { ms: 60_000 });
          const row = page.locator(`[data-testid=job-row][data-job-id="${job.id}"]`);
          await waitForText(row, "in-progress");
          // A running job's bar says its figure too, even at 0.
          await waitForText(row.getByTestId("job-progress-figure"), "0%");
          await page.getByLabel("Type").selectOption("");
          await page.waitForURL(/#\/jobs\?status=in-progress$/);
          await page.locator('[data-testid=tab-all][href="#/jobs"]').click();
          await page.waitForURL(/#\/jobs$/);
          await waitForText(row, "in-progress");
          await dashboard.api("POST", `/api/jobs/${job.id}/cancel`);
          await waitForText(row, "cancelled");

          // The short id the list shows is enough; one no job has is said so in the form.
          await page.getByLabel("Go to job").fill("0000ffff");
          await page.keyboard.press("Enter");
          await waitForText(testid(page, "job-search-error"), "No job's id starts or ends with");
          await page.getByLabel("Go to job").fill(job.id.slice(-8));
          await page.keyboard.press("Enter");
          await waitForText(testid(page, "job-id"), job.id);
          await waitForText(testid(page, "job-status"), "cancelled");
        });
      },
    );

    await t.step("a fail-absolute job shows each attempt and its error", async () => {
      await withDashboard(browser, {}, async (dashboard) => {
        const { page, url } = dashboard;
        const job = await enqueue(dashboard, "fail-absolute", "boom", {
          maxAttempts: 2,
          backoff: { base: 10, cap: 20 },
        });
        await page.goto(`${url}/#/jobs/${job.id}`);
        await waitForText(testid(page, "job-status"), "failed");
        const rows = testid(page, "attempt-row");
        // The status changes at once from the live feed; the attempts come with the refetch
        // that follows it (at most two a second).
        await waitForText(rows.nth(1), "failed");
        assert.equal(await rows.count(), 2);
        for (const [i, row] of (await rows.all()).entries()) {
          const text = await row.textContent() ?? "";
          assert.match(text, new RegExp(`^${i + 1}\\s*w\\d+`), text);
          assert.match(text, /failed/, text);
          assert.match(text, /\d+ ms/, text);
          assert.match(text, /Simulated failure \(this job type always fails\)/, text);
        }
        const timeline = await testid(page, "timeline").textContent() ?? "";
        assert.match(
          timeline,
          /Enqueued.*Attempt 1 of 2 started.*Attempt 1 failed.*Retry scheduled.*Attempt 2 of 2 started.*Attempt 2 failed.*Failed/s,
        );
        await waitForText(testid(page, "job-attempt"), "2 of 2");
        await waitForText(testid(page, "job-error"), "Simulated failure");
        await testid(page, "action-retry").waitFor();
        assert.equal(await testid(page, "action-cancel").count(), 0);
      });
    });

    await t.step("cancel, retry and delete work from the job page", async () => {
      await withDashboard(browser, { httpErrors: true }, async (dashboard) => {
        const { page, url } = dashboard;
        const job = await enqueue(dashboard, "sleep", { ms: 60_000 });
        await waitForJob(dashboard, job.id, "in-progress");
        await page.goto(`${url}/#/jobs/${job.id}`);
        await waitForText(testid(page, "job-status"), "in-progress");
        assert.equal(await testid(page, "action-retry").count(), 0);

        await testid(page, "action-cancel").click();
        await waitForText(testid(page, "action-result"), "Cancelled: the job is now cancelled.");
        await waitForText(testid(page, "job-status"), "cancelled");
        assert.equal((await waitForJob(dashboard, job.id, "cancelled")).status, "cancelled");

        await testid(page, "action-retry").click();
        await waitForText(testid(page, "action-result"), "Retried as new job");
        await testid(page, "retried-job-link").click();
        await page.locator(`[data-testid=job-detail]:not([data-job-id="${job.id}"])`).waitFor();
        const retriedId = await testid(page, "job-detail").getAttribute("data-job-id");
        assert.ok(retriedId);
        const retried = await dashboard.api<JobView>("GET", `/api/jobs/${retriedId}`);
        assert.equal(retried.body.retryOf, job.id);
        await waitForText(testid(page, "job-facts"), `Retry of${job.id}`);
        await waitForText(testid(page, "job-status"), "in-progress");

        await testid(page, "action-delete").click();
        await testid(page, "delete-confirm").waitFor();
        assert.match(await testid(page, "delete-confirm").textContent() ?? "", /cancelled first/);
        await testid(page, "delete-confirm-yes").click();
        await waitForText(testid(page, "action-result"), `Deleted job ${retriedId.slice(-8)}`);
        await testid(page, "job-deleted").waitFor();
        await waitForText(testid(page, "job-status"), "deleted");
        assert.equal((await dashboard.api("GET", `/api/jobs/${retriedId}`)).status, 404);
        assert.equal(await testid(page, "action-delete").count(), 0);
        await screenshot(page, "job-deleted-desktop-light");
        // The original keeps its history.
        assert.equal((await dashboard.api("GET", `/api/jobs/${job.id}`)).status, 200);
      });
    });

    await t.step("a job removed as it completes shows completed, not deleted", async () => {
      await withDashboard(
        browser,
        { server: { retainCompleted: 0 }, httpErrors: true },
        async (dashboard) => {
          const { page, url } = dashboard;
          const job = await enqueue(dashboard, "sleep", { ms: 1_500 });
          await waitForJob(dashboard, job.id, "in-progress");
          await page.goto(`${url}/#/jobs/${job.id}`);
          await waitForText(testid(page, "job-status"), "in-progress");
          const statuses = await recordStatuses(page);
          await testid(page, "job-removed").waitFor();
          await waitForText(testid(page, "job-status"), "completed");
          assert.equal((await dashboard.api("GET", `/api/jobs/${job.id}`)).status, 404);
          assert.equal(await testid(page, "job-deleted").count(), 0);
          assert.ok(!(await statuses()).includes("deleted"), `${await statuses()}`);
        },
      );
    });

    await t.step("form errors show next to the field they name", async () => {
      await withDashboard(browser, { httpErrors: true }, async (dashboard) => {
        const { page, url } = dashboard;
        await page.goto(`${url}/#/enqueue`);
        await page.getByLabel("Type").selectOption("sleep");
        const editor = page.getByLabel("Payload (JSON)");
        assert.equal(JSON.parse(await editor.inputValue()).ms, 1000, "prefilled with the example");
        const submit = testid(page, "enqueue-submit");

        await editor.fill('{"ms": "soon"}');
        await submit.click();
        const payloadField = page.locator(".field", { has: editor });
        await waitForText(payloadField.getByTestId("error-payload"), "payload.ms");
        assert.equal(await editor.getAttribute("aria-invalid"), "true");
        assert.match(await editor.getAttribute("aria-describedby") ?? "", /error-payload/);

        // Malformed JSON is caught before anything is sent.
        await editor.fill('{"ms": ');
        await submit.click();
        await waitForText(payloadField.getByTestId("error-payload"), "not valid JSON");

        await editor.fill('{"ms": 5}');
        const timeout = page.getByLabel("Timeout (ms)");
        await timeout.fill("-5");
        await submit.click();
        const timeoutField = page.locator(".field", { has: timeout });
        await waitForText(timeoutField.getByTestId("error-timeout"), "options.timeout");
        assert.equal(await testid(page, "error-payload").count(), 0);
        assert.equal(await testid(page, "created-job-link").count(), 0);

        await timeout.fill("");
        await submit.click();
        await testid(page, "created-job-link").waitFor();
        assert.equal(await testid(page, "error-timeout").count(), 0);
      });
    });

    await t.step("the layout fits a phone's width and the navigation is reachable", async () => {
      const viewport = { width: 375, height: 740 };
      const server = { handlers: [SANDBOX_HANDLERS] };
      await withDashboard(browser, { context: { viewport }, server }, async (dashboard) => {
        const { page, url } = dashboard;
        const job = await enqueue(dashboard, "fail-absolute", { note: "a phone" }, {
          maxAttempts: 2,
          backoff: { base: 10, cap: 20 },
        });
        const sandboxed = await enqueue(dashboard, "s-reads-file-declared", { path: "/nowhere" });
        await waitForJob(dashboard, job.id, "failed");
        await waitForJob(dashboard, sandboxed.id, "failed");
        await page.goto(`${url}/`);
        await testid(page, "type-table").waitFor();
        await waitForText(testid(page, "sandbox"), "read=/tmp/denoqueue-sandbox-fixture");
        await assertNoHorizontalOverflow(page, viewport.width, "overview");
        const fits = (box: { x: number; width: number } | null) =>
          box !== null && box.x >= 0 && box.x + box.width <= viewport.width;
        const typeRow = await testid(page, "type-row-fail-absolute").boundingBox();
        assert.ok(fits(typeRow), `the types table fits as cards: ${JSON.stringify(typeRow)}`);
        // A type's permissions and a set's workers are on screen, wrapped, not cut off.
        const permissions = testid(page, "type-row-s-reads-file-declared")
          .getByTestId("type-permissions");
        await waitForText(permissions, "read: /tmp/denoqueue-sandbox-fixture");
        assert.ok(await permissions.isVisible(), "the permissions line shows");
        const permissionsBox = await permissions.boundingBox();
        assert.ok(
          fits(permissionsBox),
          `a type's permissions fit: ${JSON.stringify(permissionsBox)}`,
        );
        for (const sandbox of await testid(page, "sandbox").all()) {
          const box = await sandbox.boundingBox();
          assert.ok(fits(box), `a sandbox's line fits: ${JSON.stringify(box)}`);
        }
        const nav = testid(page, "nav-jobs");
        assert.ok(await nav.isVisible(), "the Jobs link is visible");
        await nav.click();
        await testid(page, "job-row").first().waitFor();
        await assertNoHorizontalOverflow(page, viewport.width, "jobs");
        // Rows become cards: nothing of a job sits off screen in a scrolled table.
        const row = await testid(page, "job-row").first().boundingBox();
        assert.ok(
          row !== null && row.x >= 0 && row.x + row.width <= viewport.width,
          JSON.stringify(row),
        );
        await page.locator(`a[href="#/jobs/${job.id}"]`).click();
        await testid(page, "attempt-row").nth(1).waitFor();
        await assertNoHorizontalOverflow(page, viewport.width, "job detail");
        // The attempts table too: its last column, the error, is on screen, not scrolled off.
        const error = await testid(page, "attempt-error").first().boundingBox();
        assert.ok(
          error !== null && error.x >= 0 && error.x + error.width <= viewport.width,
          `an attempt's error fits: ${JSON.stringify(error)}`,
        );
        await testid(page, "nav-enqueue").focus();
        await page.keyboard.press("Enter");
        await testid(page, "enqueue-form").waitFor();
        await assertNoHorizontalOverflow(page, viewport.width, "enqueue");
      });
    });

    await t.step("screenshots: overview and job detail, light, dark and phone", async () => {
      const shots: [string, { colorScheme: "light" | "dark"; width: number; height: number }][] = [
        ["desktop-light", { colorScheme: "light", width: 1280, height: 800 }],
        ["desktop-dark", { colorScheme: "dark", width: 1280, height: 800 }],
        ["phone-light", { colorScheme: "light", width: 375, height: 740 }],
      ];
      for (const [name, { colorScheme, width, height }] of shots) {
        await withDashboard(browser, {
          context: { colorScheme, viewport: { width, height } },
          server: { concurrency: 4, handlers: [FIXTURES, SANDBOX_HANDLERS] },
        }, async (dashboard) => {
          const { page, url } = dashboard;
          const types = ["email", "sms", "report", "fail", "noop", "newsletter"];
          for (const type of types) {
            await Promise.all([1, 2, 3].map(() => enqueue(dashboard, type, `${type} demo`)));
          }
          const failing = await enqueue(dashboard, "fail-absolute", { order: 42 }, {
            maxAttempts: 3,
            backoff: { base: 10, cap: 20 },
          });
          const succeeding = await enqueue(dashboard, "t-succeeds", { value: 21 });
          // Sets of permissions besides none: their types and workers show on the overview.
          await enqueue(dashboard, "s-reads-env-declared", { name: SECRET_VARIABLE });
          await enqueue(dashboard, "s-fetches", { url: `${url}/api/stats` });
          await enqueue(dashboard, "sleep", { ms: 60_000 });
          await enqueue(dashboard, "sleep", { ms: 1000 }, { delay: 60_000 });
          await waitForJob(dashboard, failing.id, "failed");
          await page.goto(`${url}/`);
          await waitForText(testid(page, "count-failed"), /^[1-9]/);
          await testid(page, "type-row-fail-absolute").waitFor();
          await waitForText(testid(page, "sandbox"), "net=127.0.0.1");
          await waitForText(testid(page, "type-row-s-fetches"), "net: 127.0.0.1");
          await waitForText(testid(page, "completed-rate"), /[1-9]/);
          await waitForText(
            testid(page, "rate-window"),
            "rates over the last 60 s, chart over the last 5 min",
          );
          await screenshot(page, `overview-${name}`);
          await page.goto(`${url}/#/jobs/${failing.id}`);
          await testid(page, "attempt-row").nth(2).waitFor();
          await screenshot(page, `job-${name}`);
          await page.goto(`${url}/#/jobs/${succeeding.id}`);
          await waitForText(testid(page, "job-result"), '"doubled": 42');
          await waitForText(testid(page, "logs"), "doubling 21");
          await screenshot(page, `job-completed-${name}`);
          await page.goto(`${url}/#/jobs`);
          await testid(page, "job-row").first().waitFor();
          await screenshot(page, `jobs-${name}`);
          await page.goto(`${url}/#/enqueue`);
          await testid(page, "enqueue-form").waitFor();
          await screenshot(page, `enqueue-${name}`);
        });
      }
    });
  } finally {
    await browser.close();
  }
});

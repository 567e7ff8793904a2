/**
 * The dashboard's Nodes view in headless Chromium, against two server processes on one
 * PostgreSQL database: both nodes listed with their heartbeats, workers and the leader first;
 * live (the leader stalled with SIGSTOP: its heartbeat ages and shows late, then its row goes
 * and the other node's row gains the leader badge, with no reload); a phone's width fits. Screenshots in `tests/screenshots/` for a person to look at.
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchBrowser, screenshot, WAIT, waitForText } from "./support/browser.ts";
import { nodeOf, nodesSeenBy, startNode, stop } from "./support/cluster_nodes.ts";
import { postgresCluster } from "./support/postgres.ts";
import { waitFor } from "./support/wait.ts";

const PHONE = { width: 375, height: 740 };
/** Beats of a second (the default); a node silent 6 s is dead, so it shows late for 3 s first. */
const NODE_ARGS = { args: ["--heartbeat", "1s", "--node-timeout", "6s"] };

async function pageWidth(page: Page): Promise<number> {
  return await page.evaluate<number>("document.documentElement.scrollWidth");
}

Deno.test("Dashboard Nodes view: two nodes on one database, the leader marked, live, fits a phone", async () => {
  const database = await (await postgresCluster()).createDatabase();
  const first = await startNode(database, NODE_ARGS);
  const second = await startNode(database, NODE_ARGS);
  const browser = await launchBrowser();
  try {
    const listed = await waitFor(async () => {
      const nodes = await nodesSeenBy(first);
      return nodes.length === 2 && nodes.some((n) => n.leader) ? nodes : undefined;
    }, { message: "two nodes, one leading" });
    const [leader, follower] = nodeOf(listed, first)!.leader ? [first, second] : [second, first];
    const leaderNode = nodeOf(listed, leader)!;
    const followerNode = nodeOf(listed, follower)!;

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(`${error.name}: ${error.message}`));
    // Served by the follower: what it shows of the leader comes from the database.
    await page.goto(`${follower.url}/`);
    await page.getByTestId("nav-nodes").click();
    const rows = page.getByTestId("node-row");
    await waitFor(async () => await rows.count() === 2, { message: "two rows" });
    assert.equal(await rows.first().getAttribute("data-node"), leaderNode.id, "the leader first");
    assert.equal(await rows.first().getByTestId("node-leader").count(), 1);
    assert.equal(await rows.nth(1).getByTestId("node-leader").count(), 0);
    await waitForText(rows.nth(1), followerNode.name);
    await waitForText(page.getByTestId("nodes-summary"), "2 nodes on this store; one leads");
    for (const row of await rows.all()) {
      await waitForText(row.getByTestId("node-workers"), /of 1 busy|no worker started/);
      await waitForText(row.getByTestId("node-types"), "t-records");
      await waitForText(row.getByTestId("node-heartbeat"), /^\d\.\d s ago$/);
    }
    // A long list of types wraps inside its column instead of running over the next ones.
    const overflow = await rows.first().getByTestId("node-types").evaluate((cell) =>
      cell.scrollWidth - cell.clientWidth
    );
    assert.ok(overflow <= 0, `the types stay in their column (${overflow} px over)`);
    assert.ok(await pageWidth(page) <= 1280, "the page fits a desktop's width");
    await screenshot(page, "nodes-desktop");

    // The leader stalls (SIGSTOP): the page shows its heartbeat ageing, then late; once the
    // node timeout passes the follower leads, removes it, and the page shows that by itself.
    await stop(leader, "SIGSTOP");
    const stalled = page.locator(`[data-node="${leaderNode.id}"]`);
    await waitForText(stalled.getByTestId("node-heartbeat"), /^[2-5]\.\d s ago$/);
    await page.locator(`[data-node="${leaderNode.id}"] .heartbeat-late`).waitFor();
    await waitFor(async () => await rows.count() === 1, {
      timeout: 15_000,
      message: "the stalled node's row gone",
    });
    await waitForText(rows.first().getByTestId("node-leader"), "leader");
    assert.equal(await rows.first().getAttribute("data-node"), followerNode.id);
    await waitForText(page.getByTestId("nodes-summary"), "1 node on this store; one leads");

    await page.setViewportSize(PHONE);
    await rows.first().waitFor();
    assert.ok(await pageWidth(page) <= PHONE.width + 1, "the page fits a phone's width");
    const box = await rows.first().boundingBox();
    assert.ok(
      box !== null && box.x >= 0 && box.x + box.width <= PHONE.width,
      `a node's row fits as a card: ${JSON.stringify(box)}`,
    );
    assert.ok(await page.getByTestId("node-types").first().isVisible(), "its types show");
    await screenshot(page, "nodes-phone");
    await context.close();
    assert.deepEqual(errors, [], "the page logged errors");
  } finally {
    await browser.close();
    await stop(first, "SIGKILL");
    await stop(second, "SIGKILL");
  }
});

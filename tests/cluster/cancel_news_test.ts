/**
 * Cancellations told across the cluster: what one node cancels, the others hear, in payloads
 * within the broadcast limit however many jobs a clear cancels; a node drops its own news, and
 * what is not news is heard as none.
 */

import assert from "node:assert/strict";
import { CANCEL_TOPIC, CancelNews } from "../../queue/cluster/cancel_news.ts";
import { type Broadcast, MAX_BROADCAST_BYTES } from "../../queue/store/broadcast.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";

/** A broadcast in memory, as PostgreSQL's: every listener hears every payload, its own too. */
function memoryBroadcast() {
  const listeners = new Map<string, Set<(payload: string) => void>>();
  const sent: string[] = [];
  const broadcast: Broadcast = {
    send(topic, payloads) {
      for (const payload of payloads) {
        sent.push(payload);
        for (const listener of listeners.get(topic) ?? []) listener(payload);
      }
      return Promise.resolve();
    },
    listen(topic, listener) {
      const set = listeners.get(topic) ?? new Set();
      listeners.set(topic, set.add(listener));
      return () => set.delete(listener);
    },
  };
  return { broadcast, sent };
}

Deno.test("CancelNews: the jobs one node cancels in a turn reach the others, within the limit", async () => {
  const { broadcast, sent } = memoryBroadcast();
  const nodes = ["a", "b"].map((node) => new CancelNews({ broadcast, node, logger: TEST_LOGGER }));
  const heard = nodes.map(() => [] as string[]);
  nodes.forEach((news, i) => {
    news.onCancelled((id) => heard[i].push(id));
    news.start();
  });
  const ids = Array.from({ length: 1_000 }, () => crypto.randomUUID());
  for (const id of ids) nodes[0].announce(id);
  await nodes[0].stop();
  assert.deepEqual(heard[1], ids, "the other node hears every id, in order");
  assert.deepEqual(heard[0], [], "a node drops its own news");
  assert.ok(sent.length > 1, "a clear of a thousand jobs takes several payloads");
  for (const payload of sent) {
    assert.ok(new TextEncoder().encode(payload).length <= MAX_BROADCAST_BYTES, "within the limit");
  }
  await nodes[1].stop();
});

Deno.test("CancelNews: what is not news is heard as none", () => {
  const { broadcast } = memoryBroadcast();
  const news = new CancelNews({ broadcast, node: "b", logger: TEST_LOGGER });
  const heard: string[] = [];
  news.onCancelled((id) => heard.push(id));
  news.start();
  for (const payload of ["not json", "{}", '{"n":"a","c":"j1"}', '{"n":"a","c":[1,"j2"]}']) {
    void broadcast.send(CANCEL_TOPIC, [payload]);
  }
  assert.deepEqual(heard, ["j2"]);
});

/** Pool options read before any worker starts: `httpAllow`, refused naming its entry. */

import assert from "node:assert/strict";
import { checkedHttpAllow } from "../../queue/pool/pool_options.ts";
import type { Queue } from "../../queue/queue.ts";

const queue = {} as Queue;

Deno.test("checkedHttpAllow() passes --http-allow entries on, or refuses one naming it", () => {
  assert.deepEqual(checkedHttpAllow({ queue }), []);
  assert.deepEqual(checkedHttpAllow({ queue, httpAllow: ["127.0.0.1:9000"] }), ["127.0.0.1:9000"]);
  assert.throws(() => checkedHttpAllow({ queue, httpAllow: ["10.0.0.0/33"] }), {
    name: "RangeError",
    message: 'httpAllow: "10.0.0.0/33" is not a host name, address or CIDR range (with an ' +
      "optional :port)",
  });
});

/** AddressSlots: counted slots with a cap per client address and one for all. */

import assert from "node:assert/strict";
import { AddressSlots } from "../../../api/limits/address_slots.ts";

Deno.test("AddressSlots.take() refuses past the client's cap, then past the cap for all", () => {
  const slots = new AddressSlots({ limit: 3, perClient: 2 });
  assert.equal(slots.take("a"), null);
  assert.equal(slots.take("a"), null);
  assert.equal(slots.take("a"), "client");
  assert.equal(slots.take("b"), null);
  assert.equal(slots.take("c"), "total");
  assert.equal(slots.size, 3);
  assert.equal(slots.heldBy("a"), 2);
  assert.equal(slots.heldBy("c"), 0);
});

Deno.test("AddressSlots.release() gives a slot back, and ignores an address that holds none", () => {
  const slots = new AddressSlots({ limit: 2, perClient: 1 });
  assert.equal(slots.take("a"), null);
  assert.equal(slots.take("a"), "client");
  slots.release("a");
  slots.release("a");
  slots.release("never");
  assert.equal(slots.size, 0);
  assert.equal(slots.take("a"), null);
  assert.equal(slots.heldBy("a"), 1);
});

Deno.test("new AddressSlots() refuses caps under 1, naming them", () => {
  assert.throws(() => new AddressSlots({ limit: 0, perClient: 1 }), /limit must be/);
  assert.throws(() => new AddressSlots({ limit: 1, perClient: 1.5 }), /perClient must be/);
});

/**
 * Counted slots with two caps, one per client address and one for all clients together: how
 * many requests are in progress, how many producer sockets are open.
 * @module
 */

/** Which cap refused a slot: the client's own, or the one for all clients. */
export type SlotRefusal = "client" | "total";

/**
 * @example
 * ```ts
 * import { AddressSlots } from "./address_slots.ts";
 * const slots = new AddressSlots({ limit: 3, perClient: 2 });
 * console.assert(slots.take("10.0.0.1") === null && slots.take("10.0.0.1") === null);
 * console.assert(slots.take("10.0.0.1") === "client"); // its third
 * console.assert(slots.take("10.0.0.2") === null);
 * console.assert(slots.take("10.0.0.3") === "total"); // the fourth in all
 * slots.release("10.0.0.1");
 * console.assert(slots.size === 2);
 * ```
 */
export class AddressSlots {
  /** Slots for all clients together. */
  readonly limit: number;
  /** Slots for one client address. */
  readonly perClient: number;
  readonly #held = new Map<string, number>();
  #size = 0;

  constructor({ limit, perClient }: { limit: number; perClient: number }) {
    for (const [name, value] of [["limit", limit], ["perClient", perClient]] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`${name} must be a whole number of at least 1, received ${value}`);
      }
    }
    this.limit = limit;
    this.perClient = perClient;
  }

  /** Takes a slot for `address`: null when taken, else the cap that refused it. */
  take(address: string): SlotRefusal | null {
    const held = this.#held.get(address) ?? 0;
    if (held >= this.perClient) return "client";
    if (this.#size >= this.limit) return "total";
    this.#held.set(address, held + 1);
    this.#size++;
    return null;
  }

  /** Gives back a slot `address` took. */
  release(address: string): void {
    const held = this.#held.get(address);
    if (held === undefined) return;
    if (held <= 1) this.#held.delete(address);
    else this.#held.set(address, held - 1);
    this.#size--;
  }

  /** Slots held now, by every client. */
  get size(): number {
    return this.#size;
  }

  /** Slots `address` holds now. */
  heldBy(address: string): number {
    return this.#held.get(address) ?? 0;
  }
}

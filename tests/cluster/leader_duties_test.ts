/** LeaderDuties: the services run exactly while the node leads; a service may join any time. */

import assert from "node:assert/strict";
import { LeaderDuties } from "../../queue/cluster/leader_duties.ts";
import type { MaintenanceService } from "../../queue/maintenance/service.ts";

/** A service that counts its starts and stops; its stop waits for `stopGate` when set. */
function service(name: string) {
  const made = {
    starts: 0,
    stops: 0,
    running: false,
    stopGate: undefined as Promise<void> | undefined,
    service: {
      name,
      start() {
        if (made.running) return;
        made.running = true;
        made.starts++;
      },
      async stop() {
        await made.stopGate;
        if (made.running) made.stops++;
        made.running = false;
      },
      runOnce: () => Promise.resolve(0),
    } satisfies MaintenanceService,
  };
  return made;
}

Deno.test("LeaderDuties.lead() starts the services on true and stops them on false", async () => {
  const duties = new LeaderDuties();
  const scheduler = service("scheduler");
  const cleaner = service("cleaner");
  duties.join(scheduler.service);
  duties.join(cleaner.service);
  assert.equal(scheduler.running, false, "not before leading");
  duties.lead(true);
  assert.deepEqual([scheduler.running, cleaner.running], [true, true]);
  duties.lead(true);
  assert.equal(scheduler.starts, 1, "a second true changes nothing");
  duties.lead(false);
  await duties.stop();
  assert.deepEqual([scheduler.running, cleaner.running], [false, false]);
  assert.equal(scheduler.stops, 1);
});

Deno.test("LeaderDuties.join() while leading starts the service at once (the cron enqueuer's way in)", async () => {
  const duties = new LeaderDuties();
  duties.lead(true);
  const cron = service("cron");
  duties.join(cron.service);
  assert.equal(cron.running, true);
  assert.deepEqual(duties.services.map((s) => s.name), ["cron"]);
  await duties.stop();
  assert.equal(cron.running, false);
});

Deno.test("LeaderDuties.lead(true) right after lead(false) starts again only once the stop ended", async () => {
  const duties = new LeaderDuties();
  const rescuer = service("rescuer");
  duties.join(rescuer.service);
  duties.lead(true);
  const gate = Promise.withResolvers<void>();
  rescuer.stopGate = gate.promise;
  duties.lead(false);
  duties.lead(true);
  assert.equal(rescuer.starts, 1, "still stopping: not started twice");
  rescuer.stopGate = undefined;
  gate.resolve();
  await gate.promise;
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(rescuer.stops, 1);
  assert.equal(rescuer.starts, 2);
  assert.equal(rescuer.running, true);
  await duties.stop();
});
